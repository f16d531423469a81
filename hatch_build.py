"""Build hook: compiles the PII engine's native fast path (``grayshield/pii/_fast.pyx``) with Cython.

hatchling runs this for every wheel, the editable one that ``make setup`` (``uv sync``) installs included. The
extension is built in place next to its source, so the editable install (a path to ``src``) finds it, and is
also put into a regular wheel. The module records a hash of its source and of the Python reference it mirrors
(``grayshield/pii/_source_hash.py``); ``grayshield.pii.native`` compares it with the files on disk when it is
imported and uses the pure-Python engine, with one warning, when they differ or the module is missing.

No compiler or no Cython is no error here: the package then runs on the pure-Python engine (same results,
slower), and the warning says so.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import sysconfig
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PII = Path("src/grayshield/pii")
SOURCE = PII / "_fast.pyx"


def _source_hash(pii_dir: Path) -> str:
    """``grayshield.pii._source_hash.source_hash``, loaded by path: GrayShield is not importable here."""
    spec = importlib.util.spec_from_file_location("_gs_source_hash", pii_dir / "_source_hash.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.source_hash(pii_dir))


def _warn(message: str) -> None:
    sys.stderr.write(f"grayshield: {message}\n")


def build_in_place(root: Path) -> Path | None:
    """Cythonize and compile ``_fast.pyx`` next to its source; the built file, or None when that failed."""
    try:
        from Cython.Build import cythonize
        from setuptools import Distribution, Extension
        from setuptools.command.build_ext import build_ext
    except ImportError as exc:
        _warn(f"native PII fast path not built ({exc}); the pure-Python engine will be used")
        return None
    pii = root / PII
    digest = _source_hash(pii)
    build_dir = root / "build" / "native"
    extension = Extension(
        "grayshield.pii._fast",
        [str(root / SOURCE)],
        define_macros=[("GS_FAST_SOURCE_HASH", f'"{digest}"')],
        extra_compile_args=["-O2"],
    )
    try:
        modules = cythonize(
            [extension],
            build_dir=str(build_dir),
            compiler_directives={"language_level": 3, "boundscheck": False, "wraparound": False},
            quiet=True,
        )
        command = build_ext(Distribution({"ext_modules": modules}))
        command.build_temp = str(build_dir / "temp")
        command.build_lib = str(build_dir / "lib")
        command.force = True  # the source hash is a compiler flag: an edited .py must recompile too
        command.ensure_finalized()
        command.run()
    except Exception as exc:  # a missing compiler or header: fall back to pure Python, loudly
        _warn(f"native PII fast path not built ({exc}); the pure-Python engine will be used")
        return None
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    built = build_dir / "lib" / "grayshield" / "pii" / f"_fast{suffix}"
    target = pii / built.name
    # A running process (a server, a test run) may have the old module mapped: writing into that file would
    # crash it, so the new build goes to a sibling and replaces the old one by rename.
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    staging.write_bytes(built.read_bytes())
    os.replace(staging, target)
    return target


class NativeBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Builds the extension before hatchling assembles a wheel (editable or not)."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        built = build_in_place(Path(self.root))
        if built is None:
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        if version != "editable":  # the editable wheel points at src/, where the module already is
            build_data["force_include"][str(built)] = f"grayshield/pii/{built.name}"


if __name__ == "__main__":  # developer shortcut: rebuild in place without reinstalling
    sys.exit(0 if build_in_place(Path(__file__).resolve().parent) else 1)
