"""Administration of kommuner: add, edit, the four-digit code, and which ones are offered."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from foreningen.core.audit import AuditEvent
from foreningen.municipalities.models import Municipality
from tests import factories
from tests.support import forms_in, submit


@pytest.fixture
def admin(login):
    return login("admin", locale="en")


def municipalities(app, db) -> list[tuple[str, str, bool]]:
    with app.app_context():
        return [(m.code, m.name, m.active) for m in db.session.scalars(
            select(Municipality).order_by(Municipality.code))]


def audit_for(app, db, municipality_id) -> list[tuple[str, int | None]]:
    with app.app_context():
        return [(e.action, e.actor_id) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.subject_type == "municipality",
                                     AuditEvent.subject_id == municipality_id)
            .order_by(AuditEvent.id))]


def form_fields(response) -> dict:
    return next(f for f in forms_in(response.get_data(as_text=True))
                if "/admin/municipalities" in f["action"])["fields"]


def test_admin_adds_a_municipality(app, db, client, admin):
    empty = client.get("/admin/municipalities").get_data(as_text=True)
    assert "No municipalities yet." in empty

    response = submit(client, "/admin/municipalities/new", {"code": "1480", "name": "Göteborg"})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "The municipality is saved." in page
    assert re.search(r"<td[^>]*>1480</td>\s*<td[^>]*><a [^>]*>Göteborg</a></td>\s*"
                     r"<td[^>]*>Active</td>", page)

    assert municipalities(app, db) == [("1480", "Göteborg", True)]
    with app.app_context():
        created = db.session.scalar(select(Municipality.id))
    assert audit_for(app, db, created) == [("municipality.create", admin.id)]


def test_admin_edits_a_municipality(app, db, client, admin):
    municipality_id = factories.municipality(app, "0180", "Stockholm")
    url = f"/admin/municipalities/{municipality_id}"
    shown = form_fields(client.get(url))
    assert shown["code"] == ["0180"] and shown["name"] == ["Stockholm"]
    assert shown["active"] == ["y"]

    response = submit(client, url, {"name": "Stockholms stad", "active": []})
    assert response.status_code == 302
    page = client.get("/admin/municipalities").get_data(as_text=True)
    assert "Stockholms stad" in page and re.search(r"<td[^>]*>Inactive</td>", page)
    assert municipalities(app, db) == [("0180", "Stockholms stad", False)]
    assert ("municipality.update", admin.id) in audit_for(app, db, municipality_id)


@pytest.mark.parametrize("code", ["018", "01800", "abcd", "01 8", "٠١٨٠"])
def test_code_must_be_four_digits_and_input_is_kept(app, db, client, admin, code):
    response = submit(client, "/admin/municipalities/new", {"code": code, "name": "Lund"})
    assert response.status_code == 200
    assert "The code has four digits, e.g. 0180." in response.get_data(as_text=True)
    kept = form_fields(response)
    assert kept["code"] == [code] and kept["name"] == ["Lund"]
    assert municipalities(app, db) == []


def test_code_and_name_are_required(app, db, client, admin):
    response = submit(client, "/admin/municipalities/new", {"code": "", "name": "  "})
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("This field is required.") >= 2
    assert municipalities(app, db) == []


def test_a_taken_code_is_refused_when_adding(app, db, client, admin):
    factories.municipality(app, "0180", "Stockholm")
    events = _count_events(app, db)

    response = submit(client, "/admin/municipalities/new", {"code": "0180", "name": "Solna"})
    assert response.status_code == 200
    assert "Another municipality already has this code." in response.get_data(as_text=True)
    kept = form_fields(response)
    assert kept["code"] == ["0180"] and kept["name"] == ["Solna"]
    assert municipalities(app, db) == [("0180", "Stockholm", True)]
    assert _count_events(app, db) == events


def test_a_taken_code_is_refused_when_editing(app, db, client, admin):
    factories.municipality(app, "0180", "Stockholm")
    solna = factories.municipality(app, "0184", "Solna")

    response = submit(client, f"/admin/municipalities/{solna}", {"code": "0180"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Another municipality already has this code." in text
    assert "<h1>Solna</h1>" in text
    assert form_fields(response)["code"] == ["0180"]
    assert municipalities(app, db) == [("0180", "Stockholm", True), ("0184", "Solna", True)]
    assert "municipality.update" not in [a for a, _ in audit_for(app, db, solna)]


def test_keeping_its_own_code_is_fine(app, db, client, admin):
    solna = factories.municipality(app, "0184", "Solna")
    response = submit(client, f"/admin/municipalities/{solna}", {"name": "Solna stad"})
    assert response.status_code == 302
    assert municipalities(app, db) == [("0184", "Solna stad", True)]


def test_inactive_municipality_is_not_offered_to_new_accounts(app, db, client, admin,
                                                              make_user):
    factories.municipality(app, "0180", "Stockholm")
    reviewer = make_user("reviewer", municipality_code="0180")
    lund = factories.municipality(app, "1281", "Lund")
    submit(client, f"/admin/municipalities/{reviewer.municipality_id}",
           {"active": []})

    invite_page = client.get("/admin/users/invite").get_data(as_text=True)
    assert "Lund (1281)" in invite_page
    assert "Stockholm (0180)" not in invite_page

    # The reviewer who already belongs to it keeps it, and their roles can still be saved.
    url = f"/admin/users/{reviewer.id}"
    page = client.get(url).get_data(as_text=True)
    assert re.search(rf'<option selected value="{reviewer.municipality_id}">Stockholm',
                     page)
    saved = submit(client, url, {"roles": ["reviewer", "member"],
                                 "municipality_id": str(reviewer.municipality_id)},
                   action_contains=url)
    assert saved.status_code == 302
    assert "Lund (1281)" in page and lund


def test_unknown_municipality_is_404(client, admin):
    assert client.get("/admin/municipalities/999999").status_code == 404


def _count_events(app, db) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)))


def test_a_post_without_the_fields_changes_nothing(app, client, login):
    """A form posted without its fields is refused; nothing is taken from the database to
    fill them (a missing checkbox would switch the kommun off)."""
    from foreningen.core.extensions import db as _db
    from foreningen.municipalities.models import Municipality
    from tests import factories
    from tests.support import csrf_token

    login("admin")
    municipality_id = factories.municipality(app, "1480", "Göteborg")
    response = client.post(f"/admin/municipalities/{municipality_id}",
                           data={"csrf_token": csrf_token(client, "/admin/municipalities")})
    assert response.status_code == 200
    assert "This field is required." in response.get_data(as_text=True)
    with app.app_context():
        assert _db.session.get(Municipality, municipality_id).active is True
