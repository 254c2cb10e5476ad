"""Every route for every role: allowed, or refused with 403 / a redirect to sign-in."""

import pytest
from sqlalchemy import select

from foreningen.core.audit import AuditEvent
from foreningen.core.extensions import db
from foreningen.core.security import Role

PUBLIC = {"static", "main.index", "main.healthz", "main.set_language", "auth.sign_in",
          "auth.second_factor", "auth.totp_setup", "auth.request_reset",
          "auth.reset_password", "auth.accept_invitation", "join.confirm", "join.apply",
          "join.confirmed", "join.submitted"}
# Who may GET the pages of each restricted area (PRIVACY.md); the rest: every signed-in user.
AREAS = {"admin.": {"admin"}, "members.": {"board"}, "dues.": {"board"}}
EXCEPTIONS = {
    "admin.audit_log": {"admin", "board"},       # the board reviews access
    "members.register": {"board", "coordinator"},  # coordinators read the register
    "members.member": {"board", "coordinator"},
}


def allowed_roles(endpoint):
    if endpoint in EXCEPTIONS:
        return EXCEPTIONS[endpoint]
    for prefix, roles in AREAS.items():
        if endpoint.startswith(prefix):
            return roles
    return None


def _get_rules(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint not in PUBLIC:
            yield rule


def _url(rule):
    values = {name: 1 for name in rule.arguments}
    return rule.build(values)[1]


def test_anonymous_is_sent_to_sign_in_everywhere(app, client):
    rules = list(_get_rules(app))
    assert rules, "no protected pages found"
    for rule in rules:
        response = client.get(_url(rule))
        assert response.status_code == 302, rule
        assert response.headers["Location"].startswith("/auth/sign-in?next="), rule


@pytest.mark.parametrize("role", [str(r) for r in Role])
def test_each_role_gets_only_its_pages(app, client, login, role):
    login(role)
    for rule in _get_rules(app):
        status = client.get(_url(rule)).status_code
        roles = allowed_roles(rule.endpoint)
        if roles is not None and role not in roles:
            assert status == 403, (role, rule, status)
        else:
            assert status in (200, 404), (role, rule, status)


def test_refusals_are_audited(app, client, login):
    user = login("member")
    assert client.get("/admin/users").status_code == 403
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "access.refused"))
    assert event.actor_id == user.id
    assert event.detail == "admin.users"


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
