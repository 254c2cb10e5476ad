"""Every message id in the code and templates has a Swedish, English and Arabic translation
with the same placeholders."""

import os
import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from foreningen.core import audit, outbox
from foreningen.core.extensions import db as _db
from tests import factories
from tests.support import csrf_token, submit

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    previous = os.getcwd()
    os.chdir(ROOT)  # babel.cfg's patterns are relative to the project
    try:
        CommandLineInterface().run(
            ["pybabel", "-q", "extract", "-F", str(ROOT / "translations" / "babel.cfg"),
             "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "--no-location",
             # Babel skips folders starting with "_" unless told otherwise: the macros
             # in templates/_macros/ hold user-visible text too.
             "--ignore-dirs", ".*", "."])
    finally:
        os.chdir(previous)
    with pot.open("rb") as f:
        return [m for m in read_po(f) if m.id]


def _catalog(locale):
    with (ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f)


@pytest.mark.parametrize("locale", ["sv", "en", "ar"])
def test_catalog_is_complete(extracted, locale):
    catalog = _catalog(locale)
    missing, fuzzy = [], []
    for message in extracted:
        translated = catalog.get(message.id)
        strings = translated.string if translated else None
        strings = list(strings) if isinstance(strings, tuple | list) else [strings]
        if translated is None or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
        elif translated.fuzzy:
            fuzzy.append(message.id)
    assert not missing, f"{locale}: {len(missing)} untranslated, e.g. {missing[:5]}"
    assert not fuzzy, f"{locale}: fuzzy {fuzzy[:5]}"


@pytest.mark.parametrize("locale", ["sv", "en", "ar"])
def test_placeholders_survive_translation(locale):
    broken = []
    for message in _catalog(locale):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        for string in strings:
            found = set(PLACEHOLDER.findall(string))
            # A plural form may leave the number out ("one message"), never add a name.
            if not found <= wanted or not (wanted - {"num"}) <= found:
                broken.append((ids[0], string))
    assert not broken, broken[:5]


def test_swedish_is_the_default(app, db):
    html = app.test_client().get("/auth/sign-in").get_data(as_text=True)
    assert '<html lang="sv" dir="ltr">' in html
    assert "Logga in" in html


def test_accept_language_is_honoured(client):
    html = client.get("/auth/sign-in", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en"' in html.get_data(as_text=True)


def test_arabic_is_right_to_left(client):
    html = client.get("/auth/sign-in", headers={"Accept-Language": "ar"})
    assert '<html lang="ar" dir="rtl">' in html.get_data(as_text=True)


def test_user_setting_wins_over_the_browser(client, login):
    login("member", locale="en")
    html = client.get("/account/", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert '<html lang="en"' in html


def test_money_and_dates_in_swedish_format(app):
    from datetime import date

    from foreningen.core.i18n import money

    with app.test_request_context(headers={"Accept-Language": "sv"}):
        assert money(123450).replace("\xa0", " ") == "1 234,50 kr"
        template = app.jinja_env.from_string("{{ d|date }}")
        assert template.render(d=date(2026, 11, 23)) == "23 nov. 2026"


def test_filters_read_the_locale_bound_when_the_template_is_rendered(app):
    """The filters take the locale bound at render time (once per page): a template
    rendered under force_locale, as a mail is, formats in that locale."""
    from datetime import date

    from flask import render_template_string
    from flask_babel import force_locale

    source = "{{ d|date }} · {{ m|money }} · {{ n|number }}"
    values = {"d": date(2026, 11, 23), "m": 123450, "n": 12345}
    with app.test_request_context(headers={"Accept-Language": "sv"}):
        swedish = render_template_string(source, **values).replace("\xa0", " ")
        with force_locale("en"):
            english = render_template_string(source, **values)
    assert swedish == "23 nov. 2026 · 1 234,50 kr · 12 345"
    assert english == "Nov 23, 2026 · SEK1,234.50 · 12,345"


def test_enum_names_are_translated_once_in_the_request_locale(app):
    from foreningen.members.models import MemberStatus

    with app.test_request_context(headers={"Accept-Language": "sv"}):
        names = MemberStatus.names()
        assert all(type(name) is str for name in names.values())
        assert names[MemberStatus.ACTIVE] == str(MemberStatus.ACTIVE.label) != "Active"


def test_mail_subjects_are_in_the_recipients_language(app, db, client, make_user, inbox, runner):
    swedish = make_user("member", locale="sv")
    arabic = make_user("member", locale="ar")
    for user in (swedish, arabic):
        client.post("/auth/reset", data={"email": user.email,
                                         "csrf_token": csrf_token(client, "/auth/reset")})
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    assert inbox.to(swedish.email)[-1]["Subject"] == "Återställ ditt lösenord"
    assert inbox.to(arabic.email)[-1]["Subject"] == "إعادة تعيين كلمة المرور"


def test_a_mail_subject_outside_the_catalog_is_refused(app):
    with app.test_request_context(method="POST"), pytest.raises(TypeError):
        outbox.queue("someone@example.org", "invitation", "A subject nobody translates")


def test_the_pager_of_a_macro_speaks_swedish(app, db):
    client = app.test_client()
    admin = factories.user(app, ["admin"], locale="sv")
    submit(client, "/auth/sign-in", {"email": admin.email, "password": admin.password})
    with app.app_context():
        for n in range(60):
            audit.record("test.filler", ("member", n), actor=None)
        _db.session.commit()
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "Sida 1 av 2" in html and "Nästa" in html
