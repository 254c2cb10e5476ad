"""What the start page offers each role: only links to pages that exist."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from foreningen.core import clock
from foreningen.core.security import Role
from foreningen.support import queries as support
from foreningen.supporters import queries as supporters

ROLE_DESCRIPTIONS = {
    Role.MEMBER: _l("You are a member of the association."),
    Role.PARENT: _l("Only you, your support person and the coordinator can see your "
                    "details."),
    Role.SUPPORTER: _l("You support parents as a trained peer."),
    Role.COORDINATOR: _l("You match parents with support persons and follow up."),
    Role.BOARD: _l("You lead the association: members, dues and the annual meeting."),
    Role.REVIEWER: _l("You review fee claims for your municipality and see aggregate "
                      "figures, never a parent's identity."),
    Role.SOCIAL_WORKER: _l("You refer parents to crisis support in your municipality."),
    Role.ADMIN: _l("You manage accounts, roles and municipalities."),
}


# What each role will find here when the portal's next parts are built: said plainly, with
# no link to a page that does not exist yet.
COMING = {
    Role.PARENT: _l("Coming to the portal: your request and your meetings in your account. "
                    "Until then, follow your request with its reference and personal code."),
    Role.SUPPORTER: _l("Coming to the portal: planned meetings and your fee claims."),
    Role.COORDINATOR: _l("Coming to the portal: ranked matching suggestions and follow-up."),
    Role.REVIEWER: _l("Coming to the portal: the fee claims of your municipality and its "
                      "figures."),
    Role.SOCIAL_WORKER: _l("Coming to the portal: the reports back that parents agree to."),
}


@dataclass
class Section:
    role: str
    title: str
    description: str
    links: list[tuple[str, str]] = field(default_factory=list)
    coming: str | None = None
    notice: str | None = None
    facts: list[str] = field(default_factory=list)


def _links(role: Role) -> list[tuple[str, str]]:
    if role is Role.ADMIN:
        return [
            (_l("Users"), url_for("admin.users")),
            (_l("Municipalities"), url_for("admin.municipalities")),
            (_l("Audit log"), url_for("admin.audit_log")),
            (_l("Readiness requirements"), url_for("supporters.requirements")),
        ]
    if role is Role.BOARD:
        return [
            (_l("Member register"), url_for("members.register")),
            (_l("Applications"), url_for("members.applications")),
            (_l("Dues"), url_for("dues.index")),
            (_l("Support persons"), url_for("supporters.pipeline")),
            (_l("The association's details"), url_for("association.settings")),
            (_l("Audit log"), url_for("admin.audit_log")),
        ]
    if role is Role.COORDINATOR:
        return [
            (_l("Requests for support"), url_for("support.queue")),
            (_l("Support persons"), url_for("supporters.pipeline")),
            (_l("Support persons who need attention"), url_for("supporters.attention")),
            (_l("Record training"), url_for("supporters.training")),
            (_l("Readiness requirements"), url_for("supporters.requirements")),
            (_l("Member register"), url_for("members.register")),
        ]
    if role is Role.SUPPORTER:
        return [(_l("The parents I support"), url_for("mine.index")),
                (_l("My support person page"), url_for("supporter.index"))]
    if role is Role.SOCIAL_WORKER:
        return [(_l("Refer parents to crisis support"), url_for("referrals.refer")),
                (_l("My referrals"), url_for("referrals.index"))]
    if role is Role.PARENT:
        return [(_l("My requests for a support person"), url_for("ask.mine")),
                (_l("Ask for a support person"), url_for("ask.ask")),
                (_l("Follow a request with its reference and code"), url_for("ask.status"))]
    if role is Role.MEMBER:
        return [(_l("My membership"), url_for("membership.index")),
                (_l("Support persons"), url_for("supporter.index"))]
    return []


def _supporter_notice(user) -> str | None:
    """Something the stödperson must renew or do, said without detail (the page says it)."""
    readiness = supporters.own_readiness(user, clock.today(),
                                         current_app.config["SUPPORTER_RENEWAL_DAYS"])
    if readiness is not None and readiness.to_do:
        return _l("Something in your support person profile needs doing or renewing.")
    return None


def _queue_facts(user) -> tuple[list[str], str | None]:
    counts = support.queue_counts(user, clock.utcnow())
    facts = [ngettext("%(num)s open request for support", "%(num)s open requests for support",
                      counts.open),
             ngettext("%(num)s crisis referral waiting", "%(num)s crisis referrals waiting",
                      counts.crisis)]
    notice = ngettext("%(num)s crisis referral is overdue.", "%(num)s crisis referrals are "
                      "overdue.", counts.overdue) if counts.overdue else None
    return facts, notice


def _supporter_facts(user) -> list[str]:
    own = support.own_assignments(user)
    if not own:
        return [gettext("No parent to support right now.")]
    return [ngettext("You support %(num)s parent.", "You support %(num)s parents.", len(own))]


def _request_facts(user) -> list[str]:
    """Each of the parent's requests: where it stands and who their stödperson is."""
    statuses = support.status_names()
    facts = []
    for found in support.own_requests(user):
        assignment = support.active_assignment(found)
        line = gettext("Request %(reference)s: %(status)s", reference=found.reference,
                       status=statuses.get(found.status, found.status))
        if assignment is not None:
            name = support.supporter_names([assignment.supporter_id]).get(
                assignment.supporter_id, "")
            line += " · " + gettext("Your support person is %(name)s.", name=name)
        facts.append(line)
    return facts or [gettext("No request is connected to your account.")]


def _referral_facts(user) -> list[str]:
    states = [support.referral_state(r) for r in support.own_referrals(user, limit=20)]
    waiting = sum(1 for s in states if s in ("received", "assigned"))
    return [ngettext("%(num)s of your latest referrals waits for a first contact.",
                     "%(num)s of your latest referrals wait for a first contact.", waiting)]


def sections_for(user) -> list[Section]:
    sections = [
        Section(str(role), role.label, ROLE_DESCRIPTIONS[role], _links(role), COMING.get(role))
        for role in Role
        if str(role) in user.role_names
    ]
    for section in sections:
        if section.role == Role.SUPPORTER:
            section.notice = _supporter_notice(user)
            section.facts = _supporter_facts(user)
        elif section.role == Role.COORDINATOR:
            section.facts, section.notice = _queue_facts(user)
        elif section.role == Role.SOCIAL_WORKER:
            section.facts = _referral_facts(user)
        elif section.role == Role.PARENT:
            section.facts = _request_facts(user)
    if str(Role.PARENT) not in user.role_names and support.own_requests(user):
        # An account that was there before the parent connected a request to it.
        sections.append(Section(str(Role.PARENT), Role.PARENT.label,
                                ROLE_DESCRIPTIONS[Role.PARENT], _links(Role.PARENT),
                                facts=_request_facts(user)))
    return sections
