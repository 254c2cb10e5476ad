"""A member's own page: details, dues, consents, their data, leaving. Thin: services decide.

Every view finds the record through the signed-in account (queries.own_member), so a member
can only ever reach their own. Any signed-in account may open the pages: one without a
member record gets a friendly hint to apply, hence login_required rather than a role."""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import wraps

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from foreningen.accounts import services as accounts
from foreningen.core import audit, clock, privacy
from foreningen.core.extensions import db
from foreningen.core.forms import EmptyForm, LanguageForm
from foreningen.core.security import Role
from foreningen.core.web import carry_out
from foreningen.members import forms, queries, services
from foreningen.members.models import CURRENT_STATUSES, ConsentPurpose, MemberCategory, MemberStatus
from foreningen.municipalities.queries import all_municipalities
from foreningen.supporters import queries as supporters

bp = Blueprint("membership", __name__, url_prefix="/membership")

DETAIL_FIELDS = ("first_name", "last_name", "email", "phone", "street_address", "postal_code",
                 "city", "municipality_id")
# The short, non-personal detail of an audit event, in words.
DETAIL_LABELS = {
    **ConsentPurpose.labels(),
    "json": _l("as a file (JSON)"),
    "html": _l("as a web page"),
}
ACTION_LABELS = {
    "member.apply": _l("Application received"),
    "member.application_duplicate": _l("Someone applied again with your email address"),
    "member.email_confirm": _l("Email address confirmed"),
    "member.approve": _l("Application approved"),
    "member.decline": _l("Application declined"),
    "member.update": _l("Details changed"),
    "member.view": _l("Your details were looked at"),
    "member.reveal_contact": _l("Your protected address was looked at"),
    "member.export": _l("Your data was downloaded"),
    "member.consent_give": _l("Consent given"),
    "member.consent_withdraw": _l("Consent withdrawn"),
    "member.erasure_request": _l("Erasure requested"),
    "member.protected_on": _l("Protected identity turned on"),
    "member.protected_off": _l("Protected identity turned off"),
    "member.anonymise": _l("Anonymised"),
}
def _me():
    return current_user._get_current_object()


def own_record(view):
    """Signed in, with a member record of one's own; otherwise the hint to apply."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        member = queries.own_member(current_user.id)
        if member is None:
            return render_template("membership/not_a_member.html")
        return view(member, *args, **kwargs)

    return wrapped


def _labels() -> dict:
    return {"status_labels": MemberStatus.names(), "category_labels": MemberCategory.names(),
            "purpose_names": ConsentPurpose.names(), "action_labels": ACTION_LABELS,
            "detail_labels": DETAIL_LABELS, "role_names": Role.names(),
            "every_action": audit.ACTIONS, "stage_names": supporters.stage_names()}


@bp.route("/")
@own_record
def index(member):
    paid = queries.payments(member)
    active = {c.purpose for c in member.consents if c.withdrawn_at is None}
    language = LanguageForm(locale=_me().locale or member.locale)
    return render_template(
        "membership/index.html", member=member, payments=paid,
        dues=queries.dues_years(member, paid, clock.today().year),
        optional_purposes=services.OPTIONAL_PURPOSES, active_consents=active,
        language_form=language, button=EmptyForm(),
        is_current=member.status in CURRENT_STATUSES, **_labels())


@bp.route("/details", methods=["GET", "POST"])
@own_record
def details(member):
    form = forms.DetailsForm(obj=member)
    form.set_municipality_choices(
        [m for m in all_municipalities() if m.active or m.id == member.municipality_id],
        _("None"))
    if form.validate_on_submit():
        values = {name: form[name].data for name in DETAIL_FIELDS if name != "email"}
        if member.category == MemberCategory.ORGANISATION:
            values["organisation_name"] = form.organisation_name.data
        new_email = form.email.data.strip().lower()
        changing = new_email != member.email
        try:
            if changing:
                services.request_email_change(member, new_email, form.current_password.data,
                                              _me())
            services.update_details(member, values, _me())
            db.session.commit()
        except services.MemberError as exc:
            db.session.rollback()
            field = form.current_password if exc.code == "wrong_password" else form.email
            field.errors.append(exc.message)
        except IntegrityError:  # another request took the address at the same moment
            db.session.rollback()
            form.email.errors.append(services.MemberError("email_taken").message)
        else:
            flash(_("Your details are saved. To change your email address, open the link we "
                    "sent to the new address.") if changing else _("Your details are saved."),
                  "success")
            return redirect(url_for("membership.index"))
    return render_template("membership/details.html", form=form, member=member)


@bp.route("/email/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """From the link sent to the new address: a button (a mail scanner's GET changes
    nothing), then the address is the member's."""
    if queries.email_change_for_token(token, services.EMAIL_CHANGE_HOURS) is None:
        return render_template("join/link_invalid.html"), 410
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            services.confirm_email_change(token, None)
        except services.MemberError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return render_template("join/link_invalid.html"), 410
        db.session.commit()
        flash(_("Your new email address is confirmed."), "success")
        return redirect(url_for("membership.index") if current_user.is_authenticated
                        else url_for("auth.sign_in"))
    return render_template("membership/confirm_email.html", form=form, token=token)


@bp.route("/language", methods=["POST"])
@own_record
def language(member):
    form = LanguageForm()
    if not form.validate_on_submit():
        flash(_("Choose a language from the list."), "error")
        return redirect(url_for("membership.index"))
    locale = form.locale.data
    accounts.set_locale(_me(), locale)  # the portal's language
    services.update_details(member, {"locale": locale}, _me())  # the association's mail
    db.session.commit()
    session["locale"] = locale
    with force_locale(locale):
        flash(_("The language is changed."), "success")
    return redirect(url_for("membership.index"))


@bp.route("/consents/<purpose>/<choice>", methods=["POST"])
@own_record
def consent(member, purpose: str, choice: str):
    if purpose not in services.OPTIONAL_PURPOSES or choice not in ("give", "withdraw"):
        abort(404)
    if EmptyForm().validate_on_submit():
        services.set_consent(member, purpose, choice == "give", _me())
        db.session.commit()
        flash(_("Thank you, your consent is recorded.") if choice == "give"
              else _("Your consent is withdrawn."), "success")
    return redirect(url_for("membership.index") + "#consents-heading")


def _export(member, kind: str) -> dict:
    """Everything every feature holds on the person; the download is audited (and listed
    in itself) in the request's one transaction, committed once the answer is made."""
    services.record_download(member, kind, _me())
    return privacy.everything_about(_me())


def _json_value(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _attachment(response, filename: str):
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/my-data.json")
@own_record
def data_json(member):
    data = _export(member, "json")
    body = json.dumps(data, default=_json_value, ensure_ascii=False, indent=2, sort_keys=True)
    response = make_response(body)
    response.mimetype = "application/json"
    db.session.commit()
    return _attachment(response, f"foreningen-member-{member.number}.json")


@bp.route("/my-data")
@own_record
def data_html(member):
    """The page, or with ?download=1 a file of its own to keep: styles inside, no forms."""
    data = _export(member, "html")
    if request.args.get("download"):
        page = render_template("membership/my_data_file.html", data=data, member=member,
                               **_labels())
    else:
        page = render_template("membership/my_data.html", data=data, member=member,
                               **_labels())
    response = make_response(page)
    db.session.commit()
    if request.args.get("download"):
        return _attachment(response, f"foreningen-member-{member.number}.html")
    return response


@bp.route("/leave", methods=["GET", "POST"])
@own_record
def leave(member):
    form = EmptyForm()
    can_leave = member.status in (MemberStatus.ACTIVE, MemberStatus.LAPSED)
    if can_leave and form.validate_on_submit():
        if carry_out(lambda: services.request_leave(member, _me())):
            flash(_("You have left the association. Thank you for your time with us."),
                  "success")
        return redirect(url_for("membership.index"))
    return render_template("membership/leave.html", form=form, member=member,
                           can_leave=can_leave, **_labels())


@bp.route("/erasure", methods=["GET", "POST"])
@own_record
def erasure(member):
    form = EmptyForm()
    if form.validate_on_submit():
        services.request_erasure(member, _me())
        db.session.commit()
        flash(_("Your request is recorded. The board erases your data within one month."),
              "success")
        return redirect(url_for("membership.index"))
    return render_template("membership/erasure.html", form=form, member=member)
