"""The words several features share: what a placement was, on what legal basis, in which
language and how people can meet. A stödperson's experience and a parent's request are
described in the same words, so that matching can compare them (docs/glossary.md)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from foreningen.core.db import LabelledEnum


class PlacementType(LabelledEnum):
    FOSTER_FAMILY = "foster_family", _l("Foster family")  # familjehem
    RESIDENTIAL_CARE = "residential_care", _l("Residential care (HVB)")
    SUPPORTED_HOUSING = "supported_housing", _l("Supported housing")  # stödboende
    PROTECTED_HOUSING = "protected_housing", _l("Protected housing")  # skyddat boende


class LegalBasis(LabelledEnum):
    LVU = "lvu", _l("Compulsory care (LVU)")
    SOL = "sol", _l("Voluntary care (SoL)")


class ChildCameHome(LabelledEnum):
    YES = "yes", _l("Yes")
    PARTLY = "partly", _l("Partly, or for a time")
    NO = "no", _l("No")
    NOT_YET = "not_yet", _l("Not yet")


class MeetingForm(LabelledEnum):
    IN_PERSON = "in_person", _l("In person")
    PHONE = "phone", _l("By phone")
    VIDEO = "video", _l("By video")


class TimeOfWeek(LabelledEnum):
    WEEKDAY_DAYTIME = "weekday_daytime", _l("Weekdays, daytime")
    EVENINGS = "evenings", _l("Evenings")
    WEEKENDS = "weekends", _l("Weekends")


class Gender(LabelledEnum):
    WOMAN = "woman", _l("Woman")
    MAN = "man", _l("Man")
    NON_BINARY = "non_binary", _l("Non-binary")


class Language(LabelledEnum):
    """Languages support is given in: Swedish first, then those most asked for by parents
    in Sweden (the national minority languages and the largest immigrant languages)."""

    SV = "sv", _l("Swedish")
    EN = "en", _l("English")
    AR = "ar", _l("Arabic")
    SO = "so", _l("Somali")
    FA = "fa", _l("Persian")
    PRS = "prs", _l("Dari")
    TI = "ti", _l("Tigrinya")
    KU = "ku", _l("Kurdish")
    PL = "pl", _l("Polish")
    BS = "bs", _l("Bosnian, Croatian or Serbian")
    FI = "fi", _l("Finnish")
    TR = "tr", _l("Turkish")
    ES = "es", _l("Spanish")
    RU = "ru", _l("Russian")
    UK = "uk", _l("Ukrainian")
    ROM = "rom", _l("Romani")
    SGN = "swl", _l("Swedish Sign Language")


def names() -> dict[str, dict[str, str]]:
    """Every word of the vocabulary in the current locale, translated once (for a page)."""
    return {"languages": Language.names(), "placements": PlacementType.names(),
            "bases": LegalBasis.names(), "came_home": ChildCameHome.names(),
            "meetings": MeetingForm.names(), "times": TimeOfWeek.names(),
            "genders": Gender.names()}
