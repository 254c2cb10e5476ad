"""Two board members approving one application at the same moment, and one address applying
twice at once: real threads on PostgreSQL, 50 rounds each. One approval, one account, one
mail; one application (the two deferred jobs run at once, after each answer), and the
other is told by mail that the address is known; never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from foreningen.core.audit import AuditEvent
from foreningen.core.extensions import db
from foreningen.core.jobs import Job
from foreningen.core.outbox import OutboxMessage
from foreningen.members.models import Member, MemberStatusChange
from tests import factories, support
from tests.support import at_once, csrf_token, postgres_url, signed_in

pytestmark = pytest.mark.skipif(not postgres_url(), reason="concurrency is proven on PostgreSQL")
ROUNDS = 50


@pytest.fixture(scope="module")
def racing_app(tmp_path_factory, smtp):
    with support.racing_app(tmp_path_factory.mktemp("race"), "mrace", smtp[1]) as app:
        yield app


def scalar(app, stmt):
    with app.app_context():
        value = db.session.scalar(stmt)
        db.session.remove()
        return value


def scalar_rows(app, stmt):
    with app.app_context():
        rows = list(db.session.execute(stmt))
        db.session.remove()
        return rows


def test_one_application_approved_twice_at_once(racing_app):
    one, two = (signed_in(racing_app, factories.user(racing_app, ["board"])) for _ in range(2))
    for round_ in range(ROUNDS):
        applicant = factories.application(racing_app, confirmed=True,
                                          email=f"samtidig{round_}@example.org")
        url = f"/members/applications/{applicant.id}/approve"
        tokens = [csrf_token(c, "/members/applications") for c in (one, two)]
        answers = at_once(*(lambda c=c, t=t, url=url: c.post(url, data={"csrf_token": t})
                            for c, t in zip((one, two), tokens, strict=True)))
        assert [a.status_code for a in answers] == [302, 302], round_
        changes = scalar(racing_app, select(func.count(MemberStatusChange.id)).where(
            MemberStatusChange.member_id == applicant.id))
        approvals = scalar(racing_app, select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "member.approve", AuditEvent.subject_id == applicant.id))
        assert (changes, approvals) == (2, 1), round_  # applied, then active, once
    invitations = scalar(racing_app, select(func.count(OutboxMessage.id)).where(
        OutboxMessage.template == "member_invitation"))
    assert invitations == ROUNDS


def test_one_address_applying_twice_at_once(racing_app):
    for round_ in range(ROUNDS):
        email = f"dubbel{round_}@example.org"
        clients = [racing_app.test_client() for _ in range(2)]
        for n, client in enumerate(clients):
            client.environ_base["REMOTE_ADDR"] = f"198.51.100.{round_ % 100 + n * 100 + 1}"[:15]
        tokens = [csrf_token(c, "/join/") for c in clients]
        data = {"first_name": "Dubbel", "last_name": "Klick", "email": email,
                "category": "supporting", "privacy_notice": "y"}
        answers = at_once(*(lambda c=c, t=t, data=data: c.post("/join/",
                                                               data={**data, "csrf_token": t})
                            for c, t in zip(clients, tokens, strict=True)))
        assert [a.status_code for a in answers] == [302, 302], round_
        assert all(a.location.endswith("/join/submitted") for a in answers), round_
        # The two jobs were carried out at the same moment, one after each answer.
        assert scalar(racing_app, select(func.count(Member.id)).where(
            Member.email == email)) == 1, round_
        assert scalar(racing_app, select(func.count(Job.id))) == 0, round_
    mails = dict(scalar_rows(racing_app, select(OutboxMessage.template, func.count()).where(
        OutboxMessage.template.in_(["application_confirm", "already_member"]))
        .group_by(OutboxMessage.template)))
    assert mails == {"application_confirm": ROUNDS, "already_member": ROUNDS}
