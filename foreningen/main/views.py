from __future__ import annotations

import logging

from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from foreningen.accounts import services
from foreningen.core.extensions import csrf, db, limiter
from foreningen.core.forms import LanguageForm
from foreningen.core.i18n import LANGUAGES
from foreningen.core.security import is_safe_next
from foreningen.main.start import sections_for

bp = Blueprint("main", __name__)

log = logging.getLogger(__name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    return render_template("main/start.html", sections=sections_for(current_user))


@bp.route("/language", methods=["POST"])
def set_language():
    form = LanguageForm()
    target = request.form.get("next")
    if form.validate_on_submit() and form.locale.data in LANGUAGES:
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            services.set_locale(current_user._get_current_object(), form.locale.data)
            db.session.commit()
    return redirect(target if is_safe_next(target) else url_for("main.index"))


@bp.route("/healthz")
@csrf.exempt
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        log.exception("health check: database unreachable")
        db.session.rollback()
        return jsonify(status="error", database="error"), 503
    return jsonify(status="ok", database="ok")
