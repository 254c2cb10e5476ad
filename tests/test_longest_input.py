"""The longest text each form allows, in letters that take several bytes (Ö, Arabic), goes
into every encrypted field and comes back whole: ciphertext is much longer than the text it
holds, and PostgreSQL, unlike SQLite, refuses a value longer than its column."""

from __future__ import annotations

from sqlalchemy import select
from wtforms.validators import Length

from foreningen.core.extensions import db as _db
from foreningen.dues.models import DuesPayment
from foreningen.members.forms import ApplicationForm, DeclineForm, StatusChangeForm
from foreningen.members.models import Member, MemberStatusChange
from tests.dues import make_member, pay, set_rate
from tests.support import submit

ARABIC = "ب"  # two bytes in UTF-8, like Ö; a ciphertext of such text grows fourfold


def longest(form_class, name: str, letter: str = "Ö") -> str:
    """As long as the form's Length validator lets the field be."""
    field = getattr(form_class, name)
    maximum = next(v.max for v in field.kwargs["validators"] if isinstance(v, Length))
    return letter * maximum


def test_an_application_with_every_field_at_its_longest(app, client):
    values = {"first_name": longest(ApplicationForm, "first_name"),
              "last_name": longest(ApplicationForm, "last_name", ARABIC),
              "email": "lang.adress@example.org", "category": "ordinary",
              "street_address": longest(ApplicationForm, "street_address", ARABIC),
              "city": longest(ApplicationForm, "city"),
              "phone": "+46 (0)70-123 45 67 89 01 23 4",
              "postal_code": "123 45",
              "why_join": longest(ApplicationForm, "why_join", ARABIC),
              "privacy_notice": "y"}
    assert len(values["phone"]) == 30
    response = submit(client, "/join/", values)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with app.app_context():
        member = _db.session.scalar(select(Member).where(
            Member.email == "lang.adress@example.org"))
        for name in ("street_address", "city", "phone", "why_join", "first_name",
                     "last_name"):
            assert getattr(member, name) == values[name], name


def test_a_members_own_details_at_their_longest(app, client, login):
    user = login("member", locale="en")
    member = make_member(app, email=user.email)
    with app.app_context():
        _db.session.get(Member, member.id).user_id = user.id
        _db.session.commit()
    city = longest(ApplicationForm, "city", ARABIC)
    street = longest(ApplicationForm, "street_address")
    response = submit(client, "/membership/details", {"city": city, "street_address": street})
    assert response.status_code == 302
    with app.app_context():
        row = _db.session.get(Member, member.id)
        assert (row.city, row.street_address) == (city, street)


def test_the_boards_reasons_and_notes_at_their_longest(app, client, login):
    login("board", locale="en")
    member = make_member(app)
    reason = longest(StatusChangeForm, "reason", ARABIC)
    response = submit(client, f"/members/{member.id}", {
        "to_status": "left", "reason": reason}, action_contains="/status")
    assert response.status_code == 302
    applicant = make_member(app, status="applied")
    decline = longest(DeclineForm, "reason")
    assert submit(client, f"/members/applications/{applicant.id}/decline",
                  {"reason": decline}).status_code == 302
    set_rate(app, 25000)
    note = "Ö" * 200  # the payment form's note allows 200 characters
    pay(app, member, 25000, note=note)
    with app.app_context():
        reasons = set(_db.session.scalars(select(MemberStatusChange.reason)))
        assert {reason, decline} <= reasons
        assert _db.session.scalar(select(DuesPayment.note)) == note
