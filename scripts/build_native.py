"""Optional accelerator: compile the PII engine's hot modules with mypyc, as extension files next to their sources.

The pure-Python modules stay the reference and the fallback. Python's import system prefers an extension module
to a ``.py`` of the same name in the same folder, so a built tree runs the compiled code and a tree without the
build (or after ``--clean``) runs the sources; both give the same hits and masked text
(``tests/pii/test_pii_compiled.py`` runs the evaluation corpus through each and compares). The modules are
plain typed Python: mypyc (shipped with the locked mypy) compiles them unchanged, no second implementation.

``make setup`` runs this after ``uv sync`` and again whenever one of the modules changes. A build that cannot run
(no C compiler, no headers) removes its partial output and exits 0: the product works without it.

    .venv/bin/python scripts/build_native.py [--clean]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_ROOT = ROOT / "src"
PACKAGE = SOURCE_ROOT / "grayshield" / "pii"
# The hot path of a scan and a mask, in dependency order. Not compiled: entities (Hit must stay a plain named
# tuple), operators and policy (pydantic models), corpus and evaluation (not on the hot path).
MODULES = ("validators", "recognisers", "names", "scanner", "masking")
# The shared library every compiled module links to: one fixed name, so ``--clean`` and .gitignore know it.
GROUP = "grayshield_pii_native"
BUILD_DIR = ROOT / "build" / "native"


def built_files() -> list[Path]:
    """Every extension file a build leaves in the source tree."""
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    return [PACKAGE / f"{m}{suffix}" for m in MODULES] + [SOURCE_ROOT / f"{GROUP}__mypyc{suffix}"]


def clean() -> None:
    for path in built_files():
        path.unlink(missing_ok=True)


def build() -> None:
    """Generate C with mypyc from the repository root (mypy reads its configuration from pyproject.toml there),
    then compile it with setuptools' ``build_ext --inplace`` from a scratch folder (so setuptools does not read
    the project's own metadata)."""
    from mypyc.build import mypycify
    from setuptools import setup  # type: ignore[import-untyped]

    os.chdir(ROOT)
    paths = [str((PACKAGE / f"{m}.py").relative_to(ROOT)) for m in MODULES]
    extensions = mypycify(paths, opt_level="3", group_name=GROUP, target_dir=str(BUILD_DIR / "c"))
    for extension in extensions:
        extension.sources = [str(ROOT / source) for source in extension.sources]
        extension.include_dirs = [str(ROOT / folder) for folder in extension.include_dirs]
    with tempfile.TemporaryDirectory(prefix="build_native_") as temp:
        os.chdir(temp)
        setup(
            name="grayshield-pii-native",
            ext_modules=extensions,
            package_dir={"": str(SOURCE_ROOT)},
            script_args=["--quiet", "build_ext", "--inplace", "--build-temp", temp],
        )
        os.chdir(ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clean", action="store_true", help="remove the compiled modules (run pure Python)")
    args = parser.parse_args(argv)
    clean()
    if args.clean:
        return 0
    try:
        build()
    except (Exception, SystemExit) as exc:  # setuptools reports a failed compile as SystemExit
        clean()
        sys.stderr.write(
            f"build_native: compiled PII modules not built ({exc!r}); the pure-Python ones run\n"
        )
        return 0
    finally:
        shutil.rmtree(BUILD_DIR, ignore_errors=True)
    missing = [p.name for p in built_files() if not p.is_file()]
    if missing:
        clean()
        sys.stderr.write(f"build_native: build left out {missing}; the pure-Python modules run\n")
        return 0
    sys.stdout.write(f"build_native: compiled {', '.join(MODULES)} (grayshield.pii)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
