"""Dues pages for the board: the year's overview and rates, payments by hand, bank-file import
and reminders. Thin: parse, authorise, call a service, commit once, render or redirect."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from foreningen.core.extensions import db
from foreningen.core.security import Role, requires
from foreningen.dues import bankfile, forms, queries, services
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
                           overview=queries.year_overview(year, members.dues_members(),
                                                          list(MemberCategory)),
                           category_names=MemberCategory.labels())


@bp.route("/payments/new", methods=["GET", "POST"])
@requires(Role.BOARD)
def record_payments():
    form = forms.PaymentsForm()
    if form.is_submitted():
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
        if valid and _record(rows, found):
            db.session.commit()
            flash(ngettext("%(num)d payment is recorded.", "%(num)d payments are recorded.",
                           len(rows)), "success")
            return redirect(url_for("dues.record_payments"))
    return render_template("dues/payments.html", form=form)


def _key(row) -> str:
    return (row.member.data or "").replace(" ", "")


def _record(rows, found) -> bool:
    """Every row in one transaction; with any refusal nothing is kept."""
    refused = False
    for _n, row in rows:
        try:
            services.record_payment(found[_key(row)], row.year.data, row.amount_ore,
                                    row.paid_on.data, _actor(), note=row.note.data)
        except services.DuesError as exc:
            field = row.amount if exc.code == "amount" else row.member
            field.errors.append(exc.message)
            refused = True
    if refused:
        db.session.rollback()
    return not refused


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
        except IntegrityError:  # another import of the same transactions just got in first
            db.session.rollback()
            form.file.errors.append(_("Some of these transactions were imported at the same "
                                      "time by someone else. Nothing was imported from this "
                                      "file; check the imports and try again."))
        else:
            if dues_import is None:
                db.session.rollback()
                bad_lines = result.errors
            else:
                flash(ngettext("%(num)d payment imported.", "%(num)d payments imported.",
                               dues_import.row_count), "success")
                return redirect(url_for("dues.import_detail", import_id=dues_import.id))
    return render_template("dues/import.html", form=form, bad_lines=bad_lines,
                           columns=EXAMPLE_CSV.splitlines()[0])


def _filename(upload) -> str:
    """The file's own name, without a folder some browsers send along."""
    return (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]


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
    payments = queries.import_payments(import_id)
    payers = members.by_ids({payment.member_id for payment in payments})
    return render_template("dues/import_detail.html", dues_import=dues_import,
                           payments=[(payment, payers[payment.member_id])
                                     for payment in payments])


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
