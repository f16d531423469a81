"""The hash that ties the compiled fast path to the sources it was built from.

Standard library only: the build hook (``hatch_build.py``) loads this file by path, in an environment where
GrayShield itself is not installed, and ``grayshield.pii.native`` imports it; both therefore compute the same
value from the same files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

NATIVE_SOURCE = "_fast.pyx"


def source_hash(pii_dir: Path) -> str:
    """SHA-256 over the native source and every Python module of the PII engine.

    The Python modules are the reference the native code mirrors: a change to any of them makes a compiled module
    stale until it is rebuilt (``make setup``), so an edited rule is never shadowed by an old build.
    """
    digest = hashlib.sha256()
    for path in sorted([pii_dir / NATIVE_SOURCE, *pii_dir.glob("*.py")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
