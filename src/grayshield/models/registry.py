"""A model registry on disk: ``<root>/<model name>/vNNNN/`` holding the artefacts, ``metadata.json``
(feature list, training window, metrics, data summary, GrayShield version) and a model card.

Versions are immutable: a new training run writes a new folder, built in a temporary folder and published
with one atomic rename, so a crash never leaves half a model that scoring could pick up.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grayshield import __version__
from grayshield.core.errors import NotFoundError, ValidationError

_VERSION = re.compile(r"^v(\d{4,})$")


@dataclass(frozen=True)
class ModelVersion:
    name: str
    version: str
    path: Path
    metadata: dict[str, Any]


class ModelRegistry:
    def __init__(self, root: Path) -> None:
        self.root = root

    def versions(self, name: str) -> list[str]:
        folder = self.root / name
        if not folder.is_dir():
            return []
        found = [p.name for p in folder.iterdir() if p.is_dir() and _VERSION.match(p.name)]
        return sorted(found, key=lambda v: int(v[1:]))

    def publish(self, name: str, write: Callable[[Path], dict[str, Any]]) -> ModelVersion:
        """Call ``write(folder)`` to fill a fresh folder; it returns the metadata; publish atomically."""
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ValidationError(f"model name must be lower_snake_case: {name!r}")
        base = self.root / name
        base.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=base))
        try:
            metadata = write(staging)
            existing = self.versions(name)
            version = f"v{(int(existing[-1][1:]) + 1) if existing else 1:04d}"
            metadata = {**metadata, "name": name, "version": version, "grayshield_version": __version__}
            (staging / "metadata.json").write_text(
                json.dumps(metadata, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
            target = base / version
            os.rename(staging, target)  # atomic on one filesystem; fails if the version appeared meanwhile
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return ModelVersion(name, version, target, metadata)

    def get(self, name: str, version: str | None = None) -> ModelVersion:
        versions = self.versions(name)
        if not versions:
            raise NotFoundError(f"no trained model {name!r} under {self.root}; train one first")
        chosen = version or versions[-1]
        if chosen not in versions:
            raise NotFoundError(f"model {name!r} has no version {chosen}; versions: {', '.join(versions)}")
        path = self.root / name / chosen
        metadata = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
        return ModelVersion(name, chosen, path, metadata)
