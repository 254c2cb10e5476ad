"""Locale: the user's setting, then the session's choice, then Accept-Language, then Swedish."""

from __future__ import annotations

from decimal import Decimal

from flask import has_request_context, request, session
from flask_babel import format_currency, format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

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
    return format_currency(Decimal(ore) / 100, "SEK")


def number(value) -> str:
    return format_decimal(value)


def init_app(app) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(
        date=lambda value, fmt="medium": format_date(value, fmt) if value else "",
        datetime=lambda value, fmt="medium": format_datetime(value, fmt) if value else "",
        money=money,
        number=number,
    )
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES, text_direction=text_direction, get_locale=get_locale
    )
