from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from foreningen.accounts import devices, forms, queries, services
from foreningen.core.extensions import db
from foreningen.core.web import carry_out

bp = Blueprint("account", __name__, url_prefix="/account")


def _me():
    return current_user._get_current_object()


@bp.route("/")
@login_required
def index():
    me = _me()
    return render_template(
        "account/index.html",
        sessions=[(s, devices.describe(s.user_agent)) for s in queries.active_sessions(me)],
        recovery_left=queries.unused_recovery_codes(me) if me.has_totp else None,
        form=forms.EmptyForm(),
        disable_form=forms.PasswordConfirmForm(),
    )


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    me = _me()
    form = forms.ChangePasswordForm()
    form.email_for_policy = me.email
    if form.validate_on_submit() and carry_out(
            lambda: services.change_password(me, form.current.data, form.password.data),
            form.current.errors.append):
        flash(_("Your password is changed. Other devices have been signed out."), "success")
        return redirect(url_for("account.index"))
    return render_template("account/password.html", form=form)


@bp.route("/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    if forms.EmptyForm().validate_on_submit():
        me = _me()
        count = services.revoke_all_sessions(me, "user", keep=me.current_session)
        db.session.commit()
        flash(ngettext("Signed out on %(num)d other device.",
                       "Signed out on %(num)d other devices.", count), "success")
    return redirect(url_for("account.index"))


@bp.route("/recovery-codes", methods=["POST"])
@login_required
def new_recovery_codes():
    me = _me()
    form = forms.PasswordConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("account.index"))
    try:
        codes = services.renew_recovery_codes(me, form.password.data)
    except services.AccountError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("account.index"))
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes)


@bp.route("/two-factor/disable", methods=["POST"])
@login_required
def disable_totp():
    form = forms.PasswordConfirmForm()
    if form.validate_on_submit() and carry_out(
            lambda: services.disable_totp(_me(), form.password.data)):
        flash(_("The second factor is turned off."), "success")
    return redirect(url_for("account.index"))
