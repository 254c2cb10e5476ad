"""The coordinators' export of supervision hours per person and period (CSV, as Swedish
Excel opens it: core/spreadsheet.py)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from foreningen.core.spreadsheet import to_csv


def supervision_csv(rows, names: dict[int, str]) -> bytes:
    """One line per person: name, the name parents see, sessions and hours."""
    headers = [(_("Name"), None), (_("Name parents see"), None), (_("Sessions"), None),
               (_("Hours"), None)]
    values = [(names.get(row.user_id, ""), row.display_name, row.sessions,
               (Decimal(row.minutes) / 60).quantize(Decimal("0.01"))) for row in rows]
    return to_csv(headers, values)
