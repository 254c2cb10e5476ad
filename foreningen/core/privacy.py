"""Privacy by registration: every feature declares how long its personal data lives and
which part of a person's data download it provides.

`flask purge` runs every retention rule; "download my data" collects every part. A test
walks the schema and fails when a table that refers to a person is covered by neither a
rule nor a stated exemption, so a new feature cannot forget erasure or access.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class RetentionRule:
    name: str
    tables: tuple[str, ...]
    run: Callable[[date], int]  # applies the rule on `today`; returns the rows it touched
    description: str


@dataclass(frozen=True)
class DownloadPart:
    name: str
    tables: tuple[str, ...]
    collect: Callable  # (user) -> dict of top-level keys for the download, or {}


RETENTION: dict[str, RetentionRule] = {}
DOWNLOAD: dict[str, DownloadPart] = {}
# Tables that refer to a person but are deliberately outside a rule or the download.
RETENTION_EXEMPT: dict[str, str] = {}
DOWNLOAD_EXEMPT: dict[str, str] = {}


def retention_rule(name: str, *, tables: tuple[str, ...], description: str):
    """Decorator: register `run(today) -> int` as a retention rule (idempotent by name)."""

    def decorator(run):
        RETENTION[name] = RetentionRule(name, tuple(tables), run, description)
        return run

    return decorator


def download_part(name: str, *, tables: tuple[str, ...]):
    """Decorator: register `collect(user) -> dict` as a part of the data download."""

    def decorator(collect):
        DOWNLOAD[name] = DownloadPart(name, tuple(tables), collect)
        return collect

    return decorator


def exempt(table: str, *, retention: str | None = None, download: str | None = None) -> None:
    """State why a table that refers to a person has no retention rule or download part."""
    if retention:
        RETENTION_EXEMPT[table] = retention
    if download:
        DOWNLOAD_EXEMPT[table] = download


def purge(today: date) -> dict[str, int]:
    """Run every rule, in the order registered; the caller commits once."""
    return {name: rule.run(today) for name, rule in RETENTION.items()}


def everything_about(user) -> dict:
    """Every registered part of what the portal holds on this person."""
    from foreningen.core.clock import utcnow

    data: dict = {"generated_at": utcnow()}
    for part in DOWNLOAD.values():
        data.update(part.collect(user) or {})
    return data
