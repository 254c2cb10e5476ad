"""The coordinators' pages cost the same number of SQL statements for 25 stödpersoner as for
250 (bench/supporters.py measures their time at 3,000)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from foreningen import demo_supporters
from foreningen.core.extensions import db as _db
from foreningen.supporters.models import Supporter
from tests.members.test_register_scale import _statements

PAGES = ["/supporters/", "/supporters/?stage=active", "/supporters/?q=a",
         "/supporters/?language=ar&sort=changed&direction=desc", "/supporters/attention",
         "/supporters/attention?show=expired", "/supporters/{person}",
         "/supporters/training", "/supporters/supervision",
         "/supporters/supervision.csv"]


@pytest.mark.slow
def test_every_coordinator_page_needs_the_same_statements_for_25_or_250(app, client, login):
    login("coordinator")

    def measure() -> dict[str, int]:
        with app.app_context():
            person = _db.session.scalar(select(Supporter.id).order_by(Supporter.id.desc())
                                        .limit(1))
        return {url: _statements(app, client, url.format(person=person)) for url in PAGES}

    with app.app_context():
        demo_supporters.add_many(25)
        _db.session.commit()
    few = measure()
    with app.app_context():
        demo_supporters.add_many(225)
        _db.session.commit()
    many = measure()
    assert many == few
