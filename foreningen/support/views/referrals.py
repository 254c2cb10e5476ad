"""A social worker refers parents at placement (krisstöd) and follows the state of the
referrals they made: received, assigned, contacted, closed — nothing the parent said."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from foreningen.core import clock
from foreningen.core.policy import authorize
from foreningen.core.security import Role, refuse_unless
from foreningen.core.web import carry_out
from foreningen.support import crisis_clock, forms, queries, services
from foreningen.support.models import PlacementReason

bp = Blueprint("referrals", __name__, url_prefix="/referrals")


@bp.before_request
def _social_workers_only():
    return refuse_unless(Role.SOCIAL_WORKER)


def _actor():
    return current_user._get_current_object()


@bp.route("/")
def index():
    authorize("support.refer")
    return render_template("support/referrals/index.html",
                           referrals=queries.own_referrals(_actor()),
                           state_of=queries.referral_state, now=clock.utcnow())


@bp.route("/new", methods=["GET", "POST"])
def refer():
    authorize("support.refer")
    form = forms.ReferralForm()
    if form.validate_on_submit():
        done = carry_out(lambda: services.refer(_actor(), form.values(), form.parent_values()),
                         form.reason.errors.append)
        if done:
            flash(_("The referral is sent. The parents will be contacted by the end of "
                    "%(day)s.", day=format_date(crisis_clock.due_day(done.value.due_at))),
                  "success")
            return redirect(url_for("referrals.index"))
    return render_template("support/referrals/new.html", form=form,
                           reasons=PlacementReason.names())

