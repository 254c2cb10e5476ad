"""Friendly, translated error pages; details only in the server log, with the request id."""

from __future__ import annotations

import logging

from flask import g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger("foreningen.errors")

GENERIC_MESSAGE = _l("Something was not right. Please try again.")


class DomainError(ValueError):
    """A rule of the domain refused a change. `code` names the rule (for code and tests);
    `message` is what the user reads, translated when it is shown. Each feature subclasses
    this with its own `messages`: {code: lazy_gettext(...) with %(placeholders)s}."""

    messages: dict = {}

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        template = self.messages.get(self.code, GENERIC_MESSAGE)
        return str(template % self.params) if self.params else str(template)

PAGES = {400: "errors/400.html", 403: "errors/403.html", 404: "errors/404.html",
         405: "errors/404.html", 410: "errors/404.html", 413: "errors/413.html",
         429: "errors/429.html",
         500: "errors/500.html"}


def _wants_json() -> bool:
    return request.path.startswith("/healthz") or (
        request.accept_mimetypes.best == "application/json")


def _render(status: int):
    if _wants_json():
        return jsonify(status="error", code=status, reference=g.get("request_id")), status
    return render_template(PAGES.get(status, "errors/500.html"), status=status), status


def init_app(app) -> None:
    from foreningen.core.extensions import db

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        log.info("CSRF refusal on %s", request.endpoint)
        return render_template("errors/400.html", status=400, csrf=True), 400

    @app.errorhandler(403)
    def forbidden(error):
        from foreningen.core import audit

        db.session.rollback()
        audit.record("access.refused", detail=request.endpoint or request.path[:120])
        db.session.commit()
        return _render(403)

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code >= 500:
            return internal_error(error)
        return _render(error.code)

    @app.errorhandler(Exception)
    def internal_error(error):
        db.session.rollback()
        log.error("unhandled error (reference %s) on %s %s", g.get("request_id"),
                  request.method, request.endpoint, exc_info=error)
        return _render(500)
