"""The native fast path of the scanner and the masking, and the checks that make it safe to use.

``_fast.pyx`` (Cython, compiled by ``make setup`` through ``hatch_build.py``) runs a whole scan of a text or a
batch in one call: the joined regex and the automaton as before, then the per-candidate rules (cue-free names,
cue names, the common number shapes), threshold, overlap resolution and masking over the text buffer and C
arrays, returning to Python once. The Python modules stay the reference and the specification: the native code
mirrors them rule for rule, and ``tests/pii/test_pii_native.py`` checks that both give the same hits and masked
text on the whole evaluation corpus and random cuts of it.

Safety: the compiled module carries a hash of the sources it was built from (``_source_hash.py``). When it is
missing (no compiler at install time) or stale (a rule was edited after the build), the scanner uses the Python
reference, which gives the same results more slowly, and one warning says so and how to rebuild. A scanner
configuration the native code does not cover (a bank's own recogniser, a custom lexicon) runs that recogniser
through its Python code inside the native pass, or the whole scanner in Python where no rule is native.
"""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from grayshield.core.logging import get_logger
from grayshield.pii._source_hash import source_hash

if TYPE_CHECKING:
    from grayshield.pii.recognisers import ContextRecogniser, PatternRecogniser

log = get_logger(__name__)

REBUILD_HINT = "run `make setup` to rebuild it"


@cache
def native_module() -> ModuleType | None:
    """The compiled fast path when it exists and was built from the sources on disk, else None (warned once)."""
    try:
        module = importlib.import_module("grayshield.pii._fast")
    except ImportError:
        log.warning("PII native fast path not built; using the pure-Python engine (slower); %s", REBUILD_HINT)
        return None
    return module if is_current(module) else None


def is_current(module: Any, pii_dir: Path = Path(__file__).parent) -> bool:
    """Whether ``module`` was built from the sources in ``pii_dir``; warns when it was not."""
    if not (pii_dir / "_fast.pyx").is_file():  # an installed wheel without its sources: trust the build
        return True
    if getattr(module, "SOURCE_HASH", None) == source_hash(pii_dir):
        return True
    log.warning(
        "PII native fast path is stale (built from other sources); using the pure-Python engine; %s",
        REBUILD_HINT,
    )
    return False


def build_engine(
    patterns: list[PatternRecogniser],
    context: list[ContextRecogniser],
    regex: Any,
    entries: dict[str, list[tuple[int, str, str, int]]],
    threshold: float,
) -> Any | None:
    """A native engine for a scanner's recognisers, or None when the module is unusable or nothing in the
    configuration is native (then the Python scanner is as fast)."""
    from grayshield.pii.recognisers import AddressRecogniser, NameRecogniser

    module = native_module()
    if module is None:
        return None
    lexicons = {id(p.native[1]): p.native[1] for p in patterns if p.native is not None}
    for r in context:
        if type(r) is NameRecogniser or type(r) is AddressRecogniser:
            lexicons[id(r.lexicon)] = r.lexicon
    if len(lexicons) != 1:  # nothing native, or rules built from different lexicons: keep it simple, Python
        return None
    (lexicon,) = lexicons.values()
    pattern_rules = [p.native[0] if p.native is not None and p.native[1] is lexicon else "" for p in patterns]
    context_rules = [
        "person_name"
        if type(r) is NameRecogniser and r.lexicon is lexicon
        else ("address" if type(r) is AddressRecogniser and r.lexicon is lexicon else "")
        for r in context
    ]
    try:
        return module.Engine(
            lexicon, patterns, pattern_rules, context, context_rules, regex, entries, threshold
        )
    except ValueError as exc:  # a list the engine cannot hold (a character outside the BMP): Python
        log.warning("PII native fast path not used for this scanner (%s); using the pure-Python engine", exc)
        return None
