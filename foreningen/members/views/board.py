"""The board's member register: applications, the register, a member's page, exports.

The board has full access; a coordinator may read the register and members' pages but not
change anything or export (PRIVACY.md: coordinator "read"). Everyone else gets 403.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from foreningen.core import clock, spreadsheet
from foreningen.core.extensions import db
from foreningen.core.forms import EmptyForm, choices, page_number
from foreningen.core.security import Role, authorize, refuse_unless, requires
from foreningen.core.web import carry_out
from foreningen.dues import queries as dues
from foreningen.members import exports, forms, queries, services
from foreningen.members.models import Member, MemberCategory, MemberStatus
from foreningen.members.policy import REGISTER_READERS
from foreningen.municipalities import queries as municipalities

bp = Blueprint("members", __name__, url_prefix="/members")



@bp.before_request
def _register_readers_only():
    return refuse_unless(*REGISTER_READERS)


def _actor():
    return current_user._get_current_object()


def _page() -> int:
    return page_number(request.args.get("page"))


def _voting() -> set[str]:
    return set(current_app.config["VOTING_CATEGORIES"])


def _member_or_404(member_id: int) -> Member:
    return queries.member(_actor(), member_id) or abort(404)


# --- the register -------------------------------------------------------------------------

def _filters() -> tuple[forms.RegisterFilterForm, queries.RegisterFilter]:
    """The filters that are valid; an invalid one is shown with its error and ignored."""
    form = forms.RegisterFilterForm(request.args)
    form.municipality.choices = choices([("", _("All municipalities")), *(
        (str(mid), name) for mid, name in queries.municipality_choices())])
    form.validate()
    valid = {name: None if f.errors else f.data for name, f in form._fields.items()}
    return form, queries.RegisterFilter(
        q=valid["q"], category=valid["category"] or None, status=valid["status"] or None,
        municipality_id=int(valid["municipality"]) if valid["municipality"] else None,
        year=valid["year"] or clock.today().year, paid=valid["paid"] or None,
        sort=valid["sort"] or "name", direction=valid["direction"] or "asc")


@bp.route("/")
def register():
    form, f = _filters()
    pagination = queries.register_page(_actor(), f, _page())
    page = render_template("members/register.html", form=form, filters=f,
                           pagination=pagination,
                           counts=queries.counts(_actor()), voting=_voting(),
                           erasures=queries.erasure_requests(_actor()),
                           categories=MemberCategory.names(), statuses=MemberStatus.names())
    if f.q and f.q.strip() and request.method == "GET":
        # A search reads people's data: recorded (how many found, never the words).
        services.record_search(_actor(), pagination.total)
        db.session.commit()
    return page


@bp.route("/export.csv", defaults={"fmt": "csv"})
@bp.route("/export.xlsx", defaults={"fmt": "xlsx"})
@requires(Role.BOARD)
def export(fmt: str):
    authorize("members.export")
    _form, f = _filters()
    actor = _actor()
    rows = queries.export_rows(actor, f)
    headers, values = exports.table(rows, f.year, _voting())
    # Audited (and committed) before the first row leaves: the rows are then read in
    # chunks and written as they come, never the whole register at once.
    exports.record_export(fmt, queries.register_count(actor, f))
    db.session.commit()
    if fmt == "csv":
        body = stream_with_context(spreadsheet.csv_chunks(headers, values))
    else:
        body = exports.to_xlsx(headers, values, _("Members"))
    filename = f"members-{clock.today().isoformat()}.{fmt}"
    return Response(body, content_type=exports.CONTENT_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- a member -----------------------------------------------------------------------------

def _render_member(page: queries.MemberPage, *, status_form=None, revealed=False):
    member = page.member
    if status_form is None and member.status != MemberStatus.APPLIED:
        status_form = _status_form(member)
    return render_template(
        "members/member.html", page=page, member=member, status_form=status_form,
        revealed=revealed, voting=_voting(), payment_methods=dues.PaymentMethod.names(),
        categories=MemberCategory.names(), statuses=MemberStatus.names())


def _status_form(member: Member) -> forms.StatusChangeForm:
    form = forms.StatusChangeForm()
    allowed = services.TRANSITIONS[MemberStatus(member.status)]
    # An application is approved or declined on the applications page (with its mail).
    form.to_status.choices = choices(
        (status, status.label) for status in MemberStatus if status in allowed)
    return form


def _page_or_404(member_id: int) -> queries.MemberPage:
    return queries.member_page(_actor(), member_id) or abort(404)


@bp.route("/<int:member_id>")
def member(member_id: int):
    page = _page_or_404(member_id)
    response = _render_member(page)
    if request.method == "GET":  # a HEAD request shows nothing, so it reads nothing
        services.record_view(page.member, _actor())
        db.session.commit()
    return response


@bp.route("/<int:member_id>/status", methods=["POST"])
@requires(Role.BOARD)
def change_status(member_id: int):
    page = _page_or_404(member_id)
    member = page.member
    if member.status == MemberStatus.APPLIED:
        return redirect(url_for("members.member", member_id=member_id))
    form = _status_form(member)
    if form.validate_on_submit() and carry_out(
            lambda: services.change_status(member, form.to_status.data,
                                           form.reason.data.strip(), _actor(),
                                           effective_on=form.effective_on.data),
            form.to_status.errors.append):
        flash(_("The status is now: %(status)s.",
                status=MemberStatus(form.to_status.data).label), "success")
        return redirect(url_for("members.member", member_id=member_id))
    return _render_member(page, status_form=form)


@bp.route("/<int:member_id>/protected/<any(on, off):state>", methods=["POST"])
@requires(Role.BOARD)
def protected_identity(member_id: int, state: str):
    member = _member_or_404(member_id)
    if EmptyForm().validate_on_submit():
        services.set_protected_identity(member, state == "on", _actor())
        db.session.commit()
        flash(_("Address and phone are now hidden everywhere and left out of exports.")
              if state == "on" else _("The member no longer has protected identity."),
              "success")
    return redirect(url_for("members.member", member_id=member_id))


@bp.route("/<int:member_id>/contact", methods=["POST"])
@requires(Role.BOARD)
def reveal_contact(member_id: int):
    """Shows a protected member's contact details once, in the answer to this POST; the
    page shown after a reload hides them again."""
    page = _page_or_404(member_id)
    if not page.member.protected_identity or not EmptyForm().validate_on_submit():
        return redirect(url_for("members.member", member_id=member_id))
    services.reveal_contact(page.member, _actor())
    response = _render_member(page, revealed=True)
    db.session.commit()
    return response


@bp.route("/<int:member_id>/erase", methods=["POST"])
@requires(Role.BOARD)
def erase(member_id: int):
    member = _member_or_404(member_id)
    if EmptyForm().validate_on_submit() and carry_out(
            lambda: services.erase(member, _actor())):
        flash(_("The member's personal data is erased. Payments are kept without a name "
                "for the accounting period."), "success")
    return redirect(url_for("members.member", member_id=member_id))


def _details_form(form_class, member: Member | None = None):
    form = form_class(obj=member if request.method == "GET" else None)
    current = member.municipality_id if member else None
    form.set_municipality_choices(
        [m for m in municipalities.all_municipalities() if m.active or m.id == current],
        _("None"))
    return form


def _detail_values(form) -> dict:
    return {name: form[name].data for name in services.BOARD_FIELDS if name in form}


@bp.route("/<int:member_id>/edit", methods=["GET", "POST"])
@requires(Role.BOARD)
def edit(member_id: int):
    member = _member_or_404(member_id)
    authorize("members.change", member)
    form = _details_form(forms.BoardDetailsForm, member)
    if form.validate_on_submit():
        try:
            changed = services.correct_by_board(member, _detail_values(form), _actor())
        except services.MemberError as exc:
            db.session.rollback()
            form.email.errors.append(exc.message)
        except IntegrityError:  # the address was taken at the same moment
            db.session.rollback()
            form.email.errors.append(services.MemberError("email_taken").message)
        else:
            db.session.commit()
            flash(_("The member's details are saved.") if changed
                  else _("Nothing was changed."), "success")
            return redirect(url_for("members.member", member_id=member_id))
    return render_template("members/edit.html", form=form, member=member)


@bp.route("/new", methods=["GET", "POST"])
@requires(Role.BOARD)
def add():
    authorize("members.change")
    form = _details_form(forms.PaperMemberForm)
    if form.validate_on_submit():
        try:
            member = services.add_on_paper(
                _detail_values(form), joined_on=form.joined_on.data,
                consent_date=form.consent_date.data, invite=form.invite.data, actor=_actor())
        except services.MemberError as exc:
            db.session.rollback()
            form.email.errors.append(exc.message)
        except IntegrityError:
            db.session.rollback()
            form.email.errors.append(services.MemberError("email_taken").message)
        else:
            db.session.commit()
            flash(_("%(name)s is added as a member, number %(number)s.", name=member.name,
                    number=member.number), "success")
            return redirect(url_for("members.member", member_id=member.id))
    return render_template("members/new.html", form=form)


# --- applications -------------------------------------------------------------------------

@bp.route("/applications")
@requires(Role.BOARD)
def applications():
    return render_template("members/applications.html",
                           pagination=queries.applications_page(_actor(), _page()),
                           form=forms.ApproveSelectedForm(),
                           voting=_voting(), categories=MemberCategory.names())


@bp.route("/applications/approve", methods=["POST"])
@requires(Role.BOARD)
def approve_selected():
    form = forms.ApproveSelectedForm()
    if not form.validate_on_submit():
        abort(400)
    ids = sorted(set(form.member_ids.data or []))
    selected = queries.applications(_actor(), ids)
    if not selected or len(selected) != len(ids):
        flash(_("Choose at least one application to approve."), "error")
        return redirect(url_for("members.applications"))
    try:
        services.approve_many(selected, _actor())
    except services.MemberError:
        db.session.rollback()
        flash(_approval_refusal(ids), "error")
    else:
        db.session.commit()
        flash(_("%(names)s approved. Each of them gets an email.",
                names=", ".join(m.name for m in selected)), "success")
    return redirect(url_for("members.applications"))


def _approval_refusal(ids: list[int]) -> str:
    problems = queries.approval_problems(_actor(), ids)
    parts = [_("Nothing was approved.")]
    if problems["not_confirmed"]:
        parts.append(_("Not yet confirmed their email address: %(names)s.",
                       names=", ".join(problems["not_confirmed"])))
    if problems["not_applied"]:
        parts.append(_("Already handled: %(names)s.", names=", ".join(problems["not_applied"])))
    if problems["account_disabled"]:
        parts.append(_("Disabled account in the portal: %(names)s.",
                       names=", ".join(problems["account_disabled"])))
    parts.append(_("Remove them from the selection and try again."))
    return " ".join(parts)


@bp.route("/applications/<int:member_id>/approve", methods=["POST"])
@requires(Role.BOARD)
def approve(member_id: int):
    member = _member_or_404(member_id)
    if EmptyForm().validate_on_submit() and carry_out(
            lambda: services.approve(member, _actor())):
        flash(_("%(name)s is now a member and gets an email.", name=member.name), "success")
    return redirect(url_for("members.applications"))


@bp.route("/applications/<int:member_id>/decline", methods=["GET", "POST"])
@requires(Role.BOARD)
def decline(member_id: int):
    member = _member_or_404(member_id)
    if member.status != MemberStatus.APPLIED:
        flash(services.MemberError("not_applied", name=member.name).message, "error")
        return redirect(url_for("members.applications"))
    form = forms.DeclineForm()
    if form.validate_on_submit():
        services.decline(member, form.reason.data.strip(), _actor())
        db.session.commit()
        flash(_("The application from %(name)s is declined. The applicant gets an email with "
                "your reason.", name=member.name), "success")
        return redirect(url_for("members.applications"))
    return render_template("members/decline.html", member=member, form=form,
                           categories=MemberCategory.names())
