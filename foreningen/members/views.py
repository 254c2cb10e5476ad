"""The board's member register (filled in by the register work)."""

from foreningen.members import bp  # noqa: F401
