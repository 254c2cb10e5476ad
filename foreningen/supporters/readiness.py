"""Readiness, derived and never stored: a stödperson is ready when every required item is
valid on the day asked. Pure functions over plain data (no Flask, no database), so that
every combination can be tested with the clock anywhere."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

MISSING = "missing"
VALID = "valid"
EXPIRING = "expiring"  # valid, but inside the renewal window
EXPIRED = "expired"


@dataclass(frozen=True)
class Need:
    """A requirement in force. `version_bound`: only a completion of this very version counts
    (the pledge: a new text is signed again)."""

    requirement_id: int
    key: str
    kind: str
    title: str
    required: bool
    version_bound: bool = False


class Done(NamedTuple):
    """A completion (the longest-lasting of its requirement version): a tuple, as a page
    reads thousands of them."""

    requirement_id: int
    key: str
    completed_on: date
    expires_on: date | None


@dataclass(frozen=True)
class Item:
    need: Need
    state: str
    completed_on: date | None = None
    expires_on: date | None = None
    days_left: int | None = None  # until it lapses, when it has an expiry and is valid


@dataclass(frozen=True)
class Readiness:
    items: list[Item] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return all(item.state in (VALID, EXPIRING) for item in self.items if item.need.required)

    @property
    def to_do(self) -> list[Item]:
        """What needs doing, the most urgent first: expired, missing, then expiring."""
        rank = {EXPIRED: 0, MISSING: 1, EXPIRING: 2}
        return sorted((i for i in self.items if i.state in rank),
                      key=lambda i: (rank[i.state], not i.need.required, i.days_left or 0))

    def count(self, state: str) -> int:
        return sum(1 for item in self.items if item.need.required and item.state == state)


def _lasting(done: Done) -> tuple:
    """Orders completions by how long they last: no expiry first, then the latest."""
    return (done.expires_on is None, done.expires_on or date.min, done.completed_on)


def _best(done: Iterable[Done]) -> tuple[dict[int, Done], dict[str, Done]]:
    """The longest-lasting completion per requirement version and per key, in one pass."""
    by_version: dict[int, Done] = {}
    by_key: dict[str, Done] = {}
    for d in done:
        rank = _lasting(d)
        if d.requirement_id not in by_version or rank > _lasting(by_version[d.requirement_id]):
            by_version[d.requirement_id] = d
        if d.key not in by_key or rank > _lasting(by_key[d.key]):
            by_key[d.key] = d
    return by_version, by_key


def _item(need: Need, best: Done | None, today: date, window_days: int) -> Item:
    if best is None:
        return Item(need, MISSING)
    if best.expires_on is None:
        return Item(need, VALID, best.completed_on)
    left = (best.expires_on - today).days
    state = EXPIRED if left <= 0 else EXPIRING if left <= window_days else VALID
    return Item(need, state, best.completed_on, best.expires_on, left if left > 0 else None)


def assess(needs: Iterable[Need], done: Iterable[Done], today: date,
           window_days: int) -> Readiness:
    by_version, by_key = _best(done)
    return Readiness([_item(need, by_version.get(need.requirement_id) if need.version_bound
                            else by_key.get(need.key), today, window_days) for need in needs])


def problems(needs: list[Need], done: Iterable[Done], today: date,
             window_days: int) -> list[Item]:
    """The required items not plainly valid (missing, expiring, expired): what a list of
    thousands of people needs, without building the valid ones."""
    by_version, by_key = _best(done)
    found = []
    for need in needs:
        if not need.required:
            continue
        best = by_version.get(need.requirement_id) if need.version_bound else by_key.get(need.key)
        if best is not None and (best.expires_on is None
                                 or (best.expires_on - today).days > window_days):
            continue  # valid: the common case, decided without an Item
        found.append(_item(need, best, today, window_days))
    return found


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the last day of a shorter month)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)
