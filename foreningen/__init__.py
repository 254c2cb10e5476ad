"""Föreningen: the portal of a peer-support association for parents of children in care."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from flask import Flask, g

from foreningen import config as config_module


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="static",
                instance_path=str(Path(__file__).resolve().parent.parent / "instance"))
    app.config.from_mapping(config_module.load(Path(app.instance_path), overrides))
    _logging(app)
    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    _extensions(app)
    _blueprints(app)
    _request_hooks(app)
    from foreningen import cli, errors

    errors.init_app(app)
    cli.init_app(app)
    return app


def _logging(app: Flask) -> None:
    class RequestIdFilter(logging.Filter):
        def filter(self, record):
            from flask import has_request_context

            record.request_id = g.get("request_id", "-") if has_request_context() else "-"
            return True

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger("foreningen")
    root.handlers[:] = [handler]
    root.setLevel(app.config["LOG_LEVEL"])
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(app.config["LOG_LEVEL"])


def _extensions(app: Flask) -> None:
    from foreningen import i18n, sqlite
    from foreningen.extensions import babel, csrf, db, limiter, login_manager, mail, migrate

    db.init_app(app)
    sqlite.init_app(app, db)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    mail.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale,
                   default_translation_directories=app.config["BABEL_TRANSLATION_DIRECTORIES"])
    limiter.init_app(app)
    i18n.init_app(app)

    from flask_babel import lazy_gettext as _l

    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Please sign in to see that page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token: str):
        from foreningen.auth.services import session_user

        return session_user(token)

    # Models of every feature, so that migrations and relationships see them all.
    from foreningen import audit  # noqa: F401
    from foreningen import mail as outbox  # noqa: F401
    from foreningen.auth import models as auth_models  # noqa: F401
    from foreningen.dues import models as dues_models  # noqa: F401
    from foreningen.members import models as member_models  # noqa: F401
    from foreningen.municipalities import models as municipality_models  # noqa: F401


FEATURES = ("main", "auth", "account", "admin", "join", "membership", "members", "dues")


def _blueprints(app: Flask) -> None:
    # Views are imported here, not by the packages, so that one feature can use another's
    # models and queries without loading its views (and without import cycles).
    from importlib import import_module

    for feature in FEATURES:
        import_module(f"foreningen.{feature}.views")
        app.register_blueprint(import_module(f"foreningen.{feature}").bp)


def _request_hooks(app: Flask) -> None:
    from flask_login import current_user

    from foreningen.security import set_security_headers

    @app.before_request
    def _start():
        g.request_id = secrets.token_hex(8)
        # Load the signed-in user (and touch the session) before the view changes anything.
        _ = current_user.is_authenticated

    @app.after_request
    def _finish(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        set_security_headers(response, app.config["PRODUCTION"])
        if app.config["OUTBOX_SEND_AFTER_REQUEST"] and g.get("mail_queued"):
            _send_outbox(app)
        return response

    app.jinja_env.globals["request_id"] = lambda: g.get("request_id", "")


def _send_outbox(app: Flask) -> None:
    from foreningen.extensions import db
    from foreningen.mail import send_pending

    try:
        send_pending()
        db.session.commit()
    except Exception:  # noqa: BLE001 - mail must never break the page that queued it
        db.session.rollback()
        app.logger.exception("outbox: sending after the request failed")
