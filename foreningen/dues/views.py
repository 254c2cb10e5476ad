"""Dues pages for the board: the year's overview and rates, payments by hand, bank-file import
and reminders. Thin: parse, authorise, call a service, commit once, render or redirect."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

# The member register first: its queries read dues queries, which read its models. Loaded
# the other way round (dues first), the two packages would import each other half-done.
import foreningen.members  # noqa: F401,I001
from foreningen.dues import bp, forms, queries, services
from foreningen.extensions import db
from foreningen.security import Role, requires

MAX_FILE_BYTES = 5 * 1024 * 1024
FILE_ERRORS = {
    "encoding": _l("The file's character encoding is unknown. Save it as UTF-8 or "
                   "Windows-1252 (\"CSV\" in Excel) and try again."),
    "columns": _l("The file does not have the expected columns. The first line must name "
                  "at least the columns Datum, Referens and Belopp."),
    "empty": _l("The file has no payments."),
    "size": _l("The file is too large. Split it into smaller files."),
}
PAYMENT_ERRORS = {
    "amount": _l("The amount must be more than zero."),
    "anonymised": _l("This member's details have been anonymised; no payments can be "
                     "recorded."),
}
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
                           overview=queries.year_overview(year),
                           category_names=forms.CATEGORY_NAMES)


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
        members = queries.members_by_key([_key(row) for _n, row in rows])
        for _n, row in rows:
            if _key(row) and not row.member.errors and _key(row) not in members:
                row.member.errors.append(_("No member has this number or payment reference."))
                valid = False
        if valid and _record(rows, members):
            db.session.commit()
            flash(ngettext("%(num)d payment is recorded.", "%(num)d payments are recorded.",
                           len(rows)), "success")
            return redirect(url_for("dues.record_payments"))
    return render_template("dues/payments.html", form=form)


def _key(row) -> str:
    return (row.member.data or "").replace(" ", "")


def _record(rows, members) -> bool:
    """Every row in one transaction; with any refusal nothing is kept."""
    refused = False
    for _n, row in rows:
        try:
            services.record_payment(members[_key(row)], row.year.data, row.amount_ore,
                                    row.paid_on.data, _actor(), note=row.note.data)
        except services.DuesError as exc:
            field = row.amount if exc.code == "amount" else row.member
            field.errors.append(str(PAYMENT_ERRORS[exc.code]))
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
                raise services.DuesError("size")
            dues_import, result = services.import_bank_file(data, _filename(upload), _actor())
            if dues_import is not None:
                db.session.commit()
        except services.DuesError as exc:
            db.session.rollback()
            form.file.errors.append(str(FILE_ERRORS[exc.code]))
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
    dues_import = queries.dues_import(import_id) or abort(404)
    return render_template("dues/import_detail.html", dues_import=dues_import,
                           payments=queries.import_payments(import_id))


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
