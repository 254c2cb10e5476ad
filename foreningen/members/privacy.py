"""Membership's part of privacy: retention rules for `flask purge` and the member's part of
"download my data". Registered with the core when create_app loads the feature."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import or_, select

from foreningen.core import audit, clock, privacy
from foreningen.core.db import utcnow
from foreningen.core.extensions import db
from foreningen.dues import queries as dues
from foreningen.members import queries
from foreningen.members.models import Member, MemberStatus
from foreningen.members.services import anonymise

MEMBER_TABLES = ("member", "member_status_change", "member_consent")
MEMBER_FIELDS = ("number", "payment_reference", "first_name", "last_name", "email", "phone",
                 "street_address", "postal_code", "city", "category", "status", "why_join",
                 "locale", "protected_identity", "privacy_notice_version", "applied_at",
                 "email_confirmed_at", "joined_on", "left_on", "leave_requested_at",
                 "erasure_requested_at", "pending_email", "created_at", "updated_at")


@privacy.retention_rule("members.former", tables=(*MEMBER_TABLES, "user_account"),
                        description="Former members anonymised")
def anonymise_former(today: date) -> int:
    """Former members are anonymised RETENTION_LEFT_MONTHS after leaving (their account too,
    when it has no other role); what other features hold follows the signal."""
    left_before = clock.months_ago(today, current_app.config["RETENTION_LEFT_MONTHS"])
    former = list(db.session.scalars(select(Member).where(
        Member.status == MemberStatus.LEFT, Member.left_on < left_before,
        Member.anonymised_at.is_(None))))
    for member in former:
        anonymise(member)
    return len(former)


@privacy.retention_rule("members.stale_applications", tables=MEMBER_TABLES,
                        description="Unconfirmed or declined applications deleted")
def delete_stale_applications(today: date) -> int:
    """Applications never confirmed, or declined, that nobody needs any more. A member row
    with payments is never deleted (accounting), only anonymised."""
    stale = utcnow() - timedelta(days=current_app.config["RETENTION_UNCONFIRMED_DAYS"])
    unconfirmed = list(db.session.scalars(select(Member).where(
        Member.applied_at < stale, Member.id.not_in(dues.payer_ids()),
        Member.anonymised_at.is_(None),
        or_(Member.status == MemberStatus.DECLINED,
            (Member.status == MemberStatus.APPLIED) & Member.email_confirmed_at.is_(None)))))
    for member in unconfirmed:
        audit.record("member.delete", ("member", member.id), actor=None)
        db.session.delete(member)
    return len(unconfirmed)


@privacy.download_part("members", tables=(*MEMBER_TABLES, "audit_event"))
def member_part(user) -> dict:
    """The member record, its history and consents, and who did or saw what about it.
    Other people are named only by role: `by_you` marks the person's own doing."""
    member = queries.own_member(user.id)
    if member is None:
        return {}
    return {
        "member": {name: getattr(member, name) for name in MEMBER_FIELDS}
        | {"municipality": member.municipality.name if member.municipality else None},
        "status_history": [
            {"from_status": h.from_status, "to_status": h.to_status,
             "effective_on": h.effective_on, "changed_at": h.changed_at, "reason": h.reason,
             "by_you": h.actor_id == user.id}
            for h in member.history],
        "consents": [
            {"purpose": c.purpose, "version": c.version, "given_at": c.given_at,
             "withdrawn_at": c.withdrawn_at}
            for c in member.consents],
        "audit_events": [
            {"occurred_at": e.occurred_at, "action": e.action, "actor_role": e.actor_role,
             "by_you": e.actor_id is not None and e.actor_id == user.id, "detail": e.detail}
            for e in queries.events_about(member)],
    }

