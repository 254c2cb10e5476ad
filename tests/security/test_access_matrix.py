"""Every route × every role × a real object, as tests/security/access_table.py says.

Each visitor (anonymous, then a user of each role) requests every route with every method of
the table, with the ids of objects that exist and, for a POST, the CSRF token of its own
session and no other field: the request reaches the authorisation, not the CSRF check, and a
bare form cannot do much. For a route whose objects are OWN for the role, a second user of
the same role must then get 404 for the first one's object.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.routing import Rule

from foreningen.association import services as association
from foreningen.core.extensions import db
from foreningen.core.security import Role
from foreningen.dues import services as dues
from foreningen.members.services import OPTIONAL_PURPOSES
from tests import factories
from tests.dues import THIS_YEAR
from tests.dues import make_member as make_dues_member
from tests.members.test_membership_page import make_member as make_member_of
from tests.members.test_register import add_member
from tests.security.access_table import (
    ACCESS,
    ALL,
    ALLOW,
    ANONYMOUS,
    FORBID,
    LOGIN,
    OUTCOMES,
    OWN,
    REGISTER_READERS,
    ROLES,
    VISITORS,
    Row,
)
from tests.support import csrf_token, submit

SIGN_IN = "/auth/sign-in"
ACCOUNT = "/account/"  # a page with a form for every signed-in user, for the CSRF token
DEAD_TOKEN = "not-a-valid-token"
# The CSRF refusal's words (templates/errors/400.html): a 400 with them never got through.
CSRF_REFUSAL = "open too long"

# Which object a path argument names, and the endpoints whose bare POST would change the
# usual one (approve it, erase it) and so get one of their own.
OBJECT_OF_ARGUMENT = {"member_id": "member", "user_id": "account",
                      "import_id": "dues_import", "municipality_id": "municipality",
                      "line_id": "import_line", "payment_id": "payment",
                      "supporter_id": "supporter", "requirement_id": "requirement",
                      "request_id": "support_request", "assignment_id": "assignment",
                      "meeting_id": "meeting"}
OBJECT_OF_ENDPOINT = {"members.approve": "applicant", "members.decline": "applicant",
                      "members.erase": "member_to_erase", "ask.open_own": "own_request"}
# Path arguments that name no object: every value the route knows, or a link that is dead.
NOTICE_VERSION = "matrix-1"  # published by make_objects
VALUES_OF_ARGUMENT = {"token": [DEAD_TOKEN], "purpose": [str(p) for p in OPTIONAL_PURPOSES],
                      "choice": ["give", "withdraw"], "version": [NOTICE_VERSION]}

_ARGUMENT = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


# --- the app's routes and the table ---------------------------------------------------------

def app_routes(app) -> dict[tuple[str, str], list[Rule]]:
    routes: dict[tuple[str, str], list[Rule]] = defaultdict(list)
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                routes[(rule.endpoint, method)].append(rule)
    return routes


def arguments(rule: Rule) -> list[tuple[str, str, list[str]]]:
    """(name, converter, the items of an any(...) converter) of each argument in the path."""
    return [(name, converter or "default",
             [item.strip().strip("'\"") for item in (items or "").split(",") if item.strip()])
            for converter, items, name in _ARGUMENT.findall(rule.rule)]


def has_id(rules: list[Rule]) -> bool:
    return any(converter == "int" for rule in rules for _n, converter, _i in arguments(rule))


def test_the_table_covers_exactly_the_routes_of_the_app(app):
    routes = app_routes(app)
    missing = sorted(set(routes) - set(ACCESS))
    gone = sorted(set(ACCESS) - set(routes))
    problems = [f"no row in tests/security/access_table.py for the route {endpoint} {method}"
                for endpoint, method in missing]
    problems += [f"a row of tests/security/access_table.py for no route: {endpoint} {method}"
                 for endpoint, method in gone]
    assert not problems, "\n".join(problems)


def test_the_table_names_every_role_and_each_row_is_complete(app):
    assert set(ROLES) == {str(role) for role in Role}, "ROLES in access_table.py"
    routes = app_routes(app)
    problems = []
    for key, row in ACCESS.items():
        name = f"{row.endpoint} {row.method}"
        if set(row.expect) != set(VISITORS) or not set(row.expect.values()) <= OUTCOMES:
            problems.append(f"{name}: an outcome (allow, login, forbid) for each visitor")
        elif any(row.expect[role] == LOGIN for role in ROLES):
            problems.append(f"{name}: a signed-in user is never sent to sign in")
        if key not in routes:
            continue
        if not has_id(routes[key]):
            if row.objects is not None:
                problems.append(f"{name}: `objects` only for a route with an id in its path")
        elif isinstance(row.objects, str):
            if row.objects not in (ALL, OWN):
                problems.append(f"{name}: objects is ALL or OWN")
        elif row.objects is None or set(row.objects) != set(row.allowed()) or not set(
                row.objects.values()) <= {ALL, OWN}:
            problems.append(f"{name}: objects (ALL or OWN) for each role that is allowed")
        for rule in routes[key]:
            for argument, converter, _items in arguments(rule):
                if converter != "any" and argument not in VALUES_OF_ARGUMENT | OBJECT_OF_ARGUMENT:
                    problems.append(f"{name}: no value for <{argument}> in {rule.rule}; add one "
                                    f"to test_access_matrix.py")
    assert not problems, "\n".join(problems)


# --- real objects, paths, requests ------------------------------------------------------------

def make_objects(app, owner) -> dict[str, int]:
    """Objects that exist, for the ids in the paths; made in each test, rolled back after it.
    `owner` is the signed-in user (None when anonymous): an OWN route's object is theirs."""
    payer = make_dues_member(app)
    with app.test_request_context(method="POST"):
        dues_import, result = dues.import_bank_file(
            ("Datum;Referens;Belopp;Transaktions-ID;År\n"
             f"{THIS_YEAR}-01-15;{payer.reference};250,00;TX-MATRIX-1;\n"
             f"{THIS_YEAR}-01-16;99999;50,00;TX-MATRIX-2;\n").encode(),
            "matrix.csv", None)
        association.publish_notice(NOTICE_VERSION, {"sv": "Integritetspolicy."}, None)
        db.session.commit()
        import_id = dues_import.id
        line_id, payment_id = result.lines[0].id, result.payments[0].id
    return {
        "member": add_member(app, "Karin", "Holm", protected=True),
        # Unconfirmed, so a bare POST cannot approve it; declining needs a reason.
        "applicant": add_member(app, "Sven", "Sökande", status="applied", confirmed=False),
        "member_to_erase": add_member(app, "Eva", "Ek"),
        "account": factories.user(app, ["member"]).id,
        # An administrator's bare POST leaves it inactive (code and name are kept): harmless
        # here, as nothing later asks for an active one.
        "municipality": factories.municipality(app, "1281", "Lund"),
        "dues_import": import_id,
        "import_line": line_id,
        "payment": payment_id,
        "supporter": factories.supporter(app, "interviewed").id,
        "requirement": factories.training_module(app, "Matrisens modul"),
        "support_request": factories.support_request(app).id,
        "assignment": (assignment := _assignment(app, owner)),
        "meeting": factories.meeting(app, assignment),
        "own_request": factories.support_request(
            app, parent_user_id=owner.id if owner is not None else None).id,
    }


def _assignment(app, owner) -> int:
    """An active assignment: the signed-in stödperson's own when the owner is one."""
    account = owner if owner is not None and "supporter" in _roles(app, owner) else None
    person = factories.ready_supporter(app, account=account) if account else \
        factories.ready_supporter(app)
    return factories.assignment(app, factories.support_request(app).id, person.id)


def _roles(app, user) -> set[str]:
    from foreningen.accounts import queries as accounts

    with app.app_context():
        return set(accounts.user(user.id).role_names)


def argument_values(endpoint: str, argument: str, converter: str, items: list[str],
                    objects: dict[str, int]) -> list:
    if converter == "any":
        return sorted(items)
    if argument in VALUES_OF_ARGUMENT:
        return VALUES_OF_ARGUMENT[argument]
    return [objects[OBJECT_OF_ENDPOINT.get(endpoint, OBJECT_OF_ARGUMENT[argument])]]


def paths(routes, row: Row, objects: dict[str, int]) -> list[str]:
    """Every path of the row: each rule of the endpoint, each value of an any(...)."""
    found = []
    for rule in routes[(row.endpoint, row.method)]:
        names, choices = [], []
        for argument, converter, items in arguments(rule):
            names.append(argument)
            choices.append(argument_values(row.endpoint, argument, converter, items, objects))
        for values in itertools.product(*choices):
            found.append(rule.build(dict(zip(names, values, strict=True)),
                                    append_unknown=False)[1])
    return found


def request_order(rows) -> list[Row]:
    """Pages first, then the forms; signing out last of all."""
    return sorted(rows, key=lambda row: (row.method != "GET", row.endpoint == "auth.sign_out",
                                         row.endpoint, row.method))


def send(client, method: str, path: str, token: str):
    if method == "GET":
        return client.get(path)
    return client.open(path, method=method, data={"csrf_token": token})


def sent_to_sign_in(response, path: str) -> bool:
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    target = urlsplit(response.headers.get("Location", ""))
    return target.path == SIGN_IN and parse_qs(target.query).get("next") == [path]


def wrong_answer(response, path: str, expected: str) -> str | None:
    """None when the answer is the expected outcome; otherwise what came instead."""
    status = response.status_code
    if expected == FORBID:
        right = status == 403
    elif expected == LOGIN:
        right = sent_to_sign_in(response, path)
    else:
        csrf_refused = status == 400 and CSRF_REFUSAL in response.get_data(as_text=True)
        right = not (status in (401, 403, 404, 405) or status >= 500 or csrf_refused
                     or sent_to_sign_in(response, path))
    if right:
        return None
    location = response.headers.get("Location")
    return f"{status}" + (f" to {location}" if location else "")


def sign_in(app, client, role: str):
    """A new user of the role, signed in through the real form. A member has a member record
    of their own, as an approved application leaves it, so their pages show it."""
    user = factories.user(app, [role])
    if role == "member":
        make_member_of(app, user)
    response = submit(client, SIGN_IN, {"email": user.email, "password": user.password})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return user


def new_client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def own_rows(role: str) -> list[Row]:
    return [row for row in ACCESS.values() if row.sharing(role) == OWN]


def strangers_reach(app, role: str, rows: list[Row], objects: dict[str, int]) -> list[str]:
    """A second user of the role, with no right to the objects made for the first, requests
    each row: every answer must be 404. Returns what came instead."""
    if not rows:
        return []
    client = new_client(app)
    sign_in(app, client, role)
    token = csrf_token(client, ACCOUNT)
    routes = app_routes(app)
    failures = []
    for row in request_order(rows):
        for path in paths(routes, row, objects):
            status = send(client, row.method, path, token).status_code
            if status != 404:
                failures.append(f"{row.method} {path} ({row.endpoint}): another {role}'s "
                                f"object must be 404, got {status}")
    return failures


# --- the matrix -------------------------------------------------------------------------------

@pytest.mark.parametrize("visitor", VISITORS)
def test_every_route_answers_each_visitor_as_the_table_says(app, client, visitor):
    user = None if visitor == ANONYMOUS else sign_in(app, client, visitor)
    objects = make_objects(app, owner=user)
    token = csrf_token(client, ACCOUNT if user else SIGN_IN)
    routes = app_routes(app)
    failures, checks = [], 0
    for row in request_order(ACCESS.values()):
        expected = row.expect[visitor]
        for path in paths(routes, row, objects):
            checks += 1
            wrong = wrong_answer(send(client, row.method, path, token), path, expected)
            if wrong:
                failures.append(f"{row.method} {path} ({row.endpoint}): expected {expected}, "
                                f"got {wrong}")
    if user is not None:
        # Someone else's object: rows that are OWN for this role (none yet).
        failures += strangers_reach(app, visitor, own_rows(visitor), objects)
    assert checks >= len(ACCESS)
    assert not failures, f"as {visitor}:\n" + "\n".join(failures)


def test_the_check_of_own_objects_catches_one_served_to_another_user(app, db):
    """No route is OWN yet, so the loop above has nothing to ask; this shows it would catch
    a route that serves one user's object to another of the same role. A member's page in
    the register is ALL for the board: declared OWN, a second board user's 200 is reported."""
    owner = factories.user(app, ["board"])
    objects = make_objects(app, owner)
    shared = Row("members.member", "GET", REGISTER_READERS, objects=OWN)
    assert shared.sharing("board") == OWN and shared.sharing("member") is None
    failures = strangers_reach(app, "board", [shared], objects)
    assert failures == [f"GET /members/{objects['member']} (members.member): another board's "
                        f"object must be 404, got 200"]


def test_a_wrong_answer_is_told_apart_from_the_expected_one(app, client):
    """The verdicts the matrix relies on, on answers whose outcome is known."""
    refused = client.get("/members/")
    assert wrong_answer(refused, "/members/", LOGIN) is None
    assert wrong_answer(refused, "/members/", ALLOW) == "302 to /auth/sign-in?next=%2Fmembers%2F"
    assert wrong_answer(refused, "/members/", FORBID) is not None
    missing = client.get("/join/confirm/" + DEAD_TOKEN)
    assert missing.status_code == 410
    assert wrong_answer(missing, "/join/confirm/x", ALLOW) is None
    assert wrong_answer(client.get("/no-such-page"), "/no-such-page", ALLOW) == "404"
    csrf_refused = client.post("/join/", data={"csrf_token": "forged"})
    assert csrf_refused.status_code == 400
    assert wrong_answer(csrf_refused, "/join/", ALLOW) == "400"
