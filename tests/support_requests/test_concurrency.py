"""Two coordinators assigning at the same moment, on PostgreSQL with real threads: the same
request to two stödpersoner, or two requests to the last free place of one stödperson.
Exactly one succeeds; the other is told clearly; nothing answers 500."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from foreningen.core.extensions import db
from foreningen.support.models import Assignment
from tests import factories, support
from tests.support import at_once, csrf_token, postgres_url, signed_in

pytestmark = pytest.mark.skipif(not postgres_url(), reason="concurrency is proven on PostgreSQL")
ROUNDS = 10


@pytest.fixture(scope="module")
def racing_app(tmp_path_factory, smtp):
    with support.racing_app(tmp_path_factory.mktemp("race"), "asrace", smtp[1]) as app:
        yield app


def active_of(app, **where) -> int:
    with app.app_context():
        found = db.session.scalar(select(func.count()).select_from(Assignment).filter_by(
            status="active", **where))
        db.session.remove()
        return found


def coordinators(app):
    return [signed_in(app, factories.user(app, ["coordinator"])) for _ in range(2)]


def test_one_request_assigned_by_two_coordinators_at_once(racing_app):
    one, two = coordinators(racing_app)
    lund = factories.municipality(racing_app, "1281", "Lund")
    for round_ in range(ROUNDS):
        made = factories.support_request(racing_app, lund)
        people = [factories.ready_supporter(racing_app, municipality_id=lund) for _ in range(2)]
        url = f"/support/requests/{made.id}/assign"
        tokens = [csrf_token(c, url) for c in (one, two)]
        answers = at_once(*(lambda c=c, t=t, p=p, url=url: c.post(url, data={
            "supporter_id": str(p.id), "csrf_token": t}) for c, t, p in
            zip((one, two), tokens, people, strict=True)))
        codes = sorted(a.status_code for a in answers)
        assert codes == [302, 302], (round_, codes)  # the loser is led back to the request
        assert active_of(racing_app, request_id=made.id) == 1, round_
        pages = [c.get(f"/support/requests/{made.id}").get_data(as_text=True)
                 for c in (one, two)]
        assert sum("a moment ago" in p for p in pages) == 1, round_


def test_the_last_free_place_taken_by_two_coordinators_at_once(racing_app):
    one, two = coordinators(racing_app)
    lund = factories.municipality(racing_app, "1281", "Lund")
    for round_ in range(ROUNDS):
        person = factories.ready_supporter(racing_app, municipality_id=lund)  # capacity 1
        requests = [factories.support_request(racing_app, lund) for _ in range(2)]
        urls = [f"/support/requests/{r.id}/assign" for r in requests]
        tokens = [csrf_token(c, u) for c, u in zip((one, two), urls, strict=True)]
        answers = at_once(*(lambda c=c, t=t, u=u, person=person: c.post(u, data={
            "supporter_id": str(person.id), "csrf_token": t}) for c, t, u in
            zip((one, two), tokens, urls, strict=True)))
        codes = sorted(a.status_code for a in answers)
        assert codes == [302, 409], (round_, codes)
        loser = next(a for a in answers if a.status_code == 409).get_data(as_text=True)
        assert "has no free place any more" in loser, round_
        assert active_of(racing_app, supporter_id=person.id) == 1, round_
