"""Dues pages for the board (filled in by the dues work)."""

from foreningen.dues import bp  # noqa: F401
