"""Reads for a member's own page. Every read is scoped to the signed-in user's own record."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from foreningen.audit import AuditEvent
from foreningen.auth.tokens import token_hash
from foreningen.db import utcnow
from foreningen.dues.models import DuesPayment, DuesRate
from foreningen.dues.queries import DuesStanding, payments_of
from foreningen.extensions import db
from foreningen.members import services
from foreningen.members.models import Member, MemberStatus


def own_member(user_id: int) -> Member | None:
    """The member record of this account, and only this one."""
    return db.session.scalar(select(Member).where(Member.user_id == user_id,
                                                  Member.anonymised_at.is_(None)))


def application_for_token(token: str) -> Member | None:
    """The application a confirmation link points at, while the link still works.
    Reads only: the same rules as services.confirm_email, which does the change."""
    member = db.session.scalar(select(Member).where(
        Member.confirmation_token_hash == token_hash(token)))
    if member is None or member.status != MemberStatus.APPLIED:
        return None
    if utcnow() - member.applied_at > timedelta(hours=services.CONFIRM_HOURS):
        return None
    return member


DuesYear = DuesStanding


def dues_years(member: Member, payments: list[DuesPayment], this_year: int) -> list[DuesYear]:
    """One row per year of membership (and any year paid for), newest first: two queries."""
    rates = {r.year: r.amount_ore for r in db.session.scalars(
        select(DuesRate).where(DuesRate.category == member.category))}
    paid: dict[int, int] = {}
    for payment in payments:
        paid[payment.year] = paid.get(payment.year, 0) + payment.amount_ore
    years = set(paid)
    if member.joined_on is not None:
        last = member.left_on.year if member.left_on else this_year
        years.update(range(member.joined_on.year, last + 1))
    return [DuesYear(year, rates.get(year), paid.get(year, 0))
            for year in sorted(years, reverse=True)]


def payments(member: Member) -> list[DuesPayment]:
    return payments_of(member.id)


def events_about(member: Member) -> list[AuditEvent]:
    """Who did or saw what about this member: the audit events whose subject they are."""
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.subject_type == Member.__tablename__, AuditEvent.subject_id == member.id,
    ).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())))


MEMBER_FIELDS = ("number", "payment_reference", "first_name", "last_name", "email", "phone",
                 "street_address", "postal_code", "city", "category", "status", "why_join",
                 "locale", "protected_identity", "privacy_notice_version", "applied_at",
                 "email_confirmed_at", "joined_on", "left_on", "leave_requested_at",
                 "erasure_requested_at", "created_at", "updated_at")


def everything_about(member: Member, user_id: int, this_year: int) -> dict:
    """All the portal holds on the member, for their own download (GDPR art. 15 and 20).
    Dates stay dates here; the JSON view turns them into ISO strings. Other people are
    named only by role: `by_you` says which events were the member's own doing."""
    paid = payments(member)
    return {
        "generated_at": utcnow(),
        "member": {name: getattr(member, name) for name in MEMBER_FIELDS}
        | {"municipality": member.municipality.name if member.municipality else None},
        "status_history": [
            {"from_status": h.from_status, "to_status": h.to_status,
             "effective_on": h.effective_on, "changed_at": h.changed_at, "reason": h.reason,
             "by_you": h.actor_id == user_id}
            for h in member.history],
        "consents": [
            {"purpose": c.purpose, "version": c.version, "given_at": c.given_at,
             "withdrawn_at": c.withdrawn_at}
            for c in member.consents],
        "dues": [
            {"year": d.year, "rate_ore": d.rate_ore, "paid_ore": d.paid_ore,
             "paid_up": d.paid_up}
            for d in dues_years(member, paid, this_year)],
        "payments": [
            {"year": p.year, "amount_ore": p.amount_ore, "paid_on": p.paid_on,
             "method": p.method, "note": p.note}
            for p in paid],
        "audit_events": [
            {"occurred_at": e.occurred_at, "action": e.action, "actor_role": e.actor_role,
             "by_you": e.actor_id is not None and e.actor_id == user_id, "detail": e.detail}
            for e in events_about(member)],
    }
