"""A parent asks for a stödperson and follows the request, without an account: the request
form, the receipt (reference and personal code, shown once) and the status page.

The status page is reached by POSTing the reference and code (never in a URL); the request
is then remembered in this browser's session until the parent chooses "forget". A wrong
code gets the same answer, in the same time, as an unknown reference."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from foreningen.core import clock, vocabulary
from foreningen.core.extensions import limiter
from foreningen.core.forms import EmptyForm
from foreningen.core.web import carry_out
from foreningen.municipalities.queries import all_municipalities
from foreningen.support import forms, queries, services
from foreningen.support.models import ContactForm, DeclineReason, Status

bp = Blueprint("ask", __name__, url_prefix="/ask")
SESSION_KEY = "support_request"


def _ask_limit():
    return current_app.config.get("SUPPORT_ASK_LIMIT", "10 per hour")


def _status_limit():
    return current_app.config.get("SUPPORT_STATUS_LIMIT", "20 per hour")


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(_ask_limit, methods=["POST"])
def ask():
    form = forms.AskForm()
    if not form.is_submitted():
        locale = str(get_locale())
        form.language.data = locale if locale in {"sv", "en", "ar"} else "sv"
    form.set_municipality_choices(all_municipalities(active_only=True))
    if form.validate_on_submit():
        made = carry_out(lambda: services.ask(form.values()), form.name.errors.append)
        if made:
            support_request, code = made.value
            session[SESSION_KEY] = support_request.id
            session["support_receipt"] = [support_request.reference, services.grouped(code)]
            return redirect(url_for("ask.receipt"))
    return render_template("support/ask/form.html", form=form,
                           consent_version=services.CONSENT_VERSION)


@bp.route("/receipt")
def receipt():
    """The reference and code, once: a reload shows the status page instead."""
    shown = session.pop("support_receipt", None)
    if not shown:
        return redirect(url_for("ask.status"))
    return render_template("support/ask/receipt.html", reference=shown[0], code=shown[1])


def _remembered():
    found = queries.remembered(session.get(SESSION_KEY))
    if found is None:
        session.pop(SESSION_KEY, None)
    return found


@bp.route("/status", methods=["GET", "POST"])
@limiter.limit(_status_limit, methods=["POST"])
def status():
    form = forms.StatusForm()
    if form.validate_on_submit():
        found = services.find_by_code(form.reference.data, form.code.data)
        if found is not None:
            session[SESSION_KEY] = found.id
            return redirect(url_for("ask.status"))
        form.code.errors.append(_("The reference and the code do not match a request. Check "
                                  "them and try again."))
    support_request = None if form.is_submitted() else _remembered()
    if support_request is None:
        return render_template("support/ask/lookup.html", form=form)
    return _status_page(support_request)


def _status_page(support_request, erase_error: str | None = None):
    assignment = queries.active_assignment(support_request)
    supporter_name = (queries.supporter_names([assignment.supporter_id])[assignment.supporter_id]
                      if assignment is not None else None)
    may_invite = (not queries.has_account(support_request) and bool(support_request.parents)
                  and support_request.parents[0].channel == "email"
                  and support_request.status not in (Status.WITHDRAWN, Status.MERGED))
    page = render_template(
        "support/ask/status.html", req=support_request, assignment=assignment,
        meeting=queries.next_meeting(assignment.id if assignment else None, clock.utcnow()),
        meeting_forms=ContactForm.names(),
        supporter_name=supporter_name, action=EmptyForm(), Status=Status,
        decline_reasons=DeclineReason.names(), words=vocabulary.names(),
        erase_error=erase_error, may_invite=may_invite)
    return page, 400 if erase_error else 200


def _act(change, done_message: str):
    support_request = _remembered()
    if support_request is None or not EmptyForm().validate_on_submit():
        return redirect(url_for("ask.status"))
    if carry_out(lambda: change(support_request)):
        flash(done_message, "success")
    return redirect(url_for("ask.status"))


@bp.route("/status/meeting.ics")
def meeting_ics():
    """The next meeting of the request opened in this browser, for the parent's calendar."""
    support_request = _remembered()
    assignment = queries.active_assignment(support_request) if support_request else None
    meeting = queries.next_meeting(assignment.id if assignment else None, clock.utcnow())
    if meeting is None:
        return redirect(url_for("ask.status"))
    from foreningen.support.views.own import ics_response

    return ics_response(meeting, _("Meeting with your support person"))


@bp.post("/status/withdraw")
def withdraw():
    return _act(services.withdraw, _("Your request is withdrawn. You are welcome back at any "
                                     "time."))


@bp.post("/status/another")
def another():
    return _act(services.ask_for_another, _("We will look for another support person for "
                                            "you."))


@bp.post("/status/erase")
def erase():
    support_request = _remembered()
    if support_request is None or not EmptyForm().validate_on_submit():
        return redirect(url_for("ask.status"))
    if request.form.get("confirm") != "yes":
        return _status_page(support_request, _("Tick the box to confirm that your details "
                                               "should be erased."))
    carry_out(lambda: services.erase(support_request))
    session.pop(SESSION_KEY, None)
    return render_template("support/ask/erased.html")


@bp.post("/status/account")
def account():
    """The parent would rather follow the request from an account of their own."""
    support_request = _remembered()
    if support_request is None or not EmptyForm().validate_on_submit():
        return redirect(url_for("ask.status"))
    if carry_out(lambda: services.invite_parent(support_request)):
        flash(_("We have sent a message to the email address you gave. Follow the link in it "
                "to set up your account."), "success")
    return redirect(url_for("ask.status"))


@bp.route("/connect/<token>", methods=["GET", "POST"])
@login_required
def connect(token: str):
    """From the mail: connect the request to the account the parent is signed in to."""
    form = EmptyForm()
    if form.validate_on_submit():
        done = carry_out(lambda: services.connect_parent(current_user._get_current_object(),
                                                         token))
        if done:
            flash(_("Your request is now connected to your account."), "success")
            return redirect(url_for("ask.mine"))
        return render_template("support/ask/connect.html", form=form, token=token), 410
    return render_template("support/ask/connect.html", form=form, token=token)


@bp.route("/mine")
@login_required
def mine():
    """A signed-in parent's requests, connected to their account."""
    found = queries.own_requests(current_user)
    active = {r.id: queries.active_assignment(r) for r in found}
    names = queries.supporter_names([a.supporter_id for a in active.values() if a])
    now = clock.utcnow()
    meetings = {r.id: queries.next_meeting(a.id if a else None, now)
                for r, a in ((r, active[r.id]) for r in found)}
    return render_template("support/ask/mine.html", requests=found, active=active,
                           names=names, meetings=meetings, statuses=Status.names(),
                           meeting_forms=ContactForm.names(), action=EmptyForm())


@bp.post("/mine/<int:request_id>")
@login_required
def open_own(request_id: int):
    """Open one's own request on the status page (its actions: withdraw, erase …)."""
    found = queries.own_request(current_user, request_id) or abort(404)
    if EmptyForm().validate_on_submit():
        session[SESSION_KEY] = found.id
    return redirect(url_for("ask.status"))


@bp.post("/status/forget")
def forget():
    if EmptyForm().validate_on_submit():
        session.pop(SESSION_KEY, None)
    return redirect(url_for("ask.status"))
