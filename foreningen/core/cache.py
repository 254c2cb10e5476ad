"""Figures kept per worker while the data they come from is unchanged.

Some figures sum a whole table (the year's dues against every member): tens of milliseconds
at national scale, the same answer until someone pays or a member changes. A caller names
the figure by a key that includes the *versions* of its data — cheap indexed reads that
change whenever the data does (a count and a maximum id of an insert-only table, the rates
in force) — and the figure is computed again only when the key is new. Nothing personal is
kept: only counts and sums.

Off with FIGURES_CACHE=0 (the test suite turns it off: each test's data is rolled back, so
two tests may meet the same versions of different data; tests of their own turn it on).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import TypeVar

from flask import current_app

T = TypeVar("T")


class Figures:
    def __init__(self, size: int = 64):
        self._size = size
        self._kept: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Callable[[], Hashable], compute: Callable[[], T]) -> T:
        """`key` makes the key (its versions are read only when the cache is on)."""
        if not current_app.config["FIGURES_CACHE"]:
            return compute()
        key = key()
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        value = compute()
        with self._lock:
            self._kept[key] = value
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)
