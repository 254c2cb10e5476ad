"""Reads of the association's details and privacy notice (public information)."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy import select

from foreningen.association.models import SETTINGS_ID, AssociationSettings, PrivacyNotice
from foreningen.core.extensions import db


def settings() -> AssociationSettings | None:
    """The settings, read once per request (every page's footer shows the contact)."""
    if "association_settings" not in g:
        g.association_settings = db.session.get(AssociationSettings, SETTINGS_ID)
    return g.association_settings


def current_notice() -> PrivacyNotice | None:
    return db.session.scalar(select(PrivacyNotice).order_by(PrivacyNotice.published_at.desc(),
                                                            PrivacyNotice.id.desc()).limit(1))


def notice(version: str) -> PrivacyNotice | None:
    return db.session.scalar(select(PrivacyNotice).where(PrivacyNotice.version == version))


def notices() -> list[PrivacyNotice]:
    return list(db.session.scalars(select(PrivacyNotice).order_by(
        PrivacyNotice.published_at.desc(), PrivacyNotice.id.desc())))


def privacy_notice_version() -> str:
    """The version a consent given now is given to: the latest published notice, or the
    configured version before any is published in the portal."""
    latest = current_notice()
    return latest.version if latest else current_app.config["PRIVACY_NOTICE_VERSION"]
