"""A stödperson's own pages: applying, their page (stage, readiness and what to do next, their
profile as a parent will see it), changing their answers and signing the pledge.

Every view finds the record through the signed-in account (queries.own), so nobody reaches
another person's. Applying takes an active membership (members.queries.own_member)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required

from foreningen.core import clock, vocabulary
from foreningen.core.extensions import db
from foreningen.core.forms import EmptyForm
from foreningen.core.policy import authorize
from foreningen.core.web import carry_out
from foreningen.members import queries as members
from foreningen.municipalities.queries import all_municipalities
from foreningen.supporters import forms, queries, services
from foreningen.supporters.models import RequirementKind, Stage
from foreningen.supporters.readiness import add_months

bp = Blueprint("supporter", __name__, url_prefix="/supporter")


def _actor():
    return current_user._get_current_object()


def _words() -> dict:
    """The labels a page shows per row, translated once."""
    return {"stages": Stage.names(), **vocabulary.names()}


def _with_municipalities(form, current=None):
    form.set_municipality_choices(
        [m for m in all_municipalities() if m.active or m.id == current])
    return form


def _profile_data(supporter) -> dict:
    """The form's starting values: the record and its private answers."""
    answers = services.experience(supporter)
    return {**answers, "display_name": supporter.display_name,
            "languages": supporter.language_codes, "municipality_id": supporter.municipality_id,
            "area": supporter.area, "meeting_forms": supporter.meeting_forms,
            "times": supporter.times, "gender": supporter.gender or "",
            "offer": supporter.offer}


@bp.route("/", methods=["GET"])
@login_required
def index():
    supporter = queries.own(current_user.id)
    if supporter is None:
        member = members.own_member(current_user.id)
        return render_template("supporters/own/none.html", member=member,
                               can_apply=member is not None and member.status == "active")
    window = current_app.config["SUPPORTER_RENEWAL_DAYS"]
    pledge = queries.current_requirement(RequirementKind.PLEDGE)
    readiness = queries.readiness(supporter, clock.today(), window)
    pledge_item = next((i for i in readiness.items if i.need.kind == RequirementKind.PLEDGE),
                       None)
    return render_template(
        "supporters/own/index.html", supporter=supporter, readiness=readiness,
        pledge=pledge, pledge_form=forms.PledgeForm(requirement_id=pledge.id if pledge else ""),
        must_sign=pledge is not None and pledge_item is not None
        and pledge_item.state in ("missing", "expired", "expiring"),
        history=queries.history(supporter), window=window,
        supervision=queries.supervision_of(supporter, add_months(clock.today(), -12)),
        payout_set=supporter.account_number is not None, **_words())


@bp.route("/apply", methods=["GET", "POST"])
@login_required
def apply():
    authorize("supporters.apply")
    existing = queries.own(current_user.id)
    if existing is not None and existing.stage != Stage.ENDED:
        return redirect(url_for("supporter.index"))
    member = members.own_member(current_user.id)
    if member is None or member.status != "active":
        return redirect(url_for("supporter.index"))
    form = _with_municipalities(forms.ApplicationForm(
        data={"display_name": current_user.display_name.split(" ")[0],
              "municipality_id": member.municipality_id}
        if request.method == "GET" else None))
    if form.validate_on_submit() and carry_out(
            lambda: services.apply(_actor(), member, form.values())):
        flash(_("Thank you. Your application is with the coordinators, who will contact "
                "you to book an interview."), "success")
        return redirect(url_for("supporter.index"))
    status = 400 if form.errors else 200
    return render_template("supporters/own/apply.html", form=form,
                           consent_version=services.CONSENT_VERSION), status


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    supporter = queries.own(current_user.id)
    if supporter is None:
        return redirect(url_for("supporter.index"))
    form = _with_municipalities(
        forms.ProfileForm(data=_profile_data(supporter) if request.method == "GET" else None),
        supporter.municipality_id)
    if form.validate_on_submit():
        services.update_own(supporter, form.values(), _actor())
        db.session.commit()
        flash(_("Your answers are saved."), "success")
        return redirect(url_for("supporter.index"))
    status = 400 if form.errors else 200
    return render_template("supporters/own/profile.html", form=form), status


@bp.route("/pledge", methods=["POST"])
@login_required
def sign_pledge():
    supporter = queries.own(current_user.id)
    if supporter is None:
        return redirect(url_for("supporter.index"))
    form = forms.PledgeForm()
    if form.validate_on_submit():
        try:
            version = int(form.requirement_id.data or 0)
            services.sign_pledge(supporter, version, _actor())
        except (services.SupporterError, ValueError) as exc:
            db.session.rollback()
            flash(exc.message if isinstance(exc, services.SupporterError)
                  else _("The pledge was changed while you read it. Read the new text and "
                         "sign again."), "error")
        else:
            db.session.commit()
            flash(_("Thank you. Your confidentiality pledge is signed."), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return redirect(url_for("supporter.index") + "#pledge")


# --- availability: capacity, pause, conflicts ---------------------------------------------

def _own_or_none():
    return queries.own(current_user.id)


def _availability(supporter, *, capacity_form=None, pause_form=None, conflicts_form=None,
                  status=200):
    return render_template(
        "supporters/own/availability.html", supporter=supporter,
        capacity_form=capacity_form or forms.CapacityForm(data={"capacity":
                                                                supporter.capacity}),
        pause_form=pause_form or forms.PauseForm(data={"until": supporter.paused_until}),
        conflicts_form=conflicts_form or forms.ConflictsForm(
            data={"conflicts": supporter.conflicts}),
        resume_form=EmptyForm(), stages=Stage.names()), status


@bp.route("/availability", methods=["GET"])
@login_required
def availability():
    supporter = _own_or_none()
    if supporter is None:
        return redirect(url_for("supporter.index"))
    return _availability(supporter)


@bp.route("/availability/capacity", methods=["POST"])
@login_required
def capacity():
    supporter = _own_or_none()
    if supporter is None:
        return redirect(url_for("supporter.index"))
    form = forms.CapacityForm()
    if not form.validate_on_submit():
        return _availability(supporter, capacity_form=form, status=400)
    if not carry_out(lambda: services.set_capacity(supporter, form.capacity.data, _actor()),
                     form.capacity.errors.append):
        return _availability(supporter, capacity_form=form, status=400)
    flash(_("Saved: you can support %(num)d at the same time.", num=form.capacity.data),
          "success")
    return redirect(url_for("supporter.availability"))


@bp.route("/availability/pause", methods=["POST"])
@login_required
def pause():
    supporter = _own_or_none()
    if supporter is None:
        return redirect(url_for("supporter.index"))
    form = forms.PauseForm()
    if form.validate_on_submit() and carry_out(
            lambda: services.pause(supporter, form.until.data, _actor()),
            form.until.errors.append):
        flash(_("You are paused until %(date)s.", date=format_date(form.until.data))
              if form.until.data else _("You are paused until you resume."), "success")
        return redirect(url_for("supporter.availability"))
    return _availability(supporter, pause_form=form, status=400)


@bp.route("/availability/resume", methods=["POST"])
@login_required
def resume():
    supporter = _own_or_none()
    if supporter is None:
        return redirect(url_for("supporter.index"))
    if EmptyForm().validate_on_submit() and carry_out(
            lambda: services.resume(supporter, _actor())):
        flash(_("Welcome back: you can be proposed to parents again."), "success")
    return redirect(url_for("supporter.availability"))


@bp.route("/availability/conflicts", methods=["POST"])
@login_required
def conflicts():
    supporter = _own_or_none()
    if supporter is None:
        return redirect(url_for("supporter.index"))
    form = forms.ConflictsForm()
    if not form.validate_on_submit():
        return _availability(supporter, conflicts_form=form, status=400)
    services.set_conflicts(supporter, form.conflicts.data, _actor())
    db.session.commit()
    flash(_("Saved. Only the matching reads it."), "success")
    return redirect(url_for("supporter.availability"))


# --- payout details -------------------------------------------------------------------------

@bp.route("/payout", methods=["GET", "POST"])
@login_required
def payout():
    """The personnummer and bank account for the fee: typed in, never shown again in full
    (masked: the last four), and the change told by mail without the values."""
    supporter = _own_or_none()
    if supporter is None:
        return redirect(url_for("supporter.index"))
    form = forms.PayoutForm()
    if form.validate_on_submit():
        services.set_payout(supporter, personnummer=form.personnummer.data,
                            clearing_number=form.clearing_number.data,
                            account_number=form.account_number.data, actor=_actor())
        db.session.commit()
        flash(_("Your payout details are saved. We sent you an email to say so."), "success")
        return redirect(url_for("supporter.payout"))
    status = 400 if form.errors else 200
    return render_template(
        "supporters/own/payout.html", form=form,
        personnummer=services.masked(supporter.personnummer),
        account=services.masked(supporter.account_number),
        clearing=supporter.clearing_number), status
