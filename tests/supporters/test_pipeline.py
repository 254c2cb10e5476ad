"""A member applies to become a stödperson; coordinators move people through the pipeline
(one or a whole group, all or nothing), record training and the record extract; the
stödperson signs the pledge and becomes ready. The board sees names and stages only."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from foreningen.core import clock
from foreningen.core.extensions import db as _db
from foreningen.supporters.models import Completion, StageChange, Supporter
from tests import factories
from tests.members.test_register import audit_events
from tests.support import csrf_token, submit

APPLICATION = {
    "display_name": "Lena", "placement_types": ["foster_family", "residential_care"],
    "legal_bases": ["lvu"], "child_age": "9", "years_since": "3", "child_came_home": "partly",
    "languages": ["sv", "ar"], "area": "Söder", "meeting_forms": ["in_person", "phone"],
    "times": ["evenings"], "gender": "", "offer": "Jag vet hur de första veckorna känns.",
    "consent": "y",
}


def supporter_row(app, **where) -> Supporter | None:
    with app.app_context():
        row = _db.session.scalar(select(Supporter).filter_by(**where))
        if row is not None:
            _db.session.expunge(row)
        return row


def stages_of(app, supporter_id) -> list[tuple]:
    with app.app_context():
        return [(h.from_stage, h.to_stage) for h in _db.session.scalars(
            select(StageChange).where(StageChange.supporter_id == supporter_id)
            .order_by(StageChange.id))]


@pytest.fixture
def member_user(app, login):
    account = factories.user(app, ["member"])
    lund = factories.municipality(app, "1281", "Lund")
    factories.member(app, account=account, municipality_id=lund)
    login(user=account)
    return account


def test_an_active_member_applies_with_structured_answers(app, client, member_user):
    form = client.get("/supporter/apply").get_data(as_text=True)
    assert "Where was your child placed?" in form and "Lund" in form
    response = submit(client, "/supporter/apply", APPLICATION, action_contains="/apply")
    assert response.status_code == 302
    row = supporter_row(app, user_id=member_user.id)
    assert row.stage == "applied" and row.display_name == "Lena"
    assert row.meets_in_person and row.meets_by_phone and not row.meets_by_video
    assert row.evenings and not row.weekends and row.consent_version == "2026-11"
    page = client.get("/supporter/").get_data(as_text=True)
    assert "Your application is with the coordinators" in page
    assert audit_events(app, "supporter.apply", row.id)
    # Applying again while the application is open only leads back to the page.
    assert client.get("/supporter/apply").status_code == 302


def test_the_private_answers_are_encrypted_at_rest(app, client, member_user):
    submit(client, "/supporter/apply", APPLICATION, action_contains="/apply")
    with app.app_context():
        raw = _db.session.execute(text(
            "SELECT experience, offer FROM supporter WHERE user_id = :u"),
            {"u": member_user.id}).one()
    for value in raw:
        assert "foster_family" not in value and "veckorna" not in value
        assert value.startswith("gAAAA")  # a Fernet token
    with app.app_context():
        row = _db.session.scalar(select(Supporter).where(Supporter.user_id == member_user.id))
        assert json.loads(row.experience)["placement_types"] == ["foster_family",
                                                                 "residential_care"]


@pytest.mark.parametrize("change, field_error", [
    ({"placement_types": []}, "Choose at least one form of placement."),
    ({"child_age": "41"}, "Give an age between 0 and 20."),
    ({"child_age": "nine"}, "Not a valid integer value."),
    ({"languages": []}, "Choose at least one language."),
    ({"meeting_forms": []}, "Choose at least one way to meet."),
    ({"municipality_id": ""}, "Choose the municipality you can cover."),
    ({"consent": []}, "We need your consent to handle your application."),
    ({"offer": "x" * 1001}, "Field cannot be longer than 1000 characters."),
])
def test_a_bad_answer_is_named_and_the_form_keeps_the_rest(app, client, member_user, change,
                                                          field_error):
    response = submit(client, "/supporter/apply", {**APPLICATION, **change},
                      action_contains="/apply")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and field_error in page
    assert 'value="Söder"' in page
    assert ("Jag vet hur de första veckorna känns." in page) is ("offer" not in change)
    assert supporter_row(app, user_id=member_user.id) is None


def test_only_an_active_member_may_apply(app, client, login):
    login("member")  # an account without a membership
    assert client.get("/supporter/apply").status_code == 302
    page = client.get("/supporter/").get_data(as_text=True)
    assert "Become a member first." in page


def test_a_coordinator_moves_a_person_step_by_step_with_a_history(app, client, login):
    made = factories.supporter(app)
    coordinator = login("coordinator")
    url = f"/supporters/{made.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Lived experience (private)" in page and "Foster family" in page
    assert audit_events(app, "supporter.view_private", made.id)[-1].actor_id == coordinator.id
    # Booking an interview needs its date; the refusal keeps the choice.
    refused = submit(client, url, {"to_stage": "interview_booked"}, action_contains="/move")
    assert refused.status_code == 400 and "Give the date of the interview." in \
        refused.get_data(as_text=True)
    day = (clock.today() + timedelta(days=3)).isoformat()
    assert submit(client, url, {"to_stage": "interview_booked", "interview_on": day},
                  action_contains="/move").status_code == 302
    assert submit(client, url, {"to_stage": "interviewed", "note": "Bra samtal."},
                  action_contains="/move").status_code == 302
    assert stages_of(app, made.id) == [(None, "applied"), ("applied", "interview_booked"),
                                       ("interview_booked", "interviewed")]
    # A step the table does not allow is refused by the service, not only hidden.
    with app.test_request_context(method="POST"):
        from foreningen.supporters import services

        row = _db.session.get(Supporter, made.id)
        with pytest.raises(services.SupporterError):
            services.move(row, "active", None)
        _db.session.rollback()
    # Ending takes a reason.
    ended = submit(client, url, {"to_stage": "ended", "note": ""}, action_contains="/move")
    assert "Say briefly why" in ended.get_data(as_text=True)


def test_approval_gives_the_supporter_role_and_ending_takes_it_away(app, client, login):
    made = factories.supporter(app, "in_training")
    login("coordinator")
    submit(client, f"/supporters/{made.id}", {"to_stage": "approved"}, action_contains="/move")
    with app.app_context():
        from foreningen.accounts import queries as accounts

        assert "supporter" in accounts.user(made.user_id).role_names
    submit(client, f"/supporters/{made.id}", {"to_stage": "ended", "note": "Flyttar."},
           action_contains="/move")
    with app.app_context():
        assert "supporter" not in accounts.user(made.user_id).role_names


def test_a_whole_group_moves_together_or_not_at_all(app, client, login):
    group = [factories.supporter(app, "in_training") for _ in range(3)]
    stray = factories.supporter(app, "applied")
    login("coordinator")
    page = client.get("/supporters/?stage=in_training").get_data(as_text=True)
    assert page.count('name="selected"') == 3
    # One of them cannot be approved (still applied): nobody moves.
    refused = submit(client, "/supporters/", {
        "selected": [str(p.id) for p in [*group, stray]], "to_stage": "approved"},
        action_contains="/supporters/move", follow_redirects=True)
    assert "cannot go from" in refused.get_data(as_text=True)
    assert {supporter_row(app, id=p.id).stage for p in group} == {"in_training"}
    moved = submit(client, "/supporters/", {
        "selected": [str(p.id) for p in group], "to_stage": "approved"},
        action_contains="/supporters/move", follow_redirects=True)
    assert "3 people moved to “Approved”." in moved.get_data(as_text=True)
    assert {supporter_row(app, id=p.id).stage for p in group} == {"approved"}


def test_training_is_recorded_for_a_group_in_one_action(app, client, login):
    module = factories.training_module(app, "Grundutbildning", validity_months=24)
    group = [factories.supporter(app, "in_training") for _ in range(2)]
    login("coordinator")
    response = submit(client, "/supporters/training", {
        "requirement_id": str(module), "selected": [str(p.id) for p in group],
        "completed_on": clock.today().isoformat()})
    assert response.status_code == 302
    with app.app_context():
        rows = list(_db.session.scalars(select(Completion).where(
            Completion.requirement_id == module)))
        assert len(rows) == 2 and {r.supporter_id for r in rows} == {p.id for p in group}
    nobody = submit(client, "/supporters/training", {"requirement_id": str(module),
                                                     "selected": []})
    assert nobody.status_code == 400 and "Tick everyone who attended." in \
        nobody.get_data(as_text=True)
    future = submit(client, "/supporters/training", {
        "requirement_id": str(module), "selected": [str(group[0].id)],
        "completed_on": (clock.today() + timedelta(days=1)).isoformat()})
    assert "The date cannot be in the future." in future.get_data(as_text=True)


def test_the_record_extract_is_seen_never_stored(app, client, login):
    made = factories.supporter(app, "in_training")
    login("coordinator")
    url = f"/supporters/{made.id}"
    today = clock.today()
    too_old = submit(client, url, {"seen_on": today.isoformat(), "confirm": "y",
                                   "dated_on": (today - timedelta(days=400)).isoformat()},
                     action_contains="/record-check")
    assert "is no longer valid" in too_old.get_data(as_text=True)
    after = submit(client, url, {"seen_on": (today - timedelta(days=2)).isoformat(),
                                 "dated_on": today.isoformat(), "confirm": "y"},
                   action_contains="/record-check")
    assert "cannot be dated after the day you saw it" in after.get_data(as_text=True)
    ok = submit(client, url, {"seen_on": today.isoformat(), "confirm": "y",
                              "dated_on": (today - timedelta(days=10)).isoformat()},
                action_contains="/record-check")
    assert ok.status_code == 302
    with app.app_context():
        row = _db.session.scalar(select(Completion).where(Completion.supporter_id == made.id))
        assert row.document_dated_on == today - timedelta(days=10)
        assert row.expires_on.year == today.year + 1 or row.expires_on > today
    assert audit_events(app, "supporter.record_check", made.id)


def test_the_board_sees_names_and_stages_but_not_the_private_answers(app, client, login):
    made = factories.supporter(app, "interviewed")
    login("board")
    page = client.get(f"/supporters/{made.id}").get_data(as_text=True)
    assert made.display_name in page and "Interviewed" in page
    assert "Lived experience" not in page and "Foster family" not in page
    assert not audit_events(app, "supporter.view_private", made.id)
    assert 'action="/supporters/' not in page.split("<main")[1]  # no forms to change things
    token = csrf_token(client, f"/supporters/{made.id}")
    assert client.post(f"/supporters/{made.id}/move", data={
        "csrf_token": token, "to_stage": "in_training"}).status_code == 403


def test_the_transition_table_is_what_the_service_allows(app, db):
    from foreningen.supporters import services
    from foreningen.supporters.models import Stage

    people = {stage: factories.supporter(app, str(stage)) for stage in Stage}
    for from_stage, made in people.items():
        for to_stage in Stage:
            with app.test_request_context(method="POST"):
                row = _db.session.get(Supporter, made.id)
                assert row.stage == from_stage
                try:
                    services.move(row, to_stage, None, note="Skäl",
                                  interview_on=clock.today())
                    allowed = True
                except services.SupporterError as refused:
                    allowed = False
                    assert refused.code == "transition", (from_stage, to_stage)
                _db.session.rollback()
            assert allowed is (to_stage in services.TRANSITIONS[from_stage]), (
                from_stage, to_stage)
