"""Signals (blinker, as Flask itself uses): one feature tells, others react, and neither
touches the other's tables. Each feature declares the signals it sends in its own
`signals.py` in this namespace; subscribers connect when create_app loads the features."""

from __future__ import annotations

from blinker import Namespace

namespace = Namespace()

# Sent by `flask purge` (daily) after the retention rules, and after a bulk load: a feature
# folds or refreshes what it keeps for speed (e.g. the register's counts).
housekeeping = namespace.signal("housekeeping")
