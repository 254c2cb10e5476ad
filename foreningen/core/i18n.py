"""Locale: the user's setting, then the session's choice, then Accept-Language, then Swedish."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import before_render_template, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from jinja2.ext import _make_new_gettext, _make_new_ngettext  # Jinja's own newstyle wrappers

LANGUAGES = {"sv": "Svenska", "en": "English", "ar": "العربية"}
RIGHT_TO_LEFT = frozenset({"ar"})
DEFAULT_LOCALE = "sv"


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT_LOCALE
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT_LOCALE)


def text_direction() -> str:
    return "rtl" if str(get_locale()) in RIGHT_TO_LEFT else "ltr"


def money(ore: int | None) -> str:
    """Integer öre as kronor in the current locale: 1 234,50 kr."""
    if ore is None:
        return ""
    return _money(str(get_locale()), ore)


def number(value) -> str:
    if isinstance(value, int):
        return _number(str(get_locale()), value)
    return format_decimal(value)


def date(value, fmt: str = "medium") -> str:
    if not value:
        return ""
    if type(value) is dt.date:  # a datetime needs the time zone: not cached
        return _date(str(get_locale()), value, fmt)
    return format_date(value, fmt)


# Babel parses the locale's pattern on every call: a page of 50 rows spent a third of its
# time formatting the same few amounts and dates. The same value in the same locale always
# reads the same, so each is formatted once per process.
@lru_cache(maxsize=8192)
def _money(locale: str, ore: int) -> str:
    return babel_numbers.format_currency(Decimal(ore) / 100, "SEK", locale=locale)


@lru_cache(maxsize=8192)
def _number(locale: str, value: int) -> str:
    return babel_numbers.format_decimal(value, locale=locale)


@lru_cache(maxsize=8192)
def _date(locale: str, value: dt.date, fmt: str) -> str:
    return babel_dates.format_date(value, fmt, locale=locale)


def _bind_translations(_app, template, context, **_extra) -> None:
    """Resolve the translations once per rendered template instead of once per string:
    Flask-Babel's callables look up the context, the domain and the locale on every call
    (a register page made 635 of them). Bound at render time, so force_locale (a mail in
    its recipient's language) still holds. Imported macros keep the global callables."""
    translations = get_translations()
    context["_locale"] = str(get_locale())
    context["gettext"] = _make_new_gettext(translations.ugettext)
    context["ngettext"] = _make_new_ngettext(translations.ungettext)


# The template filters read the locale bound at render time (a page of 50 rows asked
# Flask-Babel for it 350 times); a macro imported without context asks Flask-Babel.
def _bound_locale(context) -> str:
    return context.get("_locale") or str(get_locale())


@pass_context
def _money_filter(context, ore: int | None) -> str:
    return "" if ore is None else _money(_bound_locale(context), ore)


@pass_context
def _number_filter(context, value) -> str:
    if isinstance(value, int):
        return _number(_bound_locale(context), value)
    return format_decimal(value)


@pass_context
def _date_filter(context, value, fmt: str = "medium") -> str:
    if not value:
        return ""
    if type(value) is dt.date:
        return _date(_bound_locale(context), value, fmt)
    return format_date(value, fmt)


def init_app(app) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    before_render_template.connect(_bind_translations, app)
    app.jinja_env.filters.update(
        date=_date_filter,
        datetime=lambda value, fmt="medium": format_datetime(value, fmt) if value else "",
        money=_money_filter,
        number=_number_filter,
    )
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES, text_direction=text_direction, get_locale=get_locale
    )
