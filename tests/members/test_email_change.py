"""A member's new email address: their password, a link to the new address, word to the old
one. A stolen session alone cannot move the account to another inbox."""

from __future__ import annotations

from foreningen.accounts.models import User
from foreningen.core.extensions import db
from foreningen.members.models import Member
from tests import factories
from tests.members.test_membership_page import _get, _member_signed_in
from tests.support import submit


def test_a_new_address_needs_the_password(app, client, login, make_user):
    me = _member_signed_in(app, login, make_user)
    answer = submit(client, "/membership/details", {"email": "ny@example.org",
                                                   "current_password": "wrong-password"})
    assert answer.status_code == 200
    assert "The password is not right." in answer.get_data(as_text=True)
    assert 'value="ny@example.org"' in answer.get_data(as_text=True)  # kept as typed
    assert _get(app, me.id).email == me.email and _get(app, me.id).pending_email is None


def test_the_address_changes_only_from_the_link_and_the_old_one_is_told(
        app, client, login, make_user, inbox, runner):
    me = _member_signed_in(app, login, make_user)
    old = me.email
    answer = submit(client, "/membership/details", {"email": "Ny.Adress@example.org",
                                                   "current_password": factories.PASSWORD})
    assert answer.status_code == 302
    assert _get(app, me.id).email == old  # not yet
    runner.invoke(args=["outbox", "send"])
    assert "asked to change its email address" in inbox.body(inbox.to(old)[-1])
    link = inbox.link("ny.adress@example.org").replace("http://localhost", "")
    page = client.get(link)
    assert page.status_code == 200 and _get(app, me.id).email == old  # a GET changes nothing
    done = submit(client, link)
    assert done.status_code == 302
    member = _get(app, me.id)
    assert member.email == "ny.adress@example.org" and member.pending_email is None
    with app.app_context():
        account = db.session.get(User, db.session.get(Member, me.id).user_id)
        assert account.email == "ny.adress@example.org"  # the sign-in address follows
    runner.invoke(args=["outbox", "send"])
    assert "is now another one" in inbox.body(inbox.to(old)[-1])
    assert client.get(link).status_code == 410  # used


def test_a_link_older_than_a_day_does_not_work(app, client, login, make_user, inbox, runner):
    from datetime import timedelta

    from sqlalchemy import update

    from foreningen.core.db import utcnow

    me = _member_signed_in(app, login, make_user)
    submit(client, "/membership/details", {"email": "sen@example.org",
                                           "current_password": factories.PASSWORD})
    runner.invoke(args=["outbox", "send"])
    link = inbox.link("sen@example.org").replace("http://localhost", "")
    with app.app_context():
        db.session.execute(update(Member).where(Member.id == me.id).values(
            email_change_requested_at=utcnow() - timedelta(hours=25)))
        db.session.commit()
    assert client.get(link).status_code == 410
