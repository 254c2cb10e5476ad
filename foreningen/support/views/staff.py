"""The coordinators' pages: the queue, a request (its parents' details, audited), triage
(start looking, ask for more, decline, merge), choosing a stödperson and closing an
assignment. Everyone else gets 403."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from foreningen.core import clock, vocabulary
from foreningen.core.extensions import db
from foreningen.core.forms import EmptyForm, page_number
from foreningen.core.security import Role, authorize, refuse_unless
from foreningen.core.web import carry_out
from foreningen.municipalities import queries as municipalities
from foreningen.support import crisis_clock, forms, queries, services
from foreningen.support.models import (
    CRISIS_CONVERSATIONS,
    CloseReason,
    DeclineReason,
    Origin,
    PlacedSince,
    PlacementReason,
    Relation,
    Status,
)

bp = Blueprint("support", __name__, url_prefix="/support")
# The day by whose end a first contact is due: what every page shows (not a midnight).
bp.add_app_template_global(crisis_clock.due_day, "due_day")


@bp.before_request
def _coordinators_only():
    return refuse_unless(Role.COORDINATOR)


def _actor():
    return current_user._get_current_object()


def _request_or_404(request_id: int):
    return queries.request(_actor(), request_id) or abort(404)


def words() -> dict:
    return {"statuses": Status.names(), "origins": Origin.names(),
            "declines": DeclineReason.names(), "reasons": PlacementReason.names(),
            "since": PlacedSince.names(), "relations": Relation.names(),
            "closes": CloseReason.names(), **vocabulary.names()}


@bp.route("/")
def queue():
    authorize("support.triage")
    actor, now = _actor(), clock.utcnow()
    page = page_number(request.args.get("page"))
    rows = queries.queue(actor, page)
    return render_template(
        "support/staff/queue.html", rows=rows, counts=queries.queue_counts(actor, now),
        awaiting=queries.awaiting_first_contact(actor), now=now, page=page,
        per_page=queries.QUEUE_PAGE,
        municipality_names=municipalities.names([r.municipality_id for r in rows]),
        words=words())


@bp.route("/requests/<int:request_id>")
def request_page(request_id: int):
    authorize("support.triage")
    actor = _actor()
    support_request = _request_or_404(request_id)
    parents = queries.parent_details(actor, support_request, "request_page")
    facts = queries.facts(actor, support_request)
    assignments = queries.assignments_of(support_request)
    page = render_template(
        "support/staff/request.html", req=support_request, parents=parents, facts=facts,
        assignments=assignments, supporter_names=queries.supporter_names(
            [a.supporter_id for a in assignments]),
        referrer=queries.referrer(support_request),
        municipality=municipalities.names([support_request.municipality_id]).get(
            support_request.municipality_id),
        decline_form=forms.DeclineForm(), merge_form=forms.MergeForm(),
        close_form=forms.CloseForm(), action=EmptyForm(), now=clock.utcnow(),
        crisis_frame=CRISIS_CONVERSATIONS, words=words())
    db.session.commit()  # the record of the read (core/audit.py)
    return page


def _triage(request_id: int, change, done: str):
    authorize("support.triage")
    support_request = _request_or_404(request_id)
    if EmptyForm().validate_on_submit() and carry_out(lambda: change(support_request)):
        flash(done, "success")
    return redirect(url_for("support.request_page", request_id=request_id))


@bp.post("/requests/<int:request_id>/search")
def start_search(request_id: int):
    return _triage(request_id, lambda r: services.start_search(_actor(), r),
                   _("You are looking for a support person for this request."))


@bp.post("/requests/<int:request_id>/info")
def request_info(request_id: int):
    return _triage(request_id, lambda r: services.request_info(_actor(), r),
                   _("The parent is asked for more information."))


@bp.post("/requests/<int:request_id>/decline")
def decline(request_id: int):
    authorize("support.triage")
    support_request = _request_or_404(request_id)
    form = forms.DeclineForm()
    if form.validate_on_submit():
        if carry_out(lambda: services.decline(_actor(), support_request, form.reason.data)):
            flash(_("The request is declined and the parent told."), "success")
            return redirect(url_for("support.queue"))
    else:
        for message in form.reason.errors:
            flash(message, "error")
    return redirect(url_for("support.request_page", request_id=request_id))


@bp.post("/requests/<int:request_id>/merge")
def merge(request_id: int):
    authorize("support.triage")
    support_request = _request_or_404(request_id)
    form = forms.MergeForm()
    if form.validate_on_submit():
        done = carry_out(lambda: services.merge(_actor(), support_request, form.into.data))
        if done:
            flash(_("The requests are merged."), "success")
            return redirect(url_for("support.request_page", request_id=done.value.id))
    else:
        for message in form.into.errors:
            flash(message, "error")
    return redirect(url_for("support.request_page", request_id=request_id))


@bp.route("/requests/<int:request_id>/assign", methods=["GET", "POST"])
def assign(request_id: int):
    """Until matching ranks them: the ready stödpersoner with a free place, filtered."""
    authorize("support.triage")
    actor = _actor()
    support_request = _request_or_404(request_id)
    if not support_request.is_open:
        flash(_("This request is no longer waiting in the queue."), "info")
        return redirect(url_for("support.request_page", request_id=request_id))
    window = current_app.config["SUPPORTER_RENEWAL_DAYS"]
    form = forms.AssignForm()
    status = 200
    if form.validate_on_submit():
        done = carry_out(lambda: services.assign(actor, support_request,
                                                 form.supporter_id.data, clock.today(), window))
        if done:
            flash(_("The support person is assigned and the parent told."), "success")
            return redirect(url_for("support.request_page", request_id=request_id))
        status = 409
        if not support_request.is_open:
            return redirect(url_for("support.request_page", request_id=request_id))
    filters = forms.CandidateFilterForm(request.args)
    filters.validate()
    language = filters.language.data if not filters.language.errors else None
    found = queries.candidates(actor, support_request, clock.today(), window,
                               municipality_only=not filters.anywhere.data, language=language)
    return render_template(
        "support/staff/assign.html", req=support_request, candidates=found,
        filters=filters, form=form, words=words(),
        municipality_names=municipalities.names(
            [c.supporter.municipality_id for c in found] + [support_request.municipality_id])
    ), status


@bp.post("/assignments/<int:assignment_id>/close")
def close(assignment_id: int):
    authorize("support.triage")
    assignment = queries.assignment(_actor(), assignment_id) or abort(404)
    form = forms.CloseForm()
    if form.validate_on_submit():
        if carry_out(lambda: services.close_assignment(_actor(), assignment, form.reason.data)):
            flash(_("The assignment is closed."), "success")
    else:
        for message in form.reason.errors:
            flash(message, "error")
    return redirect(url_for("support.request_page", request_id=assignment.request_id))
