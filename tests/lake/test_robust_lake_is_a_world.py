"""An ingested lake is a world for every batch command, although ingest writes no ``world.json``.

Found with `grayshield gangs discover <lake>`: refused as "not a world (no world.json)" while its help offers
"an ingested extract"; the spell-variant lake with a hand-written manifest ran fine.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lake_samples import call_line

from grayshield.core.errors import NotFoundError
from grayshield.lake import Lake
from grayshield.services.evaluation import check_world


def test_a_lake_with_tables_is_accepted(lake: Lake, calls_csv: Callable[..., Path]) -> None:
    lake.ingest([calls_csv("calls.csv", call_line("L1"))])
    assert not (lake.root / "world.json").exists()
    assert check_world(lake.root) == lake.root


def test_a_folder_without_tables_or_manifest_is_still_refused(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    with pytest.raises(NotFoundError, match="no world.json and no contract tables"):
        check_world(tmp_path)
    with pytest.raises(NotFoundError):
        check_world(tmp_path / "missing")
