"""The boundaries `make lint` enforces (import-linter) stay complete as features grow: every
module of a feature other than its services, queries, policy and signals is forbidden to
every other feature, and the kernel imports no feature."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "foreningen"
PUBLIC = {"__init__", "services", "queries", "policy", "signals"}


def features() -> list[str]:
    return sorted(p.name for p in PACKAGE.iterdir()
                  if p.is_dir() and (p / "__init__.py").exists() and p.name != "core")


def internal_modules(feature: str) -> set[str]:
    found = set()
    for path in (PACKAGE / feature).iterdir():
        if path.suffix == ".py":
            name = path.stem
        elif (path / "__init__.py").exists():
            name = path.name
        else:
            continue
        if name not in PUBLIC:
            found.add(f"foreningen.{feature}.{name}")
    return found


def contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["importlinter"]["contracts"]


def test_the_core_may_import_no_feature():
    core = [c for c in contracts() if c["source_modules"] == ["foreningen.core"]]
    assert len(core) == 1
    expected = {f"foreningen.{f}" for f in features()} | {"foreningen.demo"}
    assert set(core[0]["forbidden_modules"]) == expected


def test_each_feature_is_kept_out_of_every_other_features_internals():
    by_source = {tuple(c["source_modules"]): c for c in contracts()}
    for feature in features():
        contract = by_source.get((f"foreningen.{feature}",))
        assert contract is not None, f"no import contract for the feature {feature}"
        expected = set().union(*(internal_modules(other) for other in features()
                                 if other != feature))
        missing = expected - set(contract["forbidden_modules"])
        assert not missing, (f"{feature}'s contract does not forbid {sorted(missing)}: add them "
                             "to pyproject.toml: python scripts/import_contracts.py")
