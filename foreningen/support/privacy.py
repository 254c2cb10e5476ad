"""The support feature's part of privacy (retention as code in `flask purge`, and each
person's data download).

- A request declined, withdrawn or merged is deleted RETENTION_SUPPORT_ENDED_DAYS (30) after
  it ended, unless a stödperson had it: then, as for every closed assignment after
  RETENTION_SUPPORT_PARENT_MONTHS (12), what identifies the parents (names, ways to reach
  them, placement facts, wishes, notes) is erased and what the fee and the indicators need
  stays, pseudonymised: kommun, dates, and the contacts' date, length, kind and travel.
- A stödperson's download holds their assignments (without the parents) and their contacts
  with their own notes; a social worker's, the referrals they made and their state."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import exists, func, select

from foreningen.core import audit, clock, privacy
from foreningen.core.extensions import db
from foreningen.support import queries, services
from foreningen.support.models import Assignment, AssignmentStatus, Status, SupportRequest

SUPPORT_TABLES = ("support_request", "support_parent", "support_request_exclusion",
                  "support_assignment", "support_contact", "support_meeting",
                  "support_parent_account")


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@privacy.retention_rule("support.ended_requests", tables=SUPPORT_TABLES,
                        description="Declined, withdrawn and merged requests deleted")
def delete_ended(today: date) -> int:
    before = _start_of(today - timedelta(days=current_app.config[
        "RETENTION_SUPPORT_ENDED_DAYS"]))
    had_assignment = exists().where(Assignment.request_id == SupportRequest.id)
    ended = list(db.session.scalars(select(SupportRequest).where(
        SupportRequest.status.in_((Status.DECLINED, Status.WITHDRAWN, Status.MERGED)),
        SupportRequest.status_changed_at < before, ~had_assignment)))
    for support_request in ended:
        audit.record("support_request.purge", support_request, actor=None,
                     municipality_id=support_request.municipality_id, detail="deleted")
        db.session.delete(support_request)
    return len(ended)


@privacy.retention_rule("support.closed_parent_details", tables=SUPPORT_TABLES,
                        description="Parents' details of closed assignments erased")
def pseudonymise_closed(today: date) -> int:
    months = current_app.config["RETENTION_SUPPORT_PARENT_MONTHS"]
    before = _start_of(clock.months_ago(today, months))
    last_closed = (select(Assignment.request_id, func.max(Assignment.closed_at).label("closed"))
                   .group_by(Assignment.request_id).subquery())
    still_active = exists().where(Assignment.request_id == SupportRequest.id,
                                  Assignment.status == AssignmentStatus.ACTIVE)
    due = list(db.session.scalars(
        select(SupportRequest).join(last_closed, last_closed.c.request_id == SupportRequest.id)
        .where(SupportRequest.erased_at.is_(None), ~still_active,
               SupportRequest.status.not_in((Status.ASSIGNED,)),
               last_closed.c.closed < before)))
    for support_request in due:
        audit.record("support_request.purge", support_request, actor=None,
                     municipality_id=support_request.municipality_id, detail="pseudonymised")
        services.pseudonymise(support_request)
    return len(due)


@privacy.download_part("support", tables=(*SUPPORT_TABLES, "audit_event"))
def support_part(user) -> dict:
    part: dict = {}
    supporter = queries.own_supporter(user)
    if supporter is not None:
        assignments = list(db.session.scalars(select(Assignment).where(
            Assignment.supporter_id == supporter.id).order_by(Assignment.started_at)))
        if assignments:
            part["support_assignments"] = [
                {"id": a.id, "request_reference": a.request.reference, "status": a.status,
                 "started_at": a.started_at, "closed_at": a.closed_at,
                 "close_reason": a.close_reason} for a in assignments]
        meetings = queries.upcoming_meetings([a.id for a in assignments
                                              if a.status == AssignmentStatus.ACTIVE],
                                             clock.utcnow())
        if meetings:
            part["support_meetings_planned"] = [
                {"assignment_id": m.assignment_id, "starts_at": m.starts_at,
                 "minutes": m.minutes, "form": m.form, "place": m.place} for m in meetings]
        contacts = queries.own_contacts(supporter.id)
        if contacts:
            part["support_contacts"] = [
                {"assignment_id": c.assignment_id, "occurred_on": c.occurred_on,
                 "minutes": c.minutes, "form": c.form, "reached": c.reached, "km": c.km,
                 "expenses_ore": c.expenses_ore, "wellbeing": c.wellbeing,
                 "your_private_note": c.note} for c in contacts]
    own = queries.own_requests(user)
    if own:
        part["support_requests_mine"] = [
            {"reference": r.reference, "status": r.status, "received_at": r.received_at,
             "municipality_id": r.municipality_id, "language": r.language,
             "parents": [{"relation": p.relation, "channel": p.channel,
                          **queries.contact_of(p)} for p in r.parents],
             "facts": queries.facts_of(r), "wishes": {
                 "gender": r.wish_gender, "language": r.wish_language,
                 "meeting": r.wish_meeting},
             "consent_version": r.consent_version, "consented_at": r.consented_at}
            for r in own]
    referrals = list(db.session.scalars(select(SupportRequest).where(
        SupportRequest.referred_by_id == user.id).order_by(SupportRequest.received_at)))
    if referrals:
        part["support_referrals_made"] = [
            {"reference": r.reference, "received_at": r.received_at, "due_at": r.due_at,
             "state": queries.referral_state(r), "your_phone_given": r.referrer_phone}
            for r in referrals]
    return part
