"""The compiled PII modules (``scripts/build_native.py``, mypyc) must behave exactly like their sources.

This process runs whatever ``import`` picks (the extension modules when they are built); a second process is
made to load the ``.py`` files of the same modules. Both scan and mask the whole evaluation corpus, one
document at a time and in batches, and must agree on every hit and every masked character. Without a build
there is nothing to compare and the test says so; a build older than its sources is a failure (it would run
yesterday's rules): ``make setup`` rebuilds it.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest

from grayshield.pii.corpus import HELD_OUT_TEMPLATES, generate_corpus, join_documents, tricky_cases

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "grayshield" / "pii"
COMPILED = ("validators", "recognisers", "names", "scanner", "masking")  # as in scripts/build_native.py


def corpus() -> list[str]:
    """Short documents (development and held-out templates, tricky cases) and the same joined ten by ten."""
    docs = [
        *generate_corpus(1, 1500),
        *generate_corpus(2, 750, templates=HELD_OUT_TEMPLATES, source="held_out"),
        *tricky_cases(),
    ]
    return [d.text for d in docs] + [d.text for d in join_documents(docs, 10)]


def outputs() -> dict[str, Any]:
    """Hits and masked text of the corpus through every entry point, and which files the modules came from."""
    from grayshield.pii import Scanner, mask_many, mask_text

    texts = corpus()
    scanner = Scanner()
    return {
        "files": {m: importlib.import_module(f"grayshield.pii.{m}").__file__ for m in COMPILED},
        "scan": [scanner.scan(t) for t in texts],
        "scan_many": scanner.scan_many(texts),
        "mask_text": [mask_text(t) for t in texts],
        "mask_many": mask_many(texts),
    }


# Run in a fresh interpreter: a finder placed before the standard ones hands out the sources of the compiled
# modules, so the extension files next to them are never loaded.
_PURE_RUN = """
import importlib.util, json, sys
from pathlib import Path

PACKAGE, COMPILED = Path(sys.argv[1]), sys.argv[2].split(",")

class SourcesOnly:
    @staticmethod
    def find_spec(name, path=None, target=None):
        package, _, module = name.rpartition(".")
        if package == "grayshield.pii" and module in COMPILED:
            return importlib.util.spec_from_file_location(name, PACKAGE / f"{module}.py")
        return None

sys.meta_path.insert(0, SourcesOnly)
sys.path.insert(0, sys.argv[3])
from test_pii_compiled import outputs
json.dump(outputs(), sys.stdout, ensure_ascii=False)
"""


def _extension(module: str) -> Path:
    return PACKAGE / f"{module}{sysconfig.get_config_var('EXT_SUFFIX')}"


def _built() -> list[str]:
    return [m for m in COMPILED if _extension(m).is_file()]


def _as_json(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False))


@pytest.mark.skipif(not _built(), reason="compiled PII modules not built (scripts/build_native.py)")
def test_compiled_modules_are_built_from_the_current_sources() -> None:
    assert _built() == list(COMPILED), "a partial build: run make setup"
    newest_source = max(p.stat().st_mtime for p in PACKAGE.glob("*.py"))
    stale = [m for m in COMPILED if _extension(m).stat().st_mtime < newest_source]
    assert stale == [], f"compiled modules older than the sources: {stale}; run make setup"


@pytest.mark.skipif(not _built(), reason="compiled PII modules not built (scripts/build_native.py)")
def test_compiled_and_pure_modules_give_identical_hits_and_masks() -> None:
    compiled = _as_json(outputs())
    run = subprocess.run(
        [sys.executable, "-c", _PURE_RUN, str(PACKAGE), ",".join(COMPILED), str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    pure = json.loads(run.stdout)
    assert all(f.endswith(".so") or f.endswith(".pyd") for f in compiled.pop("files").values())
    assert all(f.endswith(".py") for f in pure.pop("files").values())
    for entry_point, expected in pure.items():
        assert compiled[entry_point] == expected, entry_point
