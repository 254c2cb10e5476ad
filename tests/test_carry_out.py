"""carry_out: a service call as the request's one unit of work. Committed when it succeeds;
on a refusal everything it did is rolled back and the message goes where the view says."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from foreningen.core.errors import DomainError
from foreningen.core.extensions import db as _db
from foreningen.core.web import carry_out
from foreningen.municipalities.models import Municipality


class Refused(DomainError):
    messages = {"no": _l("That is not possible.")}


def municipalities(app) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count(Municipality.id)))


def test_a_change_is_committed_and_its_value_returned(app, db):
    with app.test_request_context(method="POST"):
        def add():
            _db.session.add(Municipality(code="2580", name="Luleå"))
            return "added"
        outcome = carry_out(add)
    assert outcome and outcome.value == "added"
    assert municipalities(app) == 1


def test_a_refusal_rolls_back_all_of_it_and_says_why(app, db):
    said = []
    with app.test_request_context(method="POST"):
        def half_then_refuse():
            _db.session.add(Municipality(code="2581", name="Piteå"))
            _db.session.flush()
            raise Refused("no")
        outcome = carry_out(half_then_refuse, said.append)
    assert not outcome and outcome.message == "That is not possible."
    assert said == ["That is not possible."]
    assert municipalities(app) == 0
