"""The association's details name no member: only which board member last changed them."""

from __future__ import annotations

from foreningen.core import privacy

for _table in ("association_settings", "privacy_notice"):
    privacy.exempt(
        _table,
        retention="The association's own records (kept as long as it exists); they name no "
                  "member, only the account of the board member who made the change.",
        download="Public information about the association, shown on its pages.")
