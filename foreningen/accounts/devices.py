"""Where someone is signed in, as a person would say it: "Firefox on Windows".

ua-parser (the uap-core rules) reads the browser's user-agent string; nothing of it is sent
anywhere. The answer is cached, as the same few strings come back on every page."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l
from ua_parser import parse


@lru_cache(maxsize=1024)
def _parts(user_agent: str) -> tuple[str | None, str | None, str | None]:
    result = parse(user_agent)
    browser = result.user_agent.family if result.user_agent else None
    system = result.os.family if result.os else None
    device = result.device.family if result.device else None
    return (None if browser == "Other" else browser, None if system == "Other" else system,
            None if device in ("Other", "Generic Smartphone", None) else device)


def describe(user_agent: str | None):
    """A short description of the browser and system, or "Unknown device"."""
    browser, system, device = _parts(user_agent or "")
    place = system if not device or (system and device in ("Mac", "iPhone", "iPad")) else device
    if browser and place:
        return _l("%(browser)s on %(system)s", browser=browser, system=place)
    return browser or place or _l("Unknown device")
