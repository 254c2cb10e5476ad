"""The association's details and privacy notice: read by everyone, kept by the board."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from foreningen.association import forms, queries, services
from foreningen.core.extensions import db
from foreningen.core.security import Role, authorize, requires
from foreningen.core.web import carry_out

bp = Blueprint("association", __name__)


@bp.app_context_processor
def _association():
    """Every page's footer shows how to reach the association."""
    return {"association": queries.settings}


@bp.route("/privacy")
def privacy_notice():
    notice = queries.current_notice()
    return render_template("association/privacy.html", notice=notice,
                           body=notice.body(str(get_locale())) if notice else None,
                           versions=queries.notices())


@bp.route("/privacy/<version>")
def privacy_notice_version(version: str):
    notice = queries.notice(version) or abort(404)
    return render_template("association/privacy.html", notice=notice,
                           body=notice.body(str(get_locale())), versions=queries.notices())


@bp.route("/association/", methods=["GET", "POST"])
@requires(Role.BOARD)
def settings():
    authorize("association.manage")
    current = queries.settings()
    form = forms.SettingsForm(obj=current if request.method == "GET" else None)
    if form.validate_on_submit():
        services.update_settings(form.values(), current_user._get_current_object())
        db.session.commit()
        flash(_("The association's details are saved."), "success")
        return redirect(url_for("association.settings"))
    return render_template("association/settings.html", form=form,
                           notices=queries.notices())


@bp.route("/association/privacy-notice", methods=["GET", "POST"])
@requires(Role.BOARD)
def publish_notice():
    authorize("association.manage")
    current = queries.current_notice()
    form = forms.NoticeForm()
    if request.method == "GET" and current is not None:
        form.body_sv.data, form.body_en.data = current.body_sv, current.body_en
        form.body_ar.data = current.body_ar
    if form.validate_on_submit() and carry_out(
            lambda: services.publish_notice(form.version.data, {
                "sv": form.body_sv.data, "en": form.body_en.data, "ar": form.body_ar.data,
            }, current_user._get_current_object()), form.version.errors.append):
        flash(_("Version %(version)s of the privacy notice is published. New consents "
                "are given to it.", version=form.version.data), "success")
        return redirect(url_for("association.settings"))
    return render_template("association/notice_form.html", form=form, current=current)
