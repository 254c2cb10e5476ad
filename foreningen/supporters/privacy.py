"""The stödpersoner's part of privacy: a person who ended is deleted from this feature after
the retention period, and their data download holds everything of it, with who looked."""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select

from foreningen.core import audit, clock, privacy
from foreningen.core.extensions import db
from foreningen.supporters import queries, services
from foreningen.supporters.models import Stage, Supporter

SUPPORTER_TABLES = ("supporter", "supporter_stage_change", "supporter_language",
                    "supporter_completion", "supervision_attendance", "supporter_expiry_notice")


@privacy.retention_rule("supporters.ended", tables=SUPPORTER_TABLES,
                        description="Support persons who ended deleted")
def delete_ended(today: date) -> int:
    """Everything this feature holds about a person who ended, RETENTION_SUPPORTER_ENDED_MONTHS
    after they ended (their membership follows its own rule)."""
    before = clock.months_ago(today, current_app.config["RETENTION_SUPPORTER_ENDED_MONTHS"])
    ended = list(db.session.scalars(select(Supporter).where(
        Supporter.stage == Stage.ENDED, Supporter.stage_changed_on < before)))
    for supporter in ended:
        audit.record("supporter.delete", supporter, actor=None)
        db.session.delete(supporter)
    return len(ended)


@privacy.download_part("supporters", tables=(*SUPPORTER_TABLES, "audit_event"))
def supporter_part(user) -> dict:
    supporter = queries.own(user.id)
    if supporter is None:
        return {}
    return {"support_person": {
        "profile": {
            "stage": supporter.stage, "stage_changed_on": supporter.stage_changed_on,
            "display_name": supporter.display_name, "area": supporter.area,
            "municipality_id": supporter.municipality_id, "languages": supporter.language_codes,
            "meeting_forms": supporter.meeting_forms, "times": supporter.times,
            "gender": supporter.gender, "offer": supporter.offer,
            "experience": services.experience(supporter), "capacity": supporter.capacity,
            "paused_until": supporter.paused_until, "interview_on": supporter.interview_on,
            "conflicts_of_interest": supporter.conflicts,
            # Masked here too: in full they appear only in the fee's payroll export.
            "personnummer": services.masked(supporter.personnummer),
            "bank_account": services.masked(supporter.account_number),
            "consent_version": supporter.consent_version,
            "consented_at": supporter.consented_at, "created_at": supporter.created_at},
        "stage_history": [
            {"from_stage": h.from_stage, "to_stage": h.to_stage, "effective_on": h.effective_on,
             "changed_at": h.changed_at, "note": h.note, "by_you": h.actor_id == user.id}
            for h in queries.history(supporter)],
        "completions": [
            {"requirement": c.requirement.title, "kind": c.requirement.kind,
             "version": c.requirement.version, "completed_on": c.completed_on,
             "document_dated_on": c.document_dated_on, "expires_on": c.expires_on,
             "recorded_at": c.recorded_at}
            for c in queries.completions(supporter)],
        "supervision": [
            {"held_on": s.held_on, "minutes": s.minutes, "kind": s.kind, "leader": s.leader}
            for s in queries.supervision_of(supporter, date(1900, 1, 1))],
        "expiry_notices": [
            {"requirement": n.requirement_key, "expires_on": n.expires_on,
             "days_before": n.threshold, "sent_at": n.sent_at}
            for n in queries.expiry_notices(supporter)],
        "audit_events": [
            {"occurred_at": e.occurred_at, "action": e.action, "actor_role": e.actor_role,
             "by_you": e.actor_id is not None and e.actor_id == user.id, "detail": e.detail}
            for e in audit.events_about("supporter", supporter.id)],
    }}


privacy.exempt("supervision_session",
               retention="A record of the association's supervision (date, length, leader); "
               "who attended is deleted with each person (supervision_attendance).",
               download="Each person's sessions are in their own download (supervision).")
privacy.exempt("supporter_requirement",
               retention="The association's own requirements and pledge texts, kept as the "
               "terms people's completions were recorded under; a person appears only as the "
               "coordinator who wrote a version.",
               download="Holds no one's data: a coordinator is named only as its author.")
