"""Promises the project as a whole keeps: current docs, permissive core licences, a light import."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker

from grayshield.contract.docs import render_markdown

ROOT = Path(__file__).resolve().parents[1]
COPYLEFT = re.compile(r"(?<!L)GPL|AGPL|Affero|non-?commercial|CC-BY-NC", re.IGNORECASE)


def test_data_contract_doc_is_current() -> None:
    on_disk = (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
    assert on_disk == render_markdown(), "run `make docs` to re-render docs/data-contract.md"


def _core_closure() -> set[str]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    packages = {p["name"]: p for p in lock["package"]}
    seen: set[str] = set()
    stack: list[dict[str, object]] = list(packages["grayshield"]["dependencies"])
    while stack:
        dep = stack.pop()
        marker = dep.get("marker")
        if marker and not Marker(str(marker)).evaluate():
            continue  # a platform-specific dependency that this platform never installs
        name = str(dep["name"])
        package = packages[name]
        for extra in dep.get("extra", []):  # type: ignore[attr-defined]
            stack += package.get("optional-dependencies", {}).get(extra, [])
        if name in seen:
            continue
        seen.add(name)
        stack += package.get("dependencies", [])
    return seen


def _licence(name: str) -> str:
    """The declared licence: the SPDX expression, else the classifiers, else a short License field.

    A long License field is the full licence text, which often quotes other licences of bundled files,
    so it is not taken as the declaration.
    """
    meta = metadata.distribution(name).metadata
    if meta.get("License-Expression"):
        return str(meta["License-Expression"])
    classifiers = [c for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    if classifiers:
        return " ".join(classifiers)
    field = (meta.get("License") or "").strip()
    return field if len(field) < 200 else field.splitlines()[0]


def test_core_dependencies_are_permissively_licensed() -> None:
    closure = _core_closure()
    assert {"duckdb", "sqlalchemy", "lightgbm"} <= closure
    assert "pm4py" not in closure and "pyspark" not in closure
    offenders = {n: _licence(n)[:80] for n in closure if COPYLEFT.search(_licence(n))}
    assert not offenders, f"copyleft licences in core dependencies: {offenders}"


def test_import_grayshield_stays_light() -> None:
    code = (
        "import sys, grayshield, grayshield.core, grayshield.contract;"
        "heavy = [m for m in ('pyspark', 'lightgbm', 'shap', 'ibis', 'duckdb', 'sklearn', 'fastapi', 'torch')"
        " if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_test_module_names_are_unique() -> None:
    """Test folders are not packages (helpers are imported by name), so two test files with one basename
    would shadow each other at collection: give each a distinct name (test_<area>_<what>.py)."""
    from collections import Counter
    from pathlib import Path

    names = Counter(p.name for p in (Path(__file__).parent).rglob("test_*.py"))
    assert not [n for n, c in names.items() if c > 1]
