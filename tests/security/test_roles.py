"""What the roles see beyond allowed or refused: refusals are audited, the start page follows
the roles. Which role may request which route is in the matrix (test_access_matrix.py)."""

from sqlalchemy import select

from foreningen.core.audit import AuditEvent
from foreningen.core.extensions import db


def refusals(app) -> list[tuple[int, str]]:
    with app.app_context():
        return [(event.actor_id, event.detail) for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "access.refused")
            .order_by(AuditEvent.id))]


def test_refusals_are_audited(app, client, login):
    user = login("member")
    assert client.get("/admin/users").status_code == 403
    assert refusals(app) == [(user.id, "admin.users")]


def test_a_refusal_by_the_view_is_audited_with_its_endpoint(app, client, login):
    # The coordinator passes the register's gate; the export itself is the board's.
    user = login("coordinator")
    assert client.get("/members/").status_code == 200
    assert client.get("/members/export.csv").status_code == 403
    assert refusals(app) == [(user.id, "members.export")]


def test_start_page_is_role_aware(client, login):
    login("admin")
    html = client.get("/").get_data(as_text=True)
    assert "/admin/users" in html
    assert 'id="role-admin"' in html


def test_start_page_of_a_reviewer_shows_no_admin_links(client, login):
    login("reviewer")
    html = client.get("/").get_data(as_text=True)
    assert "/admin/" not in html
    assert 'id="role-reviewer"' in html
    assert "Stockholm" in html
