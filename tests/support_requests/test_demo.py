"""`make run` shows each role something real of support: the coordinator a queue with
overdue crisis referrals, the demo stödperson two parents with contacts, the social worker
referrals in several states, and the demo parent's request on the status page."""

from tests.support import submit

PASSWORD = "demo-forening-2026"


def sign_in(client, email):
    response = submit(client, "/auth/sign-in", {"email": email, "password": PASSWORD})
    assert response.status_code == 302


def test_each_role_finds_support_in_the_demo(app, db, runner):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0 and "DEM026" in result.output

    coordinator = app.test_client()
    coordinator.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    sign_in(coordinator, "samordnare@example.org")
    queue = coordinator.get("/support/").get_data(as_text=True)
    assert "2 overdue" in queue and "No request is waiting" not in queue
    assert "Assigned crisis referrals not yet contacted" in queue
    start = coordinator.get("/").get_data(as_text=True)
    assert "crisis referrals are overdue" in start and "/support/" in start

    supporter = app.test_client()
    supporter.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    sign_in(supporter, "stodperson@example.org")
    mine = supporter.get("/support/mine/").get_data(as_text=True)
    assert "Crisis support" in mine and "2 contacts" in mine
    assert "You support 2 parents." in supporter.get("/").get_data(as_text=True)

    worker = app.test_client()
    worker.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    sign_in(worker, "socialsekreterare@example.org")
    referrals = worker.get("/referrals/").get_data(as_text=True)
    for state in ("Received", "Support person assigned", "Contacted", "Closed"):
        assert state in referrals, state

    parent = app.test_client()
    parent.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    submit(parent, "/ask/status", {"reference": "DEM026", "code": "FAMK1-J26QR"},
           action_contains="/ask/status")
    status = parent.get("/ask/status").get_data(as_text=True)
    erik = app.test_client()
    erik.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    sign_in(erik, "foralder@example.org")
    assert "DEM026" in erik.get("/").get_data(as_text=True)
    assert "Your support person is Dina." in erik.get("/").get_data(as_text=True)
    assert "Your support person is Dina" in status and "Stadsbiblioteket" in status
