"""Dues pages for the board: the year's overview and rates, payments by hand, bank-file import
and reminders. Thin: parse, authorise, call a service, commit once, render or redirect."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from foreningen.core.extensions import db
from foreningen.core.forms import EmptyForm, page_number
from foreningen.core.i18n import money
from foreningen.core.security import Role, requires
from foreningen.dues import bankfile, forms, queries, services
from foreningen.dues.models import BankFileKind, LineReason, LineResolution
from foreningen.members import queries as members
from foreningen.members.queries import MemberCategory

bp = Blueprint("dues", __name__, url_prefix="/dues")

MAX_FILE_BYTES = 5 * 1024 * 1024
EXAMPLE_CSV = ("Datum;Referens;Belopp;Transaktions-ID;År\r\n"
               "2026-01-15;10017;250,00;20260115-0001;2026\r\n"
               "2026-01-16;10025;1 000,00;20260116-0001;2026\r\n")


def _actor():
    return current_user._get_current_object()


@bp.route("/", methods=["GET", "POST"])
@requires(Role.BOARD)
def index():
    selector = forms.YearForm(request.args)
    year = selector.year.data if selector.validate() and selector.year.data else None
    year = year or forms.this_year()
    if not selector.year.errors:
        selector.year.data = year  # the field shows the year the page is about
    form = forms.RateForm(year=year)
    if form.validate_on_submit():
        services.set_rate(form.year.data, form.category.data, form.amount_ore,
                          form.decision_reference.data, _actor())
        db.session.commit()
        flash(_("The dues rate for %(year)s is saved.", year=form.year.data), "success")
        return redirect(url_for("dues.index", year=form.year.data))
    return render_template("dues/index.html", year=year, selector=selector, form=form,
                           overview=queries.cached_year_overview(
                               year, members.dues_members(), list(MemberCategory),
                               members.register_version),
                           category_names=MemberCategory.names())


@bp.route("/payments/new", methods=["GET", "POST"])
@requires(Role.BOARD)
def record_payments():
    form = forms.PaymentsForm()
    duplicates: list[int] = []
    if form.is_submitted():
        if queries.submission_recorded(form.submission.data):  # sent again: a double click
            flash(services.DuesError("submitted").message, "info")
            return redirect(url_for("dues.record_payments"))
        rows = form.filled_rows()
        valid = form.validate()
        if not rows:
            form.form_errors.append(_("Fill in at least one payment."))
            valid = False
        found = members.by_keys([_key(row) for _n, row in rows])
        for _n, row in rows:
            if _key(row) and not row.member.errors and _key(row) not in found:
                row.member.errors.append(_("No member has this number or payment reference."))
                valid = False
        if valid:
            duplicates = _duplicates(rows, found)
            valid = not duplicates or form.record_anyway.data
        if valid and _record(form, rows, found):
            db.session.commit()
            flash(_recorded_message([(found[_key(row)], row.amount_ore) for _n, row in rows]),
                  "success")
            return redirect(url_for("dues.record_payments"))
    return render_template("dues/payments.html", form=form, duplicates=duplicates)


def _key(row) -> str:
    return (row.member.data or "").replace(" ", "")


def _duplicates(rows, found) -> list[int]:
    """Row numbers whose member, date and amount repeat a payment already recorded (or
    another row of the form): shown, and recorded only when the board says so."""
    keys = {n: (found[_key(row)].id, row.paid_on.data, row.amount_ore) for n, row in rows}
    earlier = queries.same_payments(set(keys.values()))
    seen: set[tuple] = set()
    repeated = []
    for n, key in keys.items():
        if key in earlier or key in seen:
            repeated.append(n)
        seen.add(key)
    return repeated


def _record(form, rows, found) -> bool:
    """Every row in one transaction; with any refusal nothing is kept."""
    refused = False
    try:
        for n, row in rows:
            try:
                services.record_payment(found[_key(row)], row.year.data, row.amount_ore,
                                        row.paid_on.data, _actor(), note=row.note.data,
                                        submission=(form.submission.data, n))
            except services.DuesError as exc:
                field = row.amount if exc.code == "amount" else row.member
                field.errors.append(exc.message)
                refused = True
        db.session.flush()
    except IntegrityError:  # the same form, already recorded: a double click or a reload
        db.session.rollback()
        flash(services.DuesError("submitted").message, "info")
        return False
    if refused:
        db.session.rollback()
    return not refused


def _recorded_message(paid: list[tuple]) -> str:
    """Whose and how much, so that a mistyped number is seen at once."""
    parts = ", ".join(_("%(amount)s from %(name)s (%(number)s)", amount=money(ore),
                        name=member.name, number=member.number) for member, ore in paid)
    return ngettext("%(num)d payment is recorded: %(parts)s.",
                    "%(num)d payments are recorded: %(parts)s.", len(paid), parts=parts)


@bp.route("/import", methods=["GET", "POST"])
@requires(Role.BOARD)
def import_file():
    form = forms.ImportForm()
    bad_lines = []
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(MAX_FILE_BYTES + 1)
        try:
            if len(data) > MAX_FILE_BYTES:
                raise bankfile.BankFileError("size")
            dues_import, result = services.import_bank_file(data, _filename(upload), _actor())
            if dues_import is not None:
                db.session.commit()
        except bankfile.BankFileError as exc:
            db.session.rollback()
            form.file.errors.append(exc.message)
        except IntegrityError:  # the same file or transactions, imported at the same moment
            db.session.rollback()
            form.file.errors.append(_("This file, or some of its transactions, was imported "
                                      "at the same moment by someone else. Nothing was "
                                      "imported from it; see the list of imports."))
        else:
            if dues_import is None:
                db.session.rollback()
                bad_lines = result.errors
            else:
                flash(_imported_message(dues_import, result), "success")
                return redirect(url_for("dues.import_detail", import_id=dues_import.id))
    return render_template("dues/import.html", form=form, bad_lines=bad_lines,
                           columns=EXAMPLE_CSV.splitlines()[0],
                           aliases=bankfile.COLUMNS)


def _imported_message(dues_import, result) -> str:
    message = ngettext("%(num)d payment of %(total)s imported.",
                       "%(num)d payments of %(total)s in all imported.",
                       dues_import.row_count, total=money(dues_import.total_ore))
    if result.lines:
        message += " " + ngettext("%(num)d line needs you: give it to a member or set it "
                                  "aside.", "%(num)d lines need you: give each to a member "
                                  "or set it aside.", len(result.lines))
    return message


def _filename(upload) -> str:
    """The file's own name, without a folder some browsers send along."""
    return (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]


@bp.route("/imports")
@requires(Role.BOARD)
def imports():
    page = page_number(request.args.get("page"))
    pagination, open_lines = queries.imports_page(current_user, page)
    return render_template("dues/imports.html", pagination=pagination, open_lines=open_lines,
                           kinds=BankFileKind.names())


@bp.route("/import/example.csv")
@requires(Role.BOARD)
def import_example():
    # With a byte-order mark, so that Excel reads "År" right.
    return Response("\ufeff" + EXAMPLE_CSV, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=example.csv"})


@bp.route("/imports/<int:import_id>")
@requires(Role.BOARD)
def import_detail(import_id: int):
    dues_import = queries.dues_import(current_user, import_id) or abort(404)
    return _render_import(dues_import)


def _render_import(dues_import, *, forms_by_line=None, confirm=None, status=200):
    payments = queries.import_payments(dues_import.id)
    lines = queries.import_lines(dues_import.id)
    payers = members.by_ids({p.member_id for p in payments}
                            | {p.member_id for p in payments if p.reverses_id})
    forms_by_line = forms_by_line or {}
    return render_template(
        "dues/import_detail.html", dues_import=dues_import,
        payments=[(payment, payers.get(payment.member_id)) for payment in payments],
        reversed_ids=queries.reversed_payment_ids([p.id for p in payments]),
        lines=lines, reasons=LineReason.names(), resolutions=LineResolution.names(),
        assign_forms={line.id: forms_by_line.get(line.id) or forms.AssignLineForm(
            prefix=f"line-{line.id}") for line in lines if line.resolved_at is None},
        confirm=confirm or forms.ConfirmForm(), kinds=BankFileKind.names()), status


def _import_and_line(import_id: int, line_id: int):
    dues_import = queries.dues_import(current_user, import_id) or abort(404)
    line = queries.import_line(current_user, import_id, line_id) or abort(404)
    return dues_import, line


@bp.route("/imports/<int:import_id>/lines/<int:line_id>/assign", methods=["POST"])
@requires(Role.BOARD)
def assign_line(import_id: int, line_id: int):
    dues_import, line = _import_and_line(import_id, line_id)
    form = forms.AssignLineForm(prefix=f"line-{line.id}")
    if form.validate_on_submit():
        member = members.by_keys([form.member.data.replace(" ", "")]).get(
            form.member.data.replace(" ", ""))
        if member is None:
            form.member.errors.append(_("No member has this number or payment reference."))
        else:
            try:
                services.assign_line(line, member, _actor())
            except services.DuesError as exc:
                db.session.rollback()
                flash(exc.message, "error")
                return redirect(url_for("dues.import_detail", import_id=import_id))
            db.session.commit()
            flash(_recorded_message([(member, line.amount_ore)]), "success")
            return redirect(url_for("dues.import_detail", import_id=import_id))
    return _render_import(dues_import, forms_by_line={line.id: form}, status=400)


@bp.route("/imports/<int:import_id>/lines/<int:line_id>/dismiss", methods=["POST"])
@requires(Role.BOARD)
def dismiss_line(import_id: int, line_id: int):
    _dues_import, line = _import_and_line(import_id, line_id)
    if EmptyForm().validate_on_submit():
        try:
            services.dismiss_line(line, _actor())
        except services.DuesError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("Line %(line)s is set aside.", line=line.line_number), "success")
    return redirect(url_for("dues.import_detail", import_id=import_id))


@bp.route("/imports/<int:import_id>/reverse", methods=["POST"])
@requires(Role.BOARD)
def reverse_import(import_id: int):
    dues_import = queries.dues_import(current_user, import_id) or abort(404)
    confirm = forms.ConfirmForm()
    if not confirm.validate_on_submit():
        return _render_import(dues_import, confirm=confirm, status=400)
    try:
        count = services.reverse_import(dues_import, _actor())
    except services.DuesError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(ngettext("%(num)d payment is reversed.", "%(num)d payments are reversed.",
                       count), "success")
    return redirect(url_for("dues.import_detail", import_id=import_id))


@bp.route("/payments/<int:payment_id>/reverse", methods=["GET", "POST"])
@requires(Role.BOARD)
def reverse_payment(payment_id: int):
    payment = queries.payment(current_user, payment_id) or abort(404)
    member = members.by_ids({payment.member_id})[payment.member_id]
    form = forms.ReverseForm()
    if form.validate_on_submit():
        try:
            services.reverse_payment(payment, _actor(), form.reason.data)
        except services.DuesError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("The payment of %(amount)s from %(name)s is reversed.",
                    amount=money(payment.amount_ore), name=member.name), "success")
        return redirect(url_for("members.member", member_id=member.id))
    return render_template("dues/reverse.html", payment=payment, member=member, form=form,
                           reversal=queries.reversal_of(payment.id))


@bp.route("/reminders")
@requires(Role.BOARD)
def preview_reminders():
    """Who would get a reminder now, how much each owes, and the mail, before sending."""
    selector = forms.YearForm(request.args)
    year = (selector.year.data if selector.validate() and selector.year.data
            else forms.this_year())
    recipients = services.reminder_recipients(year)
    preview = (services.preview_reminder(year, recipients[0], str(get_locale()))
               if recipients else None)
    return render_template("dues/reminders.html", year=year, recipients=recipients,
                           preview=preview, form=forms.RemindersForm(year=year))


@bp.route("/reminders", methods=["POST"])
@requires(Role.BOARD)
def send_reminders():
    form = forms.RemindersForm()
    if form.validate_on_submit():
        count = services.send_reminders(form.year.data, _actor())
        db.session.commit()
        flash(ngettext("%(num)d reminder is on its way.", "%(num)d reminders are on their way.",
                       count), "success")
        return redirect(url_for("dues.index", year=form.year.data))
    flash(_("The reminders could not be sent. Please try again."), "error")
    return redirect(url_for("dues.index"))
