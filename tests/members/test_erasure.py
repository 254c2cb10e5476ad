"""A member's erasure request reaches the board, which carries it out."""

from sqlalchemy import select

from foreningen.core.audit import AuditEvent
from foreningen.members.models import Member
from tests import factories
from tests.support import submit


def _member_who_asked(app) -> int:
    return factories.member(app, first_name="Eva", last_name="Raderas",
                            email="eva.raderas@example.org", category="supporting", locale="sv",
                            phone="070-174 06 02", erasure_requested=True).id


def test_board_sees_the_request_and_erases(app, db, client, login):
    member_id = _member_who_asked(app)
    login("board", locale="en")
    register = client.get("/members/").get_data(as_text=True)
    assert "1 request to erase data" in register
    assert "Eva Raderas" in register

    response = submit(client, f"/members/{member_id}", action_contains="/erase",
                      follow_redirects=True)
    assert "personal data is erased" in response.get_data(as_text=True)
    with app.app_context():
        member = db.session.get(Member, member_id)
        assert member.anonymised_at is not None
        assert member.status == "left"
        assert "Eva" not in member.name and member.phone is None
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.subject_type == "member", AuditEvent.subject_id == member_id)).all()
        assert "member.erase" in actions
    assert "request to erase data" not in client.get("/members/").get_data(as_text=True)


def test_coordinator_sees_the_request_but_cannot_erase(app, db, client, login):
    member_id = _member_who_asked(app)
    login("coordinator", locale="en")
    page = client.get(f"/members/{member_id}").get_data(as_text=True)
    assert "asked on" in page
    assert "data now</button>" not in page
    from tests.support import csrf_token

    response = client.post(f"/members/{member_id}/erase",
                           data={"csrf_token": csrf_token(client, "/account/")})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Member, member_id).anonymised_at is None
