from __future__ import annotations

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from foreningen.core.db import TimestampMixin
from foreningen.core.extensions import db


class Municipality(TimestampMixin, db.Model):
    """A kommun, identified by its four-digit code from Statistics Sweden (SCB)."""

    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(4), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)

    def __repr__(self) -> str:
        return f"<Municipality {self.code} {self.name}>"
