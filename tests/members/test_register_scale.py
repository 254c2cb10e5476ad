"""The register's cost does not grow with the register (issue: flat cost at national scale).

- The counts come from a tally the database keeps by triggers, right after any kind of
  write: the ORM, a bulk UPDATE, a DELETE, a bulk load; folding it changes nothing.
- Every key page needs the same number of SQL statements for 25 members as for 250.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, event, func, select, update

from foreningen import demo
from foreningen.accounts.models import User
from foreningen.core.extensions import db as _db
from foreningen.members import queries, services
from foreningen.members.models import Member, MemberTally
from tests import factories
from tests.support import submit


def _truth(app) -> dict:
    with app.app_context():
        rows = _db.session.execute(select(Member.category, Member.status, func.count())
                                   .group_by(Member.category, Member.status))
        return {(c, s): n for c, s, n in rows}


def _tally(app) -> dict:
    with app.app_context():
        board = _db.session.scalar(select(User).where(User.email == "tally.board@example.org"))
        if board is None:
            factories.user(app, ["board"], email="tally.board@example.org")
            board = _db.session.scalar(select(User).where(
                User.email == "tally.board@example.org"))
        return queries.counts(board)


def test_the_tally_follows_every_kind_of_write(app, db):
    factories.member(app, "active")
    factories.member(app, "lapsed", category="supporting")
    applicant = factories.application(app, confirmed=True)
    assert _tally(app) == _truth(app)
    with app.app_context():
        demo.add_members(40)  # bulk INSERT
        _db.session.commit()
    assert _tally(app) == _truth(app)
    with app.app_context():
        member = _db.session.get(Member, applicant.id)
        services.change_status(member, "declined", "Inte aktuell", None)  # the ORM
        _db.session.execute(update(Member).where(Member.status == "lapsed")
                            .values(status="left"))  # a bulk UPDATE
        _db.session.execute(update(Member).where(Member.status == "active")
                            .values(first_name="Samma"))  # no change of category or status
        _db.session.flush()
        _db.session.expunge_all()
        _db.session.execute(delete(Member).where(Member.id == applicant.id))  # a DELETE
        _db.session.commit()
    assert _tally(app) == _truth(app)
    with app.app_context():
        rows_before = _db.session.scalar(select(func.count(MemberTally.id)))
        services.compact_tally()
        _db.session.commit()
        rows_after = _db.session.scalar(select(func.count(MemberTally.id)))
    assert rows_after <= len(_truth(app)) < rows_before
    assert _tally(app) == _truth(app)


def test_flask_purge_folds_the_tally(app, runner):
    factories.member(app, "active")
    factories.member(app, "active")
    assert runner.invoke(args=["purge"]).exit_code == 0
    with app.app_context():
        assert _db.session.scalar(select(func.count(MemberTally.id))) <= len(_truth(app))
    assert _tally(app) == _truth(app)


def _statements(app, client, url: str) -> int:
    seen = []

    def count(*_args, **_kwargs):
        seen.append(1)

    with app.app_context():
        engine = _db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        answer = client.get(url)
        assert answer.status_code == 200, (url, answer.status_code)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


BOARD_PAGES = [
    "/members/", "/members/?page=2", "/members/?q=a", "/members/?category=supporting",
    "/members/?status=lapsed&sort=joined&direction=desc", "/members/?paid=paid",
    "/members/?paid=unpaid&sort=number", "/members/?status=all&sort=status",
    "/members/{member}", "/members/applications", "/dues/", "/dues/imports",
    "/dues/reminders",
]
ADMIN_PAGES = ["/admin/users", "/admin/users?q=a", "/admin/audit",
               "/admin/audit?action=member."]


@pytest.mark.slow
def test_every_key_page_needs_the_same_statements_for_25_or_250_members(app, client, login,
                                                                          make_user):
    login("board", "member", locale="en")
    admin = app.test_client()
    admin.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    admin_user = make_user("admin")
    assert submit(admin, "/auth/sign-in", {"email": admin_user.email,
                                           "password": admin_user.password}).status_code == 302

    def measure() -> dict[str, int]:
        with app.app_context():
            member = _db.session.scalar(select(Member.id).where(Member.status == "active")
                                        .order_by(Member.id.desc()).limit(1))
        figures = {url: _statements(app, client, url.format(member=member))
                   for url in BOARD_PAGES}
        figures.update({url: _statements(app, admin, url) for url in ADMIN_PAGES})
        return figures

    with app.app_context():
        demo.add_members(25)
        _db.session.commit()
    few = measure()
    with app.app_context():
        demo.add_members(225)
        _db.session.commit()
    many = measure()
    assert many == few


def test_the_kept_count_of_unpaid_members_follows_payments_and_statuses(app, client, login,
                                                                         monkeypatch):
    from tests.members.test_register import YEAR, add_member, set_rates

    monkeypatch.setitem(app.config, "FIGURES_CACHE", True)
    queries.paid_counts.clear()
    login("board", "member", locale="en")
    set_rates(app)
    first = add_member(app, "Ett", "Först")
    add_member(app, "Två", "Andra")

    def unpaid() -> str:
        page = client.get(f"/members/?paid=unpaid&year={YEAR}").get_data(as_text=True)
        return re.search(r'<p role="status">(.*?)</p>', page).group(1)

    assert unpaid() == unpaid() == "2 members match the filter."
    assert len(queries.paid_counts) == 1
    factories.payment(app, SimpleNamespace(id=first), 20000, year=YEAR)
    assert unpaid() == "1 member matches the filter."
    with app.app_context():
        services.change_status(_db.session.scalars(select(Member).where(
            Member.last_name == "Andra")).one(), "left", "Flyttat", None)
        _db.session.commit()
    assert unpaid() == "0 members match the filter."
    queries.paid_counts.clear()


def test_the_search_index_follows_new_changed_and_removed_members(app, client, login):
    """The search by a part of a name goes through a trigram index (FTS5 on SQLite, pg_trgm
    on PostgreSQL) that triggers keep: what it finds is what the words say, also after a
    change of name and a removal, and a quote in the words is only text."""
    from tests.members.test_register import add_member, listed

    login("board", "member", locale="en")
    holm = add_member(app, "Karin", "Holmström")
    add_member(app, "Åsa", "Öberg")
    add_member(app, "Anders", "Holm", category="supporting")
    assert sorted(listed(client.get("/members/?q=holm"))) == ["Holm, Anders",
                                                              "Holmström, Karin"]
    assert listed(client.get("/members/?q=ÖBERG åsa")) == ["Öberg, Åsa"]
    assert listed(client.get("/members/?q=rin holmst")) == ["Holmström, Karin"]
    with app.app_context():
        _db.session.execute(update(Member).where(Member.id == holm).values(
            last_name="Lind", search_key="karin lind karin@example.org"))
        _db.session.commit()
    assert listed(client.get("/members/?q=holm")) == ["Holm, Anders"]
    assert listed(client.get("/members/?q=lind")) == ["Lind, Karin"]
    with app.app_context():
        _db.session.execute(delete(Member).where(Member.id == holm))
        _db.session.commit()
    assert listed(client.get("/members/?q=lind")) == []
    assert client.get('/members/?q="hol"m" OR "x').status_code == 200
