"""What a stödperson keeps themselves: capacity, a pause that ends by itself, conflicts of
interest, and payout details that are validated, encrypted, masked everywhere and changed
with a mail that holds no values. Supervision as the stödperson sees it, and their data."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from foreningen.core import clock
from foreningen.core.extensions import db as _db
from foreningen.supporters.models import Supporter
from tests import factories
from tests.members.test_register import audit_events
from tests.support import submit

PERSONNUMMER = "19811218-9876"  # Skatteverket's test series
CLEARING, ACCOUNT = "9029", "5735211"  # a Länsförsäkringar example account


def browser_of(app, *roles, user=None):
    """Another browser, signed in as a new user with these roles (or as `user`)."""
    user = user or factories.user(app, list(roles))
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert submit(other, "/auth/sign-in", {"email": user.email,
                                           "password": user.password}).status_code == 302
    return other


def row(app, supporter_id) -> Supporter:
    with app.app_context():
        found = _db.session.get(Supporter, supporter_id)
        _db.session.expunge(found)
        return found


@pytest.fixture
def active(app, client, login):
    made = factories.ready_supporter(app, "active",
                                     account=factories.user(app, ["member"], locale="en"))
    login(user=made.account)
    return made


def test_capacity_is_kept_and_a_bad_one_is_explained(app, client, active):
    ok = submit(client, "/supporter/availability", {"capacity": "3"},
                action_contains="/capacity")
    assert ok.status_code == 302 and row(app, active.id).capacity == 3
    bad = submit(client, "/supporter/availability", {"capacity": "11"},
                 action_contains="/capacity")
    assert bad.status_code == 400 and "Give a number between 1 and 10." in \
        bad.get_data(as_text=True)
    assert 'value="11"' in bad.get_data(as_text=True)  # the form keeps what was typed
    assert row(app, active.id).capacity == 3


def test_a_pause_with_a_date_ends_by_itself(app, client, runner, active, monkeypatch):
    past = submit(client, "/supporter/availability", {"until": clock.today().isoformat()},
                  action_contains="/pause")
    assert past.status_code == 400 and "must be after today" in past.get_data(as_text=True)
    until = clock.today() + timedelta(days=10)
    assert submit(client, "/supporter/availability", {"until": until.isoformat()},
                  action_contains="/pause").status_code == 302
    paused = row(app, active.id)
    assert (paused.stage, paused.paused_until) == ("paused", until)
    # Nobody acts; the daily command runs on the day.
    assert "0 support person(s) active again" in runner.invoke(
        args=["supporters", "resume-paused"]).output
    monkeypatch.setattr(clock, "today", lambda: until)
    assert "1 support person(s) active again" in runner.invoke(
        args=["supporters", "resume-paused"]).output
    resumed = row(app, active.id)
    assert (resumed.stage, resumed.paused_until) == ("active", None)
    assert audit_events(app, "supporter.stage_active", active.id)[-1].actor_id is None


def test_a_pause_without_a_date_ends_when_resumed(app, client, active):
    submit(client, "/supporter/availability", {"until": ""}, action_contains="/pause")
    assert row(app, active.id).stage == "paused"
    page = client.get("/supporter/availability").get_data(as_text=True)
    assert "You are paused until you resume." in page
    submit(client, "/supporter/availability", {}, action_contains="/resume")
    assert row(app, active.id).stage == "active"


def test_conflicts_are_encrypted_and_shown_to_nobody_else(app, client, login, active):
    submit(client, "/supporter/availability", {"conflicts": "Min granne Ove Svensson"},
           action_contains="/conflicts")
    with app.app_context():
        raw = _db.session.execute(text("SELECT conflicts FROM supporter WHERE id = :i"),
                                  {"i": active.id}).scalar()
    assert "Ove" not in raw
    assert row(app, active.id).conflicts == "Min granne Ove Svensson"
    coordinator = browser_of(app, "coordinator")
    assert "Ove Svensson" not in coordinator.get(f"/supporters/{active.id}").get_data(
        as_text=True)


@pytest.mark.parametrize("change, message", [
    ({"personnummer": "19811218-9875"}, "check the last digit"),
    ({"personnummer": "811218-9876"}, "with 12 digits"),
    ({"personnummer": "19811318-9876"}, "check the last digit"),  # no 13th month
    ({"account_number": "5735214"}, "not a valid account"),
    ({"clearing_number": "0001"}, "not a valid account"),
    ({"account_number": ""}, "This field is required."),
])
def test_bad_payout_details_are_refused_and_nothing_is_saved(app, client, active, change,
                                                             message):
    data = {"personnummer": PERSONNUMMER, "clearing_number": CLEARING,
            "account_number": ACCOUNT, **change}
    response = submit(client, "/supporter/payout", data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert row(app, active.id).personnummer is None


def test_payout_details_are_encrypted_masked_and_told_without_values(app, client, login,
                                                                     inbox, runner, active):
    response = submit(client, "/supporter/payout", {
        "personnummer": "198112189876", "clearing_number": CLEARING,
        "account_number": "573 521 1"})
    assert response.status_code == 302
    saved = row(app, active.id)
    assert (saved.personnummer, saved.clearing_number, saved.account_number) == (
        PERSONNUMMER, CLEARING, ACCOUNT)
    with app.app_context():
        raw = _db.session.execute(text(
            "SELECT personnummer, clearing_number, account_number FROM supporter "
            "WHERE id = :i"), {"i": active.id}).one()
    assert all(value.startswith("gAAAA") and "9876" not in value for value in raw)
    page = client.get("/supporter/payout").get_data(as_text=True)
    assert "••••9876" in page and "••••5211" in page
    assert PERSONNUMMER not in page and "19811218" not in page and ACCOUNT not in page
    assert audit_events(app, "supporter.payout", active.id)
    # The mail says that they changed, never what they are.
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    mail = inbox.body(inbox.to(active.account.email)[-1])
    assert "changed" in mail and "9876" not in mail and "5211" not in mail
    # Their download holds them masked; no page of anyone else shows them.
    data = json.loads(client.get("/membership/my-data.json").get_data(as_text=True))
    assert data["support_person"]["profile"]["personnummer"] == "••••9876"
    assert data["support_person"]["profile"]["experience"]["placement_types"] == [
        "foster_family"]
    actions = {e["action"] for e in data["support_person"]["audit_events"]}
    assert {"supporter.apply", "supporter.payout"} <= actions
    html = client.get("/membership/my-data").get_data(as_text=True)
    assert "As a support person" in html and "••••9876" in html
    for role in ("coordinator", "board"):
        other = browser_of(app, role).get(f"/supporters/{active.id}").get_data(as_text=True)
        assert "9876" not in other and "5211" not in other


def test_supervision_is_recorded_listed_flagged_and_exported(app, client, login, runner):
    window = app.config["SUPERVISION_MAX_DAYS"]
    seen = factories.ready_supporter(app, "active", display_name="Handledd")
    unseen = factories.ready_supporter(app, "active", display_name="Ohandledd")
    with app.app_context():  # both active for longer than the window
        for made in (seen, unseen):
            _db.session.get(Supporter, made.id).stage_changed_on = \
                clock.today() - timedelta(days=window + 30)
        _db.session.commit()
    login("coordinator")
    response = submit(client, "/supporters/supervision", {
        "held_on": (clock.today() - timedelta(days=3)).isoformat(), "minutes": "90",
        "kind": "group", "leader": "Karin Handledare", "selected": [str(seen.id)]})
    assert response.status_code == 302
    attention = client.get("/supporters/attention").get_data(as_text=True)
    flagged = attention.split('id="unsupervised-heading"')[1].split("</section>")[0]
    assert "Ohandledd" in flagged and "Handledd)" not in flagged
    export = client.get("/supporters/supervision.csv")
    assert export.status_code == 200
    lines = export.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Name;") and any("Handledd;1;1,50" in line for line in lines)
    bad = submit(client, "/supporters/supervision", {"minutes": "5", "leader": "",
                                                     "selected": []})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "between 15 and 600" in page
    own = browser_of(app, user=seen.account).get("/supporter/").get_data(as_text=True)
    assert "1 session" in own and "90 minutes with Karin Handledare" in own
