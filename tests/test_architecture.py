"""The architecture document and the import contract describe the tree as it is."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "paperboy"
DOC = ROOT / "docs" / "architecture.md"


def _modules() -> list[str]:
    """Every module of paperboy, as a path relative to paperboy/ (packages' __init__ and
    the Alembic revisions excepted: a revision is data, named by its number)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if path.name in ("__init__.py", "__main__.py") or "/migrations/" in f"/{relative}":
            continue
        found.append(relative)
    return found


def test_every_module_is_named_in_the_architecture_document() -> None:
    text = DOC.read_text(encoding="utf-8")
    digest_modules = [m for m in _modules() if m.startswith("digest/")]
    missing = [
        m
        for m in _modules()
        if f"`{m}`" not in text and m not in digest_modules and f"`paperboy/{m}`" not in text
    ]
    assert missing == [], f"docs/architecture.md does not name: {missing}"
    # The digest package is described as a group; each of its modules is still named.
    for module in digest_modules:
        assert Path(module).name in text, module


def test_every_top_level_package_has_a_layer_in_the_import_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = " ".join(config["tool"]["importlinter"]["contracts"][0]["layers"])
    named = {part.strip() for part in layers.replace(":", " ").replace("|", " ").split()}
    packages = {
        f"paperboy.{p.stem if p.is_file() else p.name}"
        for p in PACKAGE.iterdir()
        if (p.is_dir() and (p / "__init__.py").exists())
        or (p.is_file() and p.suffix == ".py" and p.name not in ("__init__.py", "__main__.py"))
    }
    assert packages - named == set(), f"not in the layers contract: {packages - named}"
