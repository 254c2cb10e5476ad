"""Write the import contracts of pyproject.toml from the package tree.

    .venv/bin/python scripts/import_contracts.py

The kernel (foreningen/core) may import no feature; each feature may import another only
through its services, queries, policy or signals. Every other module of a feature is listed
as forbidden to every other feature. Run this after adding a module or a feature;
tests/architecture fails until the contracts cover it.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = {"__init__", "services", "queries", "policy", "signals"}


def features() -> list[str]:
    package = ROOT / "foreningen"
    return sorted(p.name for p in package.iterdir()
                  if p.is_dir() and (p / "__init__.py").exists() and p.name != "core")


def internals(feature: str) -> list[str]:
    found = []
    for path in sorted((ROOT / "foreningen" / feature).iterdir()):
        name = path.stem if path.suffix == ".py" else (
            path.name if (path / "__init__.py").exists() else None)
        if name and name not in PUBLIC:
            found.append(f"foreningen.{feature}.{name}")
    return found


def contracts() -> str:
    every = features()
    lines = ["[tool.importlinter]", 'root_package = "foreningen"',
             "include_external_packages = true",
             "# A model named only under TYPE_CHECKING (for a relationship's type) is no "
             "dependency.",
             "exclude_type_checking_imports = true", "",
             "[[tool.importlinter.contracts]]", 'name = "The core imports no feature"',
             'type = "forbidden"', 'source_modules = ["foreningen.core"]',
             "forbidden_modules = [" + ", ".join(
                 f'"foreningen.{f}"' for f in [*every, "demo"]) + "]", ""]
    for feature in every:
        forbidden = [m for other in every if other != feature for m in internals(other)]
        lines += ["[[tool.importlinter.contracts]]",
                  f'name = "{feature} uses other features only through their services, '
                  'queries, policy or signals"',
                  'type = "forbidden"', f'source_modules = ["foreningen.{feature}"]',
                  "forbidden_modules = [", *[f'    "{m}",' for m in forbidden], "]",
                  "# Only direct imports: reaching a model through another feature's "
                  "queries is the point.",
                  "allow_indirect_imports = true", ""]
    return "\n".join(lines)


def main() -> None:
    pyproject = ROOT / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    start = text.index("[tool.importlinter]")
    pyproject.write_text(text[:start] + contracts(), encoding="utf-8")


if __name__ == "__main__":
    main()
