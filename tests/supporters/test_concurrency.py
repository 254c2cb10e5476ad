"""Two coordinators moving the same people at the same moment: real threads on PostgreSQL.
One move wins; the other is told that someone else moved the person; the history holds one
step, never two, and nothing answers 500."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from foreningen.core.extensions import db
from foreningen.supporters.models import StageChange, Supporter
from tests import factories, support
from tests.support import at_once, csrf_token, postgres_url, signed_in

pytestmark = pytest.mark.skipif(not postgres_url(), reason="concurrency is proven on PostgreSQL")
ROUNDS = 20


@pytest.fixture(scope="module")
def racing_app(tmp_path_factory, smtp):
    with support.racing_app(tmp_path_factory.mktemp("race"), "srace", smtp[1]) as app:
        yield app


def steps(app, supporter_id) -> list[str]:
    with app.app_context():
        found = list(db.session.scalars(select(StageChange.to_stage).where(
            StageChange.supporter_id == supporter_id).order_by(StageChange.id)))
        db.session.remove()
        return found


def test_one_person_moved_by_two_coordinators_at_once(racing_app):
    one, two = (signed_in(racing_app, factories.user(racing_app, ["coordinator"]))
                for _ in range(2))
    for round_ in range(ROUNDS):
        made = factories.supporter(racing_app, "interviewed")
        url = f"/supporters/{made.id}/move"
        tokens = [csrf_token(c, f"/supporters/{made.id}") for c in (one, two)]
        # One starts the training, the other ends the application: both allowed alone.
        forms = [{"to_stage": "in_training"}, {"to_stage": "ended", "note": "Avböjde."}]
        answers = at_once(*(lambda c=c, t=t, f=f, url=url: c.post(url, data={
            **f, "csrf_token": t, "effective_on": "2026-11-23"})
            for c, t, f in zip((one, two), tokens, forms, strict=True)))
        codes = sorted(a.status_code for a in answers)
        assert codes == [302, 400], (round_, codes)
        loser = next(a for a in answers if a.status_code == 400).get_data(as_text=True)
        assert "moved" in loser and "a moment ago" in loser, round_
        assert len(steps(racing_app, made.id)) == 3, round_  # applied, interviewed, one more


def test_one_group_approved_by_two_coordinators_at_once(racing_app):
    one, two = (signed_in(racing_app, factories.user(racing_app, ["coordinator"]))
                for _ in range(2))
    for round_ in range(5):
        group = [factories.supporter(racing_app, "in_training") for _ in range(4)]
        tokens = [csrf_token(c, "/supporters/?stage=in_training") for c in (one, two)]
        data = {"to_stage": "approved", "effective_on": "2026-11-23",
                "selected": [str(p.id) for p in group]}
        answers = at_once(*(lambda c=c, t=t, data=data: c.post("/supporters/move", data={
            **data, "csrf_token": t}, follow_redirects=True) for c, t in
            zip((one, two), tokens, strict=True)))
        assert [a.status_code for a in answers] == [200, 200], round_
        with racing_app.app_context():
            approved = db.session.scalar(select(func.count(StageChange.id)).where(
                StageChange.supporter_id.in_([p.id for p in group]),
                StageChange.to_stage == "approved"))
            stages = set(db.session.scalars(select(Supporter.stage).where(
                Supporter.id.in_([p.id for p in group]))))
            db.session.remove()
        assert (approved, stages) == (4, {"approved"}), round_


def test_notify_expiring_on_two_hosts_at_once_tells_once(racing_app):
    from datetime import timedelta

    from foreningen.core import clock
    from foreningen.core.outbox import OutboxMessage
    from foreningen.supporters import services
    from foreningen.supporters.models import Completion, Requirement

    people = [factories.ready_supporter(racing_app, "active") for _ in range(5)]
    with racing_app.app_context():
        lapses = db.session.scalar(select(func.max(Completion.expires_on)).join(Requirement)
                                   .where(Requirement.kind == "record_check"))
        db.session.remove()
    on = lapses - timedelta(days=10)
    assert on > clock.today()

    def run():
        with racing_app.app_context():
            told = services.notify_expiring(on, [])
            db.session.commit()
            db.session.remove()
            return told

    told = at_once(run, run)
    with racing_app.app_context():
        mails = db.session.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.template == "supporter_expiring"))
        db.session.remove()
    assert sum(told) == len(people) and mails == len(people), (told, mails)
