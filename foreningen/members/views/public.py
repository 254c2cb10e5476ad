"""The public application and its email confirmation. Thin: the member services decide."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from foreningen.association import queries as association
from foreningen.core import jobs
from foreningen.core.extensions import db, limiter
from foreningen.core.forms import EmptyForm
from foreningen.members import forms, queries, services
from foreningen.municipalities.queries import all_municipalities

bp = Blueprint("join", __name__, url_prefix="/join")


def _per_address():
    return current_app.config.get("JOIN_LIMIT_PER_ADDRESS", "10 per hour")


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(_per_address, methods=["POST"])
def apply():
    form = forms.ApplicationForm()
    form.set_municipality_choices(all_municipalities(active_only=True), _("Choose if you like"))
    if form.validate_on_submit():
        # Done after the answer (core/jobs.py), so that the answer takes as long for a
        # member's address as for a new one.
        jobs.defer("members.apply",
                   first_name=form.first_name.data, last_name=form.last_name.data,
                   email=form.email.data, category=form.category.data, locale=str(get_locale()),
                   phone=form.phone.data, street_address=form.street_address.data,
                   postal_code=form.postal_code.data, city=form.city.data,
                   municipality_id=form.municipality_id.data, why_join=form.why_join.data,
                   organisation_name=form.organisation_name.data,
                   optional_consents=list(form.optional_consents.data or []))
        db.session.commit()
        # The same page whether or not the address was already a member's: no enumeration.
        return redirect(url_for("join.submitted"))
    return render_template("join/apply.html", form=form,
                           privacy_version=association.privacy_notice_version(),
                           category_hints=forms.CATEGORY_HINTS,
                           confirm_hours=services.CONFIRM_HOURS)


@bp.route("/submitted")
def submitted():
    return render_template("join/submitted.html", hours=services.CONFIRM_HOURS)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """GET only shows a button, so a mail scanner following the link confirms nothing."""
    if queries.application_for_token(token) is None:
        return render_template("join/link_invalid.html"), 410
    form = EmptyForm()
    if form.validate_on_submit():
        if services.confirm_email(token) is None:
            db.session.rollback()
            return render_template("join/link_invalid.html"), 410
        db.session.commit()
        return redirect(url_for("join.confirmed"))
    return render_template("join/confirm.html", form=form, token=token)


@bp.route("/decision/<token>")
def decision(token: str):
    """The board's answer to an application that was declined, with its reason: the mail
    only links here (no free text about a person travels by mail)."""
    found = queries.declined_for_token(token)
    if found is None:
        return render_template("join/link_invalid.html"), 410
    member, reason = found
    return render_template("join/decision.html", member=member, reason=reason)


@bp.route("/confirmed")
def confirmed():
    return render_template("join/confirmed.html")
