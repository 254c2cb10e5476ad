"""A stödperson's pages: the parents they support, an assignment (the parents' ways to be
reached, each opening audited), the contact log and its CSV download."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from foreningen.core import clock, spreadsheet
from foreningen.core.extensions import db
from foreningen.core.forms import EmptyForm
from foreningen.core.policy import authorize, can
from foreningen.core.security import Role, refuse_unless
from foreningen.core.web import carry_out
from foreningen.support import calendar, forms, queries, services
from foreningen.support.models import CRISIS_CONVERSATIONS, ContactForm
from foreningen.support.views.staff import words

bp = Blueprint("mine", __name__, url_prefix="/support/mine")
OWN_CONTACTS_SHOWN = 20


@bp.before_request
def _supporters_and_coordinators():
    return refuse_unless(Role.SUPPORTER, Role.COORDINATOR)


def _actor():
    return current_user._get_current_object()


@bp.route("/")
def index():
    authorize("support.support")
    actor = _actor()
    supporter = queries.own_supporter(actor)
    own = queries.own_assignments(actor)
    return render_template(
        "support/own/index.html", supporter=supporter, assignments=own,
        meetings=queries.upcoming_meetings([o.assignment.id for o in own], clock.utcnow()),
        references={o.assignment.id: o.assignment.request.reference for o in own},
        recent=queries.own_contacts(supporter.id, OWN_CONTACTS_SHOWN) if supporter else [],
        crisis_frame=CRISIS_CONVERSATIONS, words=words(), forms_=ContactForm.names())


def _assignment_or_404(assignment_id: int):
    found = queries.assignment(_actor(), assignment_id)
    if found is None or not can("support.view_assignment", found):
        abort(404)
    return found


def _page(assignment, form, status=200, meeting_form=None):
    actor = _actor()
    parents = queries.parent_details(actor, assignment.request, "assignment_page")
    own = can("support.log_contact", assignment)
    contacts = queries.contacts_of(assignment)
    page = render_template(
        "support/own/assignment.html", assignment=assignment, req=assignment.request,
        parents=parents, contacts=contacts, form=form, own=own, today=clock.today(),
        used=sum(1 for c in contacts if c.reached), crisis_frame=CRISIS_CONVERSATIONS,
        close_form=forms.CloseForm(), words=words(), forms_=ContactForm.names(),
        meeting_form=meeting_form or forms.MeetingPlanForm(prefix="meeting"),
        meetings=queries.upcoming_meetings([assignment.id], clock.utcnow()))
    db.session.commit()  # the record of the read (core/audit.py); nothing else is pending
    return page, status


@bp.route("/assignments/<int:assignment_id>")
def assignment(assignment_id: int):
    found = _assignment_or_404(assignment_id)
    form = forms.ContactLogForm()
    form.occurred_on.data = clock.today()
    return _page(found, form)


@bp.post("/assignments/<int:assignment_id>/contacts")
def log_contact(assignment_id: int):
    found = _assignment_or_404(assignment_id)
    authorize("support.log_contact", found)
    form = forms.ContactLogForm()
    if form.validate_on_submit() and carry_out(
            lambda: services.log_contact(_actor(), found, form.values()),
            form.occurred_on.errors.append):
        flash(_("The contact is logged."), "success")
        return redirect(url_for("mine.assignment", assignment_id=assignment_id))
    return _page(found, form, 400)


@bp.post("/assignments/<int:assignment_id>/meetings")
def plan_meeting(assignment_id: int):
    found = _assignment_or_404(assignment_id)
    authorize("support.log_contact", found)
    form = forms.MeetingPlanForm(prefix="meeting")
    if form.validate_on_submit() and carry_out(
            lambda: services.plan_meeting(_actor(), found, form.values()),
            form.on.errors.append):
        flash(_("The meeting is planned. The parent sees it on their page."), "success")
        return redirect(url_for("mine.assignment", assignment_id=assignment_id))
    contact_form = forms.ContactLogForm(formdata=None)
    contact_form.occurred_on.data = clock.today()
    return _page(found, contact_form, 400, meeting_form=form)


@bp.post("/meetings/<int:meeting_id>/cancel")
def cancel_meeting(meeting_id: int):
    found = queries.own_meeting(_actor(), meeting_id) or abort(404)
    assignment = queries.assignment(_actor(), found.assignment_id)
    authorize("support.log_contact", assignment)
    if EmptyForm().validate_on_submit() and carry_out(
            lambda: services.cancel_meeting(_actor(), found)):
        flash(_("The meeting is cancelled."), "success")
    return redirect(url_for("mine.assignment", assignment_id=assignment.id))


@bp.route("/meetings/<int:meeting_id>.ics")
def meeting_ics(meeting_id: int):
    found = queries.own_meeting(_actor(), meeting_id) or abort(404)
    return ics_response(found, _("Meeting with a parent (support)"))


def ics_response(meeting, summary: str) -> Response:
    body = calendar.ics(f"meeting-{meeting.id}@foreningen", meeting.starts_at, meeting.minutes,
                        summary, meeting.place, clock.utcnow())
    return Response(body, content_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=traff-{meeting.starts_at:%Y%m%d}.ics"})


@bp.post("/assignments/<int:assignment_id>/close")
def close(assignment_id: int):
    found = _assignment_or_404(assignment_id)
    authorize("support.close_assignment", found)
    form = forms.CloseForm()
    if form.validate_on_submit():
        if carry_out(lambda: services.close_assignment(_actor(), found, form.reason.data)):
            flash(_("The assignment is closed. Thank you for your support."), "success")
            return redirect(url_for("mine.index"))
    else:
        for message in form.reason.errors:
            flash(message, "error")
    return redirect(url_for("mine.assignment", assignment_id=assignment_id))


@bp.route("/contacts.csv")
def contacts_csv():
    """The stödperson's own contacts: no parent's name, only what they logged."""
    authorize("support.support")
    supporter = queries.own_supporter(_actor())
    names = ContactForm.names()
    headers = [(_("Date"), None), (_("Assignment"), None), (_("How"), None),
               (_("Reached"), None), (_("Minutes"), None), (_("Km"), None),
               (_("Expenses (kr)"), None), (_("Wellbeing"), None)]
    rows = [(c.occurred_on, c.assignment_id, names.get(c.form, c.form),
             _("Yes") if c.reached else _("No"), c.minutes, Decimal(c.km),
             Decimal(c.expenses_ore) / 100, c.wellbeing)
            for c in (queries.own_contacts(supporter.id) if supporter else [])]
    return Response(spreadsheet.to_csv(headers, rows),
                    content_type=spreadsheet.CSV_CONTENT_TYPE,
                    headers={"Content-Disposition": "attachment; filename=kontakter.csv"})
