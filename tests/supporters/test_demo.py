"""`make run` shows each role something real of this feature: the demo pipeline has people
in every stage and every state of readiness, and the demo stödperson is active and ready."""

from tests.support import submit

PASSWORD = "demo-forening-2026"


def sign_in(client, email):
    response = submit(client, "/auth/sign-in", {"email": email, "password": PASSWORD})
    assert response.status_code == 302


def test_the_demo_pipeline_has_every_stage_and_state(app, db, runner, client):
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    sign_in(client, "samordnare@example.org")
    page = client.get("/supporters/").get_data(as_text=True)
    assert "Nobody at this stage." not in page
    attention = client.get("/supporters/attention").get_data(as_text=True)
    for empty in ("Nothing has expired.", "Nothing expires soon.", "Nobody is paused.",
                  "Everyone approved has everything required.",
                  "Nobody is waiting to become active.",
                  "Everyone has had supervision recently."):
        assert empty not in attention, empty
    start = client.get("/").get_data(as_text=True)
    assert "/supporters/attention" in start


def test_the_demo_supporter_is_active_and_ready(app, db, runner, client):
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    sign_in(client, "stodperson@example.org")
    page = client.get("/supporter/").get_data(as_text=True)
    assert "Active" in page and "You are ready to support a parent." in page
    assert "90 minutes" in page or "120 minutes with Maria Handledare" in page
    assert "/supporter/" in client.get("/").get_data(as_text=True)
