"""Every change to a kommun, with its audit record. Callers commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from foreningen.core import audit
from foreningen.core.errors import DomainError
from foreningen.core.extensions import db
from foreningen.municipalities.models import Municipality
from foreningen.municipalities.queries import by_code


class MunicipalityError(DomainError):
    messages = {"code_taken": _l("Another municipality already has this code.")}


def create(code: str, name: str, active: bool = True) -> Municipality:
    code = code.strip()
    if by_code(code) is not None:
        raise MunicipalityError("code_taken")
    municipality = Municipality(code=code, name=name.strip(), active=active)
    db.session.add(municipality)
    db.session.flush()
    audit.record("municipality.create", municipality, municipality_id=municipality.id)
    return municipality


def update(municipality: Municipality, code: str, name: str, active: bool) -> Municipality:
    code = code.strip()
    other = by_code(code)
    if other is not None and other.id != municipality.id:
        raise MunicipalityError("code_taken")
    municipality.code = code
    municipality.name = name.strip()
    municipality.active = active
    db.session.flush()
    audit.record("municipality.update", municipality, municipality_id=municipality.id)
    return municipality


audit.describe("municipality", _l("Municipalities"), {
    "municipality.create": _l("Municipality added"),
    "municipality.update": _l("Municipality changed"),
})
audit.subject_kind("municipality", _l("Municipality"), endpoint="admin.municipality",
                   argument="municipality_id", may_open="admin.administer")
