"""Signals (blinker, as Flask itself uses): one feature tells, others react, and neither
touches the other's tables. Each feature declares the signals it sends in its own
`signals.py` in this namespace; subscribers connect when create_app loads the features."""

from __future__ import annotations

from blinker import Namespace

namespace = Namespace()
