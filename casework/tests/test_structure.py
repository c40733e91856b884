"""The shape of the code, checked: no module reaches into another module's private (underscore) names.

The one-way layers themselves are import-linter contracts in pyproject.toml (`make lint`); this test covers what
import-linter cannot see. A private name is a module's own business: if another module needs it, it becomes public
(with a docstring) where it lives, or moves to the module both should ask (the kernel, the rules layer, core/dates).
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "casework",
    "core",
    "audit",
    "accounts",
    "people",
    "recording",
    "cases",
    "returns",
    "demo",
    "forms",
    "documents",
    "sync",
    "bench",
]


def _python_files() -> list[Path]:
    files = []
    for app in APPS:
        base = ROOT / app
        if base.is_dir():
            files += [p for p in base.rglob("*.py") if "migrations" not in p.parts]
    return files


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve(path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
    return ".".join([*base, *([node.module] if node.module else [])])


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def private_reaches(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[str] = []
    module_aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _resolve(path, node)
            for alias in node.names:
                if _is_private(alias.name):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {source}.{alias.name}")
                elif _is_module(f"{source}.{alias.name}"):
                    module_aliases[alias.asname or alias.name] = f"{source}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if any(_is_private(part) for part in alias.name.split(".")):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {alias.name}")
                if alias.asname:
                    module_aliases[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in module_aliases
            and _is_private(node.attr)
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} uses {module_aliases[node.value.id]}.{node.attr}")
    return found


def test_no_module_reaches_into_another_modules_private_names():
    found = [line for path in _python_files() for line in private_reaches(path)]
    assert not found, "Private names used from another module (make them public where they live):\n" + "\n".join(found)


def test_the_check_sees_a_private_import(tmp_path, monkeypatch):
    probe = ROOT / "core" / "_structure_probe.py"
    probe.write_text("from recording.services import _summary\nfrom core import dates\ndates._bank_holidays(2026)\n")
    try:
        found = private_reaches(probe)
    finally:
        probe.unlink()
    assert any("recording.services._summary" in f for f in found)
    assert any("core.dates._bank_holidays" in f for f in found)
