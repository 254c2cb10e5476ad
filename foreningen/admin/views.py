from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from foreningen.accounts import queries as account_queries
from foreningen.accounts import services as accounts
from foreningen.admin import forms, queries
from foreningen.admin.policy import AUDIT_READERS
from foreningen.core import audit
from foreningen.core.extensions import db
from foreningen.core.forms import EmptyForm, choices, page_number
from foreningen.core.security import Role, can, refuse_unless
from foreningen.core.web import carry_out
from foreningen.municipalities import queries as municipality_queries
from foreningen.municipalities import services as municipality_services

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The board reviews who accessed what (PRIVACY.md); everything else here is for admins.
BOARD_READABLE = {"admin.audit_log"}


@bp.before_request
def _only_admins():
    return refuse_unless(*(AUDIT_READERS if request.endpoint in BOARD_READABLE
                           else (Role.ADMIN,)))


def _admin():
    return current_user._get_current_object()


def _page() -> int:
    return page_number(request.args.get("page"))


def _municipality_choices(form, current: int | None = None) -> None:
    """Active kommuner, and the one the account already belongs to even when inactive."""
    form.municipality_id.choices = choices([("", _("None"))] + [
        (m.id, f"{m.name} ({m.code})") for m in municipality_queries.all_municipalities()
        if m.active or m.id == current
    ])


@bp.route("/users")
def users():
    form = forms.UserFilterForm(request.args)
    form.role.choices = choices([("", _("All roles"))]) + forms.role_choices()
    form.status.choices = choices([("", _("All")), ("active", _("Active")),
                                   ("invited", _("Invited")), ("disabled", _("Disabled"))])
    f = _valid_filters(form)
    pagination = account_queries.users_page(current_user, f["q"], f["role"], f["status"],
                                            _page())
    return render_template("admin/users.html", form=form, pagination=pagination,
                           role_names=Role.names())


@bp.route("/users/invite", methods=["GET", "POST"])
def invite_user():
    form = forms.InviteForm()
    _municipality_choices(form)
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.email.data, form.display_name.data, form.roles.data,
                                        municipality_id=form.municipality_id.data,
                                        locale=form.locale.data, actor=_admin(),
                                        actor_password=form.password.data)
            accounts.invite(user)
        except accounts.AccountError as exc:
            db.session.rollback()
            field = {"email_taken": form.email, "reauth_required": form.password,
                     "wrong_password": form.password}.get(exc.code, form.roles)
            field.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The invitation is on its way."), "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/invite.html", form=form)


def _user_or_404(user_id: int):
    return account_queries.account(current_user, user_id) or abort(404)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    account = _user_or_404(user_id)
    form = forms.UserRolesForm(obj=None if request.method == "POST" else account)
    _municipality_choices(form, account.municipality_id)
    if request.method == "GET":
        form.roles.data = sorted(account.role_names)
        form.municipality_id.data = account.municipality_id
    if form.validate_on_submit():
        try:
            accounts.set_roles(account, form.roles.data, form.municipality_id.data,
                               actor=_admin(), actor_password=form.password.data)
        except accounts.AccountError as exc:
            db.session.rollback()
            field = form.password if exc.code in ("reauth_required", "wrong_password") \
                else form.roles
            field.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The roles are saved."), "success")
            return redirect(url_for("admin.user", user_id=account.id))
    return render_template("admin/user.html", account=account, form=form,
                           action_form=EmptyForm(), role_names=Role.names())


@bp.route("/users/<int:user_id>/<any(disable, enable, reinvite):action>", methods=["POST"])
def user_action(user_id: int, action: str):
    account = _user_or_404(user_id)
    refusal = _refused_action(account, action)
    if refusal:
        flash(refusal, "error")
    elif EmptyForm().validate_on_submit():
        try:
            if action == "disable":
                accounts.disable_user(account, actor=current_user._get_current_object())
                message = _("The account is disabled and signed out everywhere.")
            elif action == "enable":
                accounts.enable_user(account)
                message = _("The account is enabled again.")
            else:
                accounts.invite(account)
                message = _("A new invitation is on its way.")
        except accounts.AccountError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(message, "success")
    return redirect(url_for("admin.user", user_id=account.id))


def _refused_action(account, action: str) -> str | None:
    """The page offers no such button; a hand-made POST gets the reason instead."""
    if action == "reinvite" and (account.password_hash or account.disabled_at):
        return _("Only accounts that are waiting for their first sign-in can be invited again.")
    return None


@bp.route("/municipalities")
def municipalities():
    return render_template("admin/municipalities.html",
                           municipalities=municipality_queries.all_municipalities())


@bp.route("/municipalities/new", methods=["GET", "POST"])
@bp.route("/municipalities/<int:municipality_id>", methods=["GET", "POST"])
def municipality(municipality_id: int | None = None):
    existing = None
    if municipality_id is not None:
        existing = municipality_queries.get(municipality_id) or abort(404)
    # On POST only what was posted counts: a field left out must not be filled from the
    # database (a missing checkbox would then switch the kommun off).
    form = forms.MunicipalityForm(obj=existing if request.method == "GET" else None)
    def save():
        if existing is None:
            return municipality_services.create(form.code.data, form.name.data,
                                                form.active.data)
        return municipality_services.update(existing, form.code.data, form.name.data,
                                            form.active.data)

    if form.validate_on_submit() and carry_out(save, form.code.errors.append):
        flash(_("The municipality is saved."), "success")
        return redirect(url_for("admin.municipalities"))
    return render_template("admin/municipality.html", form=form, existing=existing)


def _valid_filters(form) -> dict:
    """The filters that are valid; an invalid one is shown with its error and ignored."""
    form.validate()
    return {name: None if field.errors else field.data for name, field in form._fields.items()}


@bp.route("/audit")
def audit_log():
    form = forms.AuditFilterForm(request.args)
    form.set_choices(audit.FAMILIES, audit.ACTIONS, audit.SUBJECTS)
    f = _valid_filters(form)
    pagination, people = queries.audit_page(
        current_user, f["action"], f["actor"], f["subject_type"], f["date_from"], f["date_to"],
        _page())
    return render_template("admin/audit.html", form=form, pagination=pagination,
                           people=people, actions=audit.ACTIONS, subjects=audit.SUBJECTS,
                           role_names=Role.names(), full=can("admin.administer"))
