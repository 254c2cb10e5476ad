from __future__ import annotations

from sqlalchemy import select

from foreningen.core.extensions import db
from foreningen.municipalities.models import Municipality


def all_municipalities(active_only: bool = False) -> list[Municipality]:
    stmt = select(Municipality).order_by(Municipality.name)
    if active_only:
        stmt = stmt.where(Municipality.active.is_(True))
    return list(db.session.scalars(stmt))


def by_code(code: str) -> Municipality | None:
    return db.session.scalar(select(Municipality).where(Municipality.code == code))


def get(municipality_id: int) -> Municipality | None:
    return db.session.get(Municipality, municipality_id)


def names_subquery():
    """(id, name) of every kommun, to join where a list shows the name."""
    return select(Municipality.id, Municipality.name).subquery("municipality_names")


def names(ids) -> dict[int, str]:
    """id → name of the kommuner among `ids`, in one statement."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = db.session.execute(select(Municipality.id, Municipality.name)
                              .where(Municipality.id.in_(wanted)))
    return {row[0]: row[1] for row in rows}
