"""The registry of feature policies (CASA's pattern): may this user do this to this record?

Each feature has a `policy` module with predicates `can_<verb>(user, obj=None) -> bool` and a
`scope(user, stmt)` that narrows every list query to what the user may see. A feature
registers its module under its name in create_app; `can("members.export")` then asks
`members.policy.can_export(current_user, None)`. An unknown action is a programming error,
never a silent yes.
"""

from __future__ import annotations

from types import ModuleType

from flask import abort
from flask_login import current_user

_POLICIES: dict[str, ModuleType] = {}


def register(feature: str, module: ModuleType) -> None:
    _POLICIES[feature] = module


def predicate(action: str):
    feature, _, verb = action.partition(".")
    module = _POLICIES.get(feature)
    check = getattr(module, f"can_{verb}", None) if module is not None else None
    if check is None:
        raise LookupError(f"no policy answers {action!r}")
    return check


def can(action: str, obj=None, user=None) -> bool:
    """True when the user (the signed-in one unless given) may do `action` to `obj`."""
    user = current_user if user is None else user
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(predicate(action)(user, obj))


def authorize(action: str, obj=None) -> None:
    """403 unless the signed-in user may do `action` to `obj`."""
    if not can(action, obj):
        abort(403)
