"""What every feature's views share around a change: the request's one unit of work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash

from foreningen.core.errors import DomainError
from foreningen.core.extensions import db


@dataclass(frozen=True)
class Outcome:
    """What carry_out did: true when the change was made; `value` is what the service
    returned; `message` the refusal's, translated."""

    done: bool
    value: Any = None
    message: str | None = None

    def __bool__(self) -> bool:
        return self.done


def _flash_error(message: str) -> None:
    flash(message, "error")


def carry_out(change: Callable[[], Any],
              refused: Callable[[str], Any] = _flash_error) -> Outcome:
    """Run a service call as the request's one unit of work: commit when it succeeds; when
    a rule of the domain refuses it (DomainError), roll back everything it did and hand
    the message to `refused` (a field's `errors.append`, or by default a flashed error)."""
    try:
        value = change()
    except DomainError as exc:
        db.session.rollback()
        refused(exc.message)
        return Outcome(False, message=exc.message)
    db.session.commit()
    return Outcome(True, value)
