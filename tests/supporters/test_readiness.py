"""Readiness is derived from the requirements in force and what a person has done, on the
day asked: every combination of missing, valid, inside the renewal window and expired."""

from datetime import date, timedelta
from itertools import product

import pytest

from foreningen.supporters.readiness import (
    EXPIRED,
    EXPIRING,
    MISSING,
    VALID,
    Done,
    Need,
    add_months,
    assess,
)

TODAY = date(2026, 11, 23)
WINDOW = 60
TRAINING = Need(1, "training-a", "training", "Grundutbildning", required=True)
OPTIONAL = Need(2, "training-b", "training", "Fördjupning", required=False)
EXTRACT = Need(3, "record_check", "record_check", "Utdrag", required=True)
PLEDGE = Need(5, "pledge", "pledge", "Tystnadslöfte", required=True, version_bound=True)


def done_in_state(need: Need, state: str) -> list[Done]:
    """What makes `need` be in `state` today."""
    if state == MISSING:
        return []
    expires = {VALID: TODAY + timedelta(days=200), EXPIRING: TODAY + timedelta(days=30),
               EXPIRED: TODAY - timedelta(days=1)}[state]
    return [Done(need.requirement_id, need.key, TODAY - timedelta(days=300), expires)]


@pytest.mark.parametrize("states", list(product([MISSING, VALID, EXPIRING, EXPIRED], repeat=3)))
def test_ready_only_when_every_required_item_is_valid(states):
    needs = [TRAINING, EXTRACT, OPTIONAL]
    done = [d for need, state in zip(needs, states, strict=True)
            for d in done_in_state(need, state)]
    readiness = assess(needs, done, TODAY, WINDOW)
    assert [item.state for item in readiness.items] == list(states)
    required_ok = all(s in (VALID, EXPIRING) for s in states[:2])
    assert readiness.ready is required_ok  # the optional module never decides
    # What to do lists every item not plainly valid, the most urgent first.
    assert {i.need.key for i in readiness.to_do} == {
        n.key for n, s in zip(needs, states, strict=True) if s != VALID}
    ranks = [{EXPIRED: 0, MISSING: 1, EXPIRING: 2}[i.state] for i in readiness.to_do
             if i.need.required]
    assert ranks == sorted(ranks)


def test_the_clock_moves_an_item_through_its_life():
    done = [Done(3, "record_check", date(2026, 1, 10), date(2027, 1, 10))]
    states = {day: assess([EXTRACT], done, day, WINDOW).items[0] for day in (
        date(2026, 11, 10), date(2026, 11, 11), date(2027, 1, 9), date(2027, 1, 10))}
    assert states[date(2026, 11, 10)].state == VALID  # 61 days left
    assert states[date(2026, 11, 11)].state == EXPIRING  # 60 days: the window opens
    assert states[date(2026, 11, 11)].days_left == 60
    assert states[date(2027, 1, 9)].days_left == 1
    assert states[date(2027, 1, 10)].state == EXPIRED  # lapses on its expiry day


def test_the_longest_lasting_completion_counts():
    done = [Done(1, "training-a", date(2025, 1, 1), date(2026, 1, 1)),
            Done(1, "training-a", date(2026, 6, 1), date(2027, 6, 1)),
            Done(1, "training-a", date(2024, 1, 1), date(2025, 1, 1))]
    item = assess([TRAINING], done, TODAY, WINDOW).items[0]
    assert (item.state, item.expires_on) == (VALID, date(2027, 6, 1))
    forever = [*done, Done(1, "training-a", date(2020, 1, 1), None)]
    assert assess([TRAINING], forever, TODAY, WINDOW).items[0].expires_on is None


def test_a_module_done_under_an_older_version_still_counts_but_a_pledge_does_not():
    revised_module = Need(9, "training-a", "training", "Grundutbildning v2", required=True)
    old_module = [Done(1, "training-a", date(2026, 1, 1), None)]
    assert assess([revised_module], old_module, TODAY, WINDOW).items[0].state == VALID
    new_pledge = Need(6, "pledge", "pledge", "Tystnadslöfte", required=True,
                      version_bound=True)
    signed_old = [Done(5, "pledge", date(2026, 1, 1), None)]
    assert assess([new_pledge], signed_old, TODAY, WINDOW).items[0].state == MISSING
    assert assess([PLEDGE], signed_old, TODAY, WINDOW).items[0].state == VALID


def test_months_are_added_as_calendar_months():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 23), 12) == date(2027, 11, 23)
    assert add_months(date(2026, 12, 15), 3) == date(2027, 3, 15)
