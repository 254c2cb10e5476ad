"""Roles and their labels, @requires, can() for views and templates, response headers."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.routing import IntegerConverter, ValidationError

from foreningen.core.db import LabelledEnum
from foreningen.core.policy import authorize, can

__all__ = ["ALL_ROLES", "MUNICIPAL_ROLES", "STAFF_ROLES", "Role", "authorize", "can",
           "has_role", "is_safe_next", "refuse_unless", "requires", "set_security_headers"]


class Role(LabelledEnum):
    MEMBER = "member", _l("Member")
    PARENT = "parent", _l("Parent")
    SUPPORTER = "supporter", _l("Support person")
    COORDINATOR = "coordinator", _l("Coordinator")
    BOARD = "board", _l("Board")
    REVIEWER = "reviewer", _l("Social services reviewer")
    SOCIAL_WORKER = "social_worker", _l("Social worker")
    ADMIN = "admin", _l("Administrator")


ALL_ROLES = tuple(Role)
# Roles that see many people's data: second factor and a short idle timeout.
STAFF_ROLES = frozenset({Role.COORDINATOR, Role.BOARD, Role.REVIEWER, Role.ADMIN})
# Roles whose every read is scoped to one kommun.
MUNICIPAL_ROLES = frozenset({Role.REVIEWER, Role.SOCIAL_WORKER})


def has_role(user, *roles: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(
        user.role_names & {str(r) for r in roles}
    )


def refuse_unless(*roles: str):
    """None when the signed-in user holds one of the roles (any role when none are named);
    otherwise the sign-in redirect for a visitor, or 403. A blueprint's before_request
    returns it as it is."""
    if not current_user.is_authenticated:
        from foreningen.core.extensions import login_manager

        return login_manager.unauthorized()
    if roles and not has_role(current_user, *roles):
        abort(403)
    return None


def requires(*roles: str):
    """Allow the view only to signed-in users holding one of the roles (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            refusal = refuse_unless(*roles)
            if refusal is not None:
                return refusal
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in a route: an id the database's integer columns can hold, or no match
    (404). A larger number would make PostgreSQL refuse the query (a 500)."""

    MAX_ID = 2**31 - 1

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > self.MAX_ID:
            raise ValidationError()
        return number


def is_safe_next(target: str | None) -> bool:
    """Only same-site paths: no scheme, no host, no backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def set_security_headers(response, production: bool):
    """Headers on every response. Written here rather than with Flask-Talisman because
    HTTPS redirects belong to the reverse proxy and these few lines are all we need."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if production:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    # Pages may show personal data: no HTML or JSON is ever kept in a cache.
    if not request.path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"
    return response
