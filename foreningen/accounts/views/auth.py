"""Sign-in, second factor, sign-out, password reset and invitations. Thin: services decide."""

from __future__ import annotations

import time

import segno
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from foreningen.accounts import forms, services
from foreningen.accounts.queries import normalise_email
from foreningen.core import jobs
from foreningen.core.db import own_session
from foreningen.core.extensions import db, limiter
from foreningen.core.security import is_safe_next
from foreningen.core.tokens import token_hash

bp = Blueprint("auth", __name__, url_prefix="/auth")

PENDING_SECONDS = 300


def load_user(token: str):
    """Flask-Login's user loader. Reading the sign-in is part of the request; touching or
    revoking it is bookkeeping in a short unit of work of its own, committed before the
    view starts, so that the request's one transaction stays the view's alone."""
    user_session, state = services.session_state(token)
    if state == "ok":
        return services.signed_in_user(user_session, token)
    if state == "none":
        return None
    session_id, user_id = user_session.id, user_session.user_id
    # End the request's reads first: on SQLite a read begun before another connection's
    # write could not become a write later.
    db.session.rollback()
    with own_session() as bookkeeping:
        if state == "expired":
            services.expire_session(bookkeeping, session_id, user_id)
        else:
            services.touch_session(bookkeeping, session_id)
    if state == "expired":
        return None
    user_session, state = services.session_state(token)
    return services.signed_in_user(user_session, token) if state == "ok" else None


def _account_key() -> str:
    return "account:" + normalise_email(request.form.get("email", ""))


def _pending_key() -> str:
    return "pending:" + str(session.get("pending_user_id", "none"))


def lift_account_limit(email: str) -> None:
    """A password reset link proves the owner: guesses against the account (the per-account
    sign-in limit) stop holding its owner back. The per-address limit stays, so an attacker
    who can read the mailbox gains nothing they did not already have."""
    endpoint = "auth.sign_in"
    key = "account:" + normalise_email(email)
    for group in limiter.limit_manager.resolve_limits(current_app, endpoint, "auth"):
        for limit in group:
            if limit.key_func is _account_key:
                limiter.limiter.clear(limit.limit, key, limit.scope_for(endpoint, "POST"))


def _per_account():
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def _per_address():
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


def start_page():
    return redirect(url_for("main.index"))


def _failed(response) -> bool:
    """Only failed attempts count toward the limits: a sign-in or a code that worked answers
    with a redirect. Members signing in at a meeting behind one address are not guessing."""
    return response.status_code != 302


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_per_address, methods=["POST"], deduct_when=_failed)
@limiter.limit(_per_account, methods=["POST"], key_func=_account_key, deduct_when=_failed)
def sign_in():
    if current_user.is_authenticated:
        return start_page()
    form = forms.SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            return _after_password(user, form.next.data)
        db.session.commit()  # keeps the failed-sign-in audit event
        form.password.errors.append(_("The email address or the password is wrong."))
    return render_template("auth/sign_in.html", form=form)


def _after_password(user, next_url: str | None):
    session.clear()  # a new session at every sign-in
    if user.has_totp:
        session["pending_user_id"] = user.id
        session["pending_since"] = time.time()
        session["pending_next"] = next_url if is_safe_next(next_url) else None
        db.session.commit()
        return redirect(url_for("auth.second_factor"))
    if user.is_staff and current_app.config["REQUIRE_STAFF_2FA"]:
        # The password alone does not let anyone enrol a phone: the set-up needs a link
        # sent to the account's address (probe finding 11).
        services.send_enrolment_link(user)
        db.session.commit()
        return render_template("auth/enrol_sent.html",
                               hours=current_app.config["ENROL_TOKEN_HOURS"])
    return _complete(user, "password", next_url)


def _complete(user, method: str, next_url: str | None):
    locale = session.get("locale")
    session.clear()
    if locale and not user.locale:
        user.locale = locale
    services.start_session(user, method)
    login_user(user)
    db.session.commit()
    return redirect(next_url if is_safe_next(next_url) else url_for("main.index"))


def _pending_user():
    user_id = session.get("pending_user_id")
    since = session.get("pending_since", 0)
    if not user_id or time.time() - since > PENDING_SECONDS:
        return None
    from foreningen.accounts.models import User

    user = db.session.get(User, user_id)
    return user if user is not None and user.is_active else None


@bp.route("/two-factor", methods=["GET", "POST"])
@limiter.limit(_per_account, methods=["POST"], key_func=_pending_key, deduct_when=_failed)
def second_factor():
    if current_user.is_authenticated:
        return start_page()
    user = _pending_user()
    if user is None or not user.has_totp:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.sign_in"))
    form = forms.SecondFactorForm()
    if form.validate_on_submit():
        method = services.verify_second_factor(user, form.code.data)
        if method:
            if method == "recovery":
                flash(_("You used a recovery code. Make new ones from your account page "
                        "when you are running low."), "info")
            return _complete(user, "totp" if method == "totp" else "recovery_code",
                             session.get("pending_next"))
        db.session.commit()
        form.code.errors.append(services.AccountError("wrong_code").message)
    return render_template("auth/second_factor.html", form=form)


def _enrol_key() -> str:
    return "enrol:" + token_hash((request.view_args or {}).get("token", ""))


@bp.route("/two-factor/enrol/<token>", methods=["GET", "POST"])
@limiter.limit(_per_account, methods=["POST"], key_func=_enrol_key, deduct_when=_failed)
def enrol(token: str):
    """The link a staff member without a second factor was sent at sign-in. It asks for the
    password again (the link may be opened on another device), then leads to the set-up."""
    account_token = services.valid_token(token, services.ENROL)
    if account_token is None:
        return render_template("auth/token_invalid.html", purpose=services.ENROL), 410
    user = account_token.user
    form = forms.PasswordConfirmForm()
    if form.validate_on_submit():
        if services.password_matches(user, form.password.data):
            session.clear()
            session["enrolling_user_id"] = user.id
            session["enrolling_token"] = account_token.token_hash
            return redirect(url_for("auth.totp_setup"))
        services.record_failed_password(user)
        db.session.commit()
        form.password.errors.append(_("The password is wrong."))
    return render_template("auth/enrol.html", form=form, email=user.email)


def _enrolling():
    """(user, link) of a staff member who opened their enrolment link and gave their
    password in this browser; (None, None) otherwise."""
    account_token = services.enrolment_token(session.get("enrolling_token"),
                                             session.get("enrolling_user_id"))
    return (account_token.user, account_token) if account_token else (None, None)


@bp.route("/two-factor/setup", methods=["GET", "POST"])
def totp_setup():
    """Signed in: set up (or replace nothing: one at a time) a second factor. Not signed in:
    only through an enrolment link (enrol above), never with a password alone."""
    link = None
    if current_user.is_authenticated:
        user = current_user
    else:
        user, link = _enrolling()
    if user is None:
        return redirect(url_for("auth.sign_in"))
    if user.has_totp:
        return redirect(url_for("account.index"))
    form = forms.ConfirmTotpForm()
    if request.method == "POST" and request.form.get("action") == "begin":
        if forms.EmptyForm().validate_on_submit():
            services.begin_totp(user)
            db.session.commit()
        return redirect(url_for("auth.totp_setup"))
    if form.validate_on_submit():
        try:
            if link is not None:
                codes = services.finish_enrolment(link, form.code.data)
            else:
                codes = services.confirm_totp(user, form.code.data)
        except services.AccountError as exc:
            db.session.rollback()
            form.code.errors.append(exc.message)
        else:
            if link is not None:
                _complete(user, "totp_enrolment", None)
            else:
                db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes)
    qr = None
    if user.totp_secret:
        qr = segno.make(services.provisioning_uri(user), error="m").svg_data_uri(
            scale=5, border=2, dark="#1b1b1b", light="#ffffff")
    return render_template("auth/totp_setup.html", form=form, qr=qr,
                           secret=user.totp_secret, pending=link is not None)


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out():
    form = forms.EmptyForm()
    if form.validate_on_submit():
        services.sign_out(current_user._get_current_object())
        db.session.commit()
        locale = session.get("locale") or current_user.locale
        logout_user()
        session.clear()
        if locale:
            session["locale"] = locale
        flash(_("You are signed out."), "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_per_address, methods=["POST"])
def request_reset():
    form = forms.ResetRequestForm()
    if form.validate_on_submit():
        # Done after the answer (core/jobs.py), so that the answer takes as long for an
        # account's address as for an unknown one.
        jobs.defer("accounts.password_reset", email=form.email.data)
        db.session.commit()
        # The same answer whether or not the address has an account.
        return render_template("auth/reset_sent.html")
    return render_template("auth/reset_request.html", form=form)


def _token_page(token: str, purpose: str, template: str, done_message):
    account_token = services.valid_token(token, purpose)
    if account_token is None:
        return render_template("auth/token_invalid.html", purpose=purpose), 410
    form = forms.SetPasswordForm()
    form.email_for_policy = account_token.user.email
    if form.validate_on_submit():
        email = account_token.user.email
        services.use_token(account_token, form.password.data)
        db.session.commit()
        lift_account_limit(email)
        flash(done_message(), "success")
        return redirect(url_for("auth.sign_in"))
    return render_template(template, form=form, user=account_token.user)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _token_page(token, services.RESET, "auth/reset_password.html",
                       lambda: _("Your password is changed. Sign in with the new one."))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _token_page(token, services.INVITE, "auth/accept_invitation.html",
                       lambda: _("Welcome! Your account is ready. Sign in to continue."))
