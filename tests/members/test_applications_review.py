"""The board reviews applications: the list, approving one or several (all or nothing),
declining with a reason; the applicant hears by mail and an approved one gets an account."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from foreningen.accounts.models import User
from foreningen.core import outbox
from foreningen.core.extensions import db as _db
from foreningen.core.outbox import OutboxMessage
from foreningen.members.models import Member
from tests import factories
from tests.members.test_register import add_member, audit_events, main
from tests.support import csrf_token, submit

NEW_PASSWORD = "ny-medlem-fras-2026"


@pytest.fixture
def board(login):
    return login("board", locale="en")


def send_mail(app) -> int:
    with app.app_context():
        sent, failed = outbox.send_pending()
        _db.session.commit()
        assert failed == 0
        return sent


def status_of(app, member_id) -> str:
    with app.app_context():
        return _db.session.get(Member, member_id).status


def history(app, member_id) -> list[tuple]:
    with app.app_context():
        member = _db.session.get(Member, member_id)
        return [(h.from_status, h.to_status, h.actor_id, h.reason) for h in member.history]


def queued(app) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count(OutboxMessage.id)))


def application_row(page: str, name: str) -> str:
    return page.split(f">{name}</a>")[1].split("</tr>")[0]


def test_the_list_shows_pending_applications_with_what_the_board_needs(app, client, board):
    lund = factories.municipality(app, "1281", "Lund")
    add_member(app, "Karin", "Holm", status="applied", why_join="Min son är placerad.",
               municipality_id=lund)
    add_member(app, "Sven", "Stöd", status="applied", category="supporting", confirmed=False)
    add_member(app, "Anna", "Aktiv")
    add_member(app, "Nils", "Nekad", status="declined")
    page = main(client.get("/members/applications"))
    assert "2 applications are waiting." in page
    assert "Anna Aktiv" not in page and "Nils Nekad" not in page
    karin = application_row(page, "Karin Holm")
    assert "Yes, " in karin  # email confirmed, with the date
    assert "Ordinary member (votes)" in karin and "Lund" in karin
    assert "Min son är placerad." in karin
    assert ">Approve<" in karin
    sven = application_row(page, "Sven Stöd")
    assert "Not yet" in sven and "Supporting member" in sven
    assert "Not asked for this category" in sven
    assert ">Approve<" not in sven and "Waiting for confirmation" in sven


def test_approving_one_creates_a_member_account_and_the_invitation_works(app, client, board,
                                                                        inbox):
    member_id = add_member(app, "Karin", "Holm", status="applied",
                           email="karin.holm@example.org")
    answer = submit(client, "/members/applications", action_contains=f"/{member_id}/approve")
    assert answer.status_code == 302
    page = main(client.get(answer.location))
    assert "Karin Holm is now a member and gets an email." in page
    assert "No applications are waiting." in page
    assert status_of(app, member_id) == "active"
    assert history(app, member_id)[-1][:3] == ("applied", "active", board.id)
    assert audit_events(app, "member.approve", member_id)[0].actor_id == board.id
    with app.app_context():
        member = _db.session.get(Member, member_id)
        user = _db.session.get(User, member.user_id)
        assert user.email == "karin.holm@example.org"
        assert user.role_names == {"member"}
        assert user.password_hash is None
        assert member.joined_on is not None

    assert send_mail(app) == 1
    link = inbox.link("karin.holm@example.org")
    assert link.startswith("http://localhost/auth/invitation/")
    invited = app.test_client()
    invited.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    path = urlsplit(link).path
    done = submit(invited, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.location.endswith("/auth/sign-in")
    signed_in = submit(invited, "/auth/sign-in", {"email": "karin.holm@example.org",
                                                  "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    assert invited.get("/members/").status_code == 403  # a member, not the board


def test_approving_someone_who_already_has_an_account_adds_the_member_role(app, client, board,
                                                                          inbox, make_user):
    existing = make_user("supporter", email="stod@example.org")
    member_id = add_member(app, "Stina", "Stöd", status="applied", email="stod@example.org")
    submit(client, "/members/applications", action_contains=f"/{member_id}/approve")
    with app.app_context():
        user = _db.session.get(User, existing.id)
        assert user.role_names == {"supporter", "member"}
        assert _db.session.get(Member, member_id).user_id == existing.id
    send_mail(app)
    assert "approved your application" in inbox.body(inbox.to("stod@example.org")[-1])


def test_approving_several_at_once(app, client, board, inbox):
    first = add_member(app, "Karin", "Holm", status="applied", email="karin@example.org")
    second = add_member(app, "Omar", "Haddad", status="applied", email="omar@example.org")
    waiting = add_member(app, "Sven", "Väntar", status="applied", email="sven@example.org")
    answer = submit(client, "/members/applications",
                    {"member_ids": [str(first), str(second)]},
                    action_contains="/applications/approve")
    assert answer.status_code == 302
    page = main(client.get(answer.location))
    assert "Karin Holm, Omar Haddad approved." in page
    assert [status_of(app, i) for i in (first, second, waiting)] == [
        "active", "active", "applied"]
    send_mail(app)
    assert inbox.to("karin@example.org") and inbox.to("omar@example.org")
    assert not inbox.to("sven@example.org")


def test_approving_several_is_all_or_nothing(app, client, board, inbox):
    confirmed = add_member(app, "Karin", "Holm", status="applied", email="karin@example.org")
    unconfirmed = add_member(app, "Sven", "Obekräftad", status="applied", confirmed=False,
                             email="sven@example.org")
    before = queued(app)
    answer = submit(client, "/members/applications",
                    {"member_ids": [str(confirmed), str(unconfirmed)]},
                    action_contains="/applications/approve")
    page = main(client.get(answer.location))
    assert "Nothing was approved." in page
    assert "Not yet confirmed their email address: Sven Obekräftad." in page
    assert "Karin Holm" in page  # still waiting in the list
    assert [status_of(app, i) for i in (confirmed, unconfirmed)] == ["applied", "applied"]
    assert queued(app) == before
    with app.app_context():
        assert _db.session.scalar(select(func.count(User.id)).where(
            User.email == "karin@example.org")) == 0
    assert audit_events(app, "member.approve") == []


def test_an_unconfirmed_application_cannot_be_approved_even_by_a_hand_made_post(app, client,
                                                                              board):
    member_id = add_member(app, "Sven", "Obekräftad", status="applied", confirmed=False)
    token = csrf_token(client, "/members/applications")
    answer = client.post(f"/members/applications/{member_id}/approve",
                         data={"csrf_token": token})
    assert answer.status_code == 302
    page = main(client.get(answer.location))
    assert "Sven Obekräftad has not confirmed their email address yet" in page
    assert status_of(app, member_id) == "applied"


def test_approving_nothing_or_an_already_handled_application(app, client, board):
    active = add_member(app, "Anna", "Aktiv")
    add_member(app, "Karin", "Holm", status="applied")
    nothing = submit(client, "/members/applications", action_contains="/applications/approve")
    assert "Choose at least one application to approve." in main(client.get(nothing.location))
    handled = submit(client, "/members/applications", {"member_ids": [str(active)]},
                     action_contains="/applications/approve")
    page = main(client.get(handled.location))
    assert "Nothing was approved." in page and "Already handled: Anna Aktiv." in page


def test_declining_needs_a_reason_and_tells_the_applicant(app, client, board, inbox):
    member_id = add_member(app, "Karin", "Holm", status="applied", email="karin@example.org",
                           why_join="Min son är placerad.")
    form_page = main(client.get(f"/members/applications/{member_id}/decline"))
    assert "Decline the application from Karin Holm" in form_page
    assert "Min son är placerad." in form_page

    empty = submit(client, f"/members/applications/{member_id}/decline", {"reason": " "})
    assert empty.status_code == 200
    assert "This field is required." in main(empty)
    assert status_of(app, member_id) == "applied"

    reason = "Föreningen är till för föräldrar; du kan bli stödmedlem."
    answer = submit(client, f"/members/applications/{member_id}/decline", {"reason": reason})
    assert answer.status_code == 302
    page = main(client.get(answer.location))
    assert "The application from Karin Holm is declined." in page
    assert status_of(app, member_id) == "declined"
    assert history(app, member_id)[-1] == ("applied", "declined", board.id, reason)
    assert audit_events(app, "member.decline", member_id)[0].actor_id == board.id
    send_mail(app)
    body = inbox.body(inbox.to("karin@example.org")[-1])
    # The reason is not in the mail, which carries no free text about the person; it links
    # to a page that shows it.
    assert reason not in body and "could not approve it" in body
    link = inbox.link("karin@example.org")
    shown = client.get(link.replace("http://localhost", ""))
    assert shown.status_code == 200 and reason in main(shown)
    assert client.get("/join/decision/not-a-token").status_code == 410

    # A second decline (another tab) changes nothing.
    again = client.get(f"/members/applications/{member_id}/decline")
    assert again.status_code == 302
    assert "has already been handled" in main(client.get(again.location))


def test_history_shows_who_approved_and_the_member_page_points_to_the_applications(
        app, client, board):
    member_id = add_member(app, "Karin", "Holm", status="applied")
    page = main(client.get(f"/members/{member_id}"))
    assert "This is a pending application." in page
    assert 'name="to_status"' not in page
    submit(client, "/members/applications", action_contains=f"/{member_id}/approve")
    page = main(client.get(f"/members/{member_id}"))
    latest = page.split('id="history-heading"')[1].split("<tbody>")[1].split("</tr>")[0]
    assert "Applied" in latest and "Active" in latest
    assert re.search(r"Test Person \d+", latest)
