"""A fresh lake per test, and small calls files written the way bank extracts arrive."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lake_samples import CALLS_HEADER

from grayshield.core.settings import Settings
from grayshield.lake import Lake


@pytest.fixture
def lake(settings: Settings) -> Lake:
    return Lake(settings)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write ``text`` (or bytes) to ``name`` under a fresh input folder."""
    folder = tmp_path / "in"
    folder.mkdir()

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return _write


@pytest.fixture
def calls_csv(write: Callable[..., Path]) -> Callable[..., Path]:
    def _calls(name: str, *lines: str, header: str = CALLS_HEADER) -> Path:
        return write(name, "\n".join([header, *lines]) + "\n")

    return _calls
