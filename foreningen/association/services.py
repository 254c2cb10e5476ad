"""Changes to the association's details and privacy notice, each audited. Callers commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from foreningen.association.models import SETTINGS_ID, AssociationSettings, PrivacyNotice
from foreningen.association.queries import notice
from foreningen.core import audit
from foreningen.core.errors import DomainError
from foreningen.core.extensions import db

FIELDS = ("name", "organisation_number", "bankgiro", "plusgiro", "swish", "contact_email",
          "contact_phone", "postal_address")


class AssociationError(DomainError):
    messages = {
        "version_taken": _l("A privacy notice with this version is already published. Give "
                            "the new one a version of its own."),
    }


def update_settings(values: dict, actor) -> AssociationSettings:
    settings = db.session.get(AssociationSettings, SETTINGS_ID)
    if settings is None:
        settings = AssociationSettings(id=SETTINGS_ID, name=values.get("name") or "")
        db.session.add(settings)
    changed = sorted(name for name in FIELDS
                     if name in values and (values[name] or None) != getattr(settings, name))
    for name in FIELDS:
        if name in values:
            setattr(settings, name, values[name] or None if name != "name" else values[name])
    settings.updated_by = getattr(actor, "id", None)
    db.session.flush()
    audit.record("association.settings_update", settings, actor=actor,
                 detail=" ".join(changed)[:120] or None)
    return settings


def publish_notice(version: str, bodies: dict[str, str | None], actor) -> PrivacyNotice:
    """A new version of the privacy notice; from now on consents are given to it."""
    version = version.strip()
    if notice(version) is not None:
        raise AssociationError("version_taken")
    published = PrivacyNotice(version=version, body_sv=bodies["sv"].strip(),
                              body_en=(bodies.get("en") or "").strip() or None,
                              body_ar=(bodies.get("ar") or "").strip() or None,
                              published_by=getattr(actor, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(published)
    except IntegrityError as exc:  # published by someone else at the same moment
        raise AssociationError("version_taken") from exc
    audit.record("association.notice_publish", published, actor=actor, detail=version)
    return published


audit.describe("association", _l("The association"), {
    "association.settings_update": _l("The association's details changed"),
    "association.notice_publish": _l("Privacy notice published"),
})
audit.subject_kind("association_settings", _l("The association's details"),
                   endpoint="association.settings", may_open="association.manage")
audit.subject_kind("privacy_notice", _l("Privacy notice"))
