"""Föreningen: the portal of a peer-support association for parents of children in care.

create_app() composes the kernel (`foreningen.core`) with the features, each a package of the
same shape (see docs/architecture.md): config → extensions → features (models, policies,
services with their signal subscriptions, privacy registrations, views, commands) → errors.
"""

from __future__ import annotations

import logging
import secrets
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from flask import Flask, g, url_for

from foreningen.core import config as config_module

# The features, in the order their parts are loaded. Each may have models, policy, services,
# privacy, views (a module, or a package with one module per audience, each with its `bp`)
# and cli (with `commands`).
FEATURES = ("municipalities", "accounts", "association", "members", "dues", "supporters", "support",
            "admin", "main")
VIEWS = {
    "accounts": ("views.auth", "views.own"),
    "members": ("views.public", "views.own", "views.board"),
    "supporters": ("views.own", "views.staff"),
    "support": ("views.public", "views.staff", "views.own", "views.referrals"),
}
ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="static",
                instance_path=str(ROOT / "instance"))
    app.config.from_mapping(config_module.load(Path(app.instance_path), overrides))
    _logging(app)
    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    from foreningen.core.security import DatabaseIdConverter

    app.url_map.converters["int"] = DatabaseIdConverter  # before any route is added
    _extensions(app)
    _features(app)
    _request_hooks(app)
    from foreningen.core import cli, errors

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
    from flask_babel import lazy_gettext as _l

    from foreningen.core import audit, i18n, jobs, outbox, sqlite  # noqa: F401 - their tables
    from foreningen.core.extensions import babel, csrf, db, limiter, login_manager, mail, migrate

    db.init_app(app)
    sqlite.init_app(app, db)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    mail.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale,
                   default_translation_directories=app.config["BABEL_TRANSLATION_DIRECTORIES"])
    limiter.init_app(app)
    i18n.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Please sign in to see that page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token: str):
        from foreningen.accounts.views.auth import load_user as accounts_load_user

        return accounts_load_user(token)


def _module(name: str):
    return import_module(name) if find_spec(name) is not None else None


def _features(app: Flask) -> None:
    """Load each feature's parts. Views are imported here, not by the packages, so that one
    feature can use another's services and queries without loading its views."""
    from foreningen.core import policy

    for feature in FEATURES:
        base = f"foreningen.{feature}"
        for part in ("models", "services", "privacy"):
            _module(f"{base}.{part}")
        policy_module = _module(f"{base}.policy")
        if policy_module is not None:
            policy.register(feature, policy_module)
        for views in VIEWS.get(feature, ("views",)):
            module = _module(f"{base}.{views}")
            if module is not None:
                app.register_blueprint(module.bp)
        cli = _module(f"{base}.cli")
        for command in getattr(cli, "commands", ()):
            app.cli.add_command(command)
    from foreningen import demo

    for command in demo.commands:
        app.cli.add_command(command)
    app.jinja_env.globals["can"] = policy.can


def _request_hooks(app: Flask) -> None:
    from flask_login import current_user

    from foreningen.core import jobs
    from foreningen.core.security import set_security_headers

    @app.before_request
    def _start():
        g.request_id = secrets.token_hex(8)
        # Load the signed-in user (and keep the session fresh) before the view runs.
        _ = current_user.is_authenticated

    @app.after_request
    def _finish(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        set_security_headers(response, app.config["PRODUCTION"])
        work = jobs.after_response(app)
        if work is not None:
            response.call_on_close(work)
        return response

    app.jinja_env.globals["request_id"] = lambda: g.get("request_id", "")
    app.jinja_env.globals["url_stem"] = url_stem


def url_stem(endpoint: str, key: str, **values) -> str:
    """The URL of `endpoint` up to its last part, the integer `key`: a list of 50 rows
    builds its links as stem + id, with one url_for per page instead of one per row."""
    url = url_for(endpoint, **values, **{key: 0})
    if not url.endswith("/0"):
        raise ValueError(f"{endpoint}: {key} is not the last part of its URL")
    return url[:-1]
