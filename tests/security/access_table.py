"""The route × role × object table: what each visitor gets from each route of the app.

One row per (endpoint, method) of `app.url_map`, every rule but `static` (HEAD and OPTIONS
follow GET). tests/security/test_access_matrix.py requests every row anonymously and as a
user of each role, on real objects, and compares the answer with the row. It fails when a
route of the app has no row, or a row names no route.

Outcomes, for the anonymous visitor and each of ROLES:

    ALLOW   let through: 200, a redirect anywhere but the sign-in redirect below, 400 for a
            form posted without its fields, 410 for a dead token link; never 401/403, the
            sign-in redirect or 5xx. A 404 is a failure, because the matrix only passes ids
            of objects that exist. (A route's own redirect to the bare sign-in page, such as
            the one after signing out, is its answer, not a refusal.)
    LOGIN   the visitor is sent to /auth/sign-in?next=<the path>. Anonymous only.
    FORBID  403, which is also audited as access.refused.

Objects, for a route with an id (`<int:…>`) in its path: how the objects are shared among
the users of a role that is allowed.

    ALL     every user of the role reaches every object (the board sees every member).
    OWN     a user reaches only the objects they have a right to; another user of the same
            role gets 404, as if the object did not exist (a supporter, their assignments).
    {role: ALL or OWN, ...} when the allowed roles differ; every allowed role is named.

Adding a route: add one row per method, saying who may come with PUBLIC, SIGNED_IN or
only(...), or a dict of your own made with outcomes(); give `objects` if the path has an id.
When the path has an argument the matrix does not know yet, teach test_access_matrix.py to
make a real object for it (make_objects and OBJECT_OF_ARGUMENT there); for an OWN route the
object must belong to the `owner` that make_objects is given. A new role goes into ROLES.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

ALLOW, LOGIN, FORBID = "allow", "login", "forbid"
OUTCOMES = frozenset({ALLOW, LOGIN, FORBID})
ALL, OWN = "all", "own"

ANONYMOUS = "anonymous"
ROLES = ("member", "parent", "supporter", "coordinator", "board", "reviewer",
         "social_worker", "admin")
VISITORS = (ANONYMOUS, *ROLES)


def outcomes(anonymous: str, **by_role: str) -> dict[str, str]:
    """The anonymous visitor's outcome and each role's; `default` stands for the rest."""
    default = by_role.pop("default", None)
    unknown = set(by_role) - set(ROLES)
    if unknown:
        raise ValueError(f"no such roles: {sorted(unknown)}")
    return {ANONYMOUS: anonymous, **{role: by_role.get(role, default) for role in ROLES}}


def only(*roles: str) -> dict[str, str]:
    """Signed-in users holding one of the roles; other roles 403, visitors to sign-in."""
    return outcomes(LOGIN, default=FORBID, **dict.fromkeys(roles, ALLOW))


PUBLIC = outcomes(ALLOW, default=ALLOW)
SIGNED_IN = outcomes(LOGIN, default=ALLOW)
REGISTER_READERS = only("board", "coordinator")
BOARD = only("board")
ADMIN = only("admin")
AUDIT_READERS = only("admin", "board")
COORDINATOR = only("coordinator")
PIPELINE_READERS = only("board", "coordinator")
REQUIREMENT_KEEPERS = only("coordinator", "admin")


@dataclass(frozen=True)
class Row:
    endpoint: str
    method: str
    expect: Mapping[str, str]
    objects: str | Mapping[str, str] | None = None

    def allowed(self) -> list[str]:
        return [role for role in ROLES if self.expect[role] == ALLOW]

    def sharing(self, role: str) -> str | None:
        """ALL or OWN for an allowed role of a route with an id; None otherwise."""
        if self.objects is None or self.expect[role] != ALLOW:
            return None
        return self.objects if isinstance(self.objects, str) else self.objects[role]


def _table(*rows: tuple) -> dict[tuple[str, str], Row]:
    table: dict[tuple[str, str], Row] = {}
    for values in rows:
        row = Row(*values)
        key = (row.endpoint, row.method)
        if key in table:
            raise ValueError(f"two rows for {key}")
        table[key] = row
    return table


ACCESS = _table(
    # main: the start page (role-aware), the language switch, the health check
    ("main.index", "GET", PUBLIC),
    ("main.set_language", "POST", PUBLIC),
    ("main.healthz", "GET", PUBLIC),

    # auth: signing in and its steps, links from mails
    ("auth.sign_in", "GET", PUBLIC),
    ("auth.sign_in", "POST", PUBLIC),
    ("auth.second_factor", "GET", PUBLIC),
    ("auth.second_factor", "POST", PUBLIC),
    ("auth.enrol", "GET", PUBLIC),  # the link a staff member without a second factor is sent
    ("auth.enrol", "POST", PUBLIC),
    ("auth.totp_setup", "GET", PUBLIC),  # a signed-in user, or one who opened an enrol link
    ("auth.totp_setup", "POST", PUBLIC),
    ("auth.request_reset", "GET", PUBLIC),
    ("auth.request_reset", "POST", PUBLIC),
    ("auth.reset_password", "GET", PUBLIC),
    ("auth.reset_password", "POST", PUBLIC),
    ("auth.accept_invitation", "GET", PUBLIC),
    ("auth.accept_invitation", "POST", PUBLIC),
    ("auth.sign_out", "POST", SIGNED_IN),

    # account: the signed-in person's own account
    ("account.index", "GET", SIGNED_IN),
    ("account.change_password", "GET", SIGNED_IN),
    ("account.change_password", "POST", SIGNED_IN),
    ("account.end_other_sessions", "POST", SIGNED_IN),
    ("account.new_recovery_codes", "POST", SIGNED_IN),
    ("account.disable_totp", "POST", SIGNED_IN),

    # join: the public application and its email confirmation
    ("join.apply", "GET", PUBLIC),
    ("join.apply", "POST", PUBLIC),
    ("join.submitted", "GET", PUBLIC),
    ("join.confirm", "GET", PUBLIC),
    ("join.confirm", "POST", PUBLIC),
    ("join.confirmed", "GET", PUBLIC),
    ("join.decision", "GET", PUBLIC),  # the board's answer to a declined application

    # membership: one's own member record, found through the account (no id in the path);
    # an account without one gets the way to apply
    ("membership.index", "GET", SIGNED_IN),
    ("membership.details", "GET", SIGNED_IN),
    ("membership.details", "POST", SIGNED_IN),
    ("membership.language", "POST", SIGNED_IN),
    ("membership.consent", "POST", SIGNED_IN),
    ("membership.data_html", "GET", SIGNED_IN),
    ("membership.data_json", "GET", SIGNED_IN),
    ("membership.leave", "GET", SIGNED_IN),
    ("membership.leave", "POST", SIGNED_IN),
    ("membership.erasure", "GET", SIGNED_IN),
    ("membership.erasure", "POST", SIGNED_IN),
    # the link sent to a member's new address (no sign-in needed: it may be opened elsewhere)
    ("membership.confirm_email", "GET", PUBLIC),
    ("membership.confirm_email", "POST", PUBLIC),

    # members: the register (board; coordinators read) and the applications (board)
    ("members.register", "GET", REGISTER_READERS),
    ("members.member", "GET", REGISTER_READERS, ALL),
    ("members.export", "GET", BOARD),
    ("members.edit", "GET", BOARD, ALL),
    ("members.edit", "POST", BOARD, ALL),
    ("members.add", "GET", BOARD),
    ("members.add", "POST", BOARD),
    ("members.change_status", "POST", BOARD, ALL),
    ("members.protected_identity", "POST", BOARD, ALL),
    ("members.reveal_contact", "POST", BOARD, ALL),
    ("members.erase", "POST", BOARD, ALL),
    ("members.applications", "GET", BOARD),
    ("members.approve_selected", "POST", BOARD),
    ("members.approve", "POST", BOARD, ALL),
    ("members.decline", "GET", BOARD, ALL),
    ("members.decline", "POST", BOARD, ALL),

    # dues: the board's
    ("dues.index", "GET", BOARD),
    ("dues.index", "POST", BOARD),
    ("dues.record_payments", "GET", BOARD),
    ("dues.record_payments", "POST", BOARD),
    ("dues.import_file", "GET", BOARD),
    ("dues.import_file", "POST", BOARD),
    ("dues.import_example", "GET", BOARD),
    ("dues.import_detail", "GET", BOARD, ALL),
    ("dues.imports", "GET", BOARD),
    ("dues.assign_line", "POST", BOARD, ALL),
    ("dues.dismiss_line", "POST", BOARD, ALL),
    ("dues.reverse_import", "POST", BOARD, ALL),
    ("dues.reverse_payment", "GET", BOARD, ALL),
    ("dues.reverse_payment", "POST", BOARD, ALL),
    ("dues.preview_reminders", "GET", BOARD),
    ("dues.send_reminders", "POST", BOARD),

    # association: its details and privacy notice, read by everyone, kept by the board
    ("association.privacy_notice", "GET", PUBLIC),
    ("association.privacy_notice_version", "GET", PUBLIC),
    ("association.settings", "GET", BOARD),
    ("association.settings", "POST", BOARD),
    ("association.publish_notice", "GET", BOARD),
    ("association.publish_notice", "POST", BOARD),

    # supporter: a stödperson's own pages (applying takes the member role)
    ("supporter.index", "GET", SIGNED_IN),
    # A stödperson is a member (they applied as one; the matrix's stödperson is too): they
    # are led to their own page.
    ("supporter.apply", "GET", only("member", "supporter")),
    ("supporter.apply", "POST", only("member", "supporter")),
    ("supporter.profile", "GET", SIGNED_IN),
    ("supporter.profile", "POST", SIGNED_IN),
    ("supporter.sign_pledge", "POST", SIGNED_IN),
    ("supporter.availability", "GET", SIGNED_IN),
    ("supporter.capacity", "POST", SIGNED_IN),
    ("supporter.pause", "POST", SIGNED_IN),
    ("supporter.resume", "POST", SIGNED_IN),
    ("supporter.conflicts", "POST", SIGNED_IN),
    ("supporter.payout", "GET", SIGNED_IN),
    ("supporter.payout", "POST", SIGNED_IN),

    # supporters: the pipeline, read by the board, run by the coordinators
    ("supporters.pipeline", "GET", PIPELINE_READERS),
    ("supporters.move_selected", "POST", COORDINATOR),
    ("supporters.supporter", "GET", PIPELINE_READERS, ALL),
    ("supporters.move", "POST", COORDINATOR, ALL),
    ("supporters.record_check", "POST", COORDINATOR, ALL),
    ("supporters.training", "GET", COORDINATOR),
    ("supporters.training", "POST", COORDINATOR),
    ("supporters.attention", "GET", PIPELINE_READERS),
    ("supporters.supervision", "GET", COORDINATOR),
    ("supporters.supervision", "POST", COORDINATOR),
    ("supporters.supervision_export", "GET", COORDINATOR),
    ("supporters.requirements", "GET", REQUIREMENT_KEEPERS),
    ("supporters.requirements", "POST", REQUIREMENT_KEEPERS),
    ("supporters.requirement", "GET", REQUIREMENT_KEEPERS, ALL),
    ("supporters.requirement", "POST", REQUIREMENT_KEEPERS, ALL),
    ("supporters.retire_requirement", "POST", REQUIREMENT_KEEPERS, ALL),

    # ask: a parent asks and follows the request without an account
    ("ask.ask", "GET", PUBLIC),
    ("ask.ask", "POST", PUBLIC),
    ("ask.receipt", "GET", PUBLIC),
    ("ask.status", "GET", PUBLIC),
    ("ask.status", "POST", PUBLIC),
    ("ask.withdraw", "POST", PUBLIC),
    ("ask.another", "POST", PUBLIC),
    ("ask.erase", "POST", PUBLIC),
    ("ask.forget", "POST", PUBLIC),
    ("ask.meeting_ics", "GET", PUBLIC),
    ("ask.account", "POST", PUBLIC),
    ("ask.connect", "GET", SIGNED_IN),
    ("ask.connect", "POST", SIGNED_IN),
    ("ask.mine", "GET", SIGNED_IN),
    # Anyone signed in opens only a request connected to their own account.
    ("ask.open_own", "POST", SIGNED_IN, OWN),

    # support: the coordinators' queue and triage
    ("support.queue", "GET", COORDINATOR),
    ("support.request_page", "GET", COORDINATOR, ALL),
    ("support.start_search", "POST", COORDINATOR, ALL),
    ("support.request_info", "POST", COORDINATOR, ALL),
    ("support.decline", "POST", COORDINATOR, ALL),
    ("support.merge", "POST", COORDINATOR, ALL),
    ("support.assign", "GET", COORDINATOR, ALL),
    ("support.assign", "POST", COORDINATOR, ALL),
    ("support.close", "POST", COORDINATOR, ALL),

    # mine: a stödperson's parents and contacts (the coordinators open any assignment)
    ("mine.index", "GET", only("supporter")),
    ("mine.contacts_csv", "GET", only("supporter")),
    ("mine.assignment", "GET", only("supporter", "coordinator"),
     {"supporter": OWN, "coordinator": ALL}),
    ("mine.log_contact", "POST", only("supporter"), OWN),
    ("mine.plan_meeting", "POST", only("supporter"), OWN),
    ("mine.cancel_meeting", "POST", only("supporter"), OWN),
    ("mine.meeting_ics", "GET", only("supporter", "coordinator"),
     {"supporter": OWN, "coordinator": ALL}),
    ("mine.close", "POST", only("supporter", "coordinator"),
     {"supporter": OWN, "coordinator": ALL}),

    # referrals: a social worker's crisis referrals
    ("referrals.index", "GET", only("social_worker")),
    ("referrals.refer", "GET", only("social_worker")),
    ("referrals.refer", "POST", only("social_worker")),

    # admin: accounts and kommuner for administrators; the audit log also for the board
    ("admin.users", "GET", ADMIN),
    ("admin.invite_user", "GET", ADMIN),
    ("admin.invite_user", "POST", ADMIN),
    ("admin.user", "GET", ADMIN, ALL),
    ("admin.user", "POST", ADMIN, ALL),
    ("admin.user_action", "POST", ADMIN, ALL),
    ("admin.municipalities", "GET", ADMIN),
    ("admin.municipality", "GET", ADMIN, ALL),  # /new and /<id>
    ("admin.municipality", "POST", ADMIN, ALL),
    ("admin.audit_log", "GET", AUDIT_READERS),
)
