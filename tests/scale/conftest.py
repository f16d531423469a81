"""Spark local mode for parity tests: one session for the whole run (it takes tens of seconds to start)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from grayshield.core.settings import Settings
from grayshield.lake import World, open_world


@pytest.fixture(scope="session")
def spark_connection() -> Iterator[Any]:
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("Java is required for Spark parity tests in CI (scripts/system-deps.sh installs it)")
        pytest.skip("no Java on this machine")
    pytest.importorskip("pyspark")
    from grayshield.lake.engines import connect

    connection = connect(Settings(lake={"engine": "spark"}, environment="test"))
    connection._session.sparkContext.setLogLevel("ERROR")
    yield connection
    connection._session.stop()


@pytest.fixture(scope="session")
def parity_world(simulated_world: Callable[..., Path]) -> Path:
    return simulated_world("default", customers=400, months=6, seed=5)


@pytest.fixture(scope="session")
def worlds(parity_world: Path, spark_connection: Any) -> tuple[World, World]:
    """The same world read by DuckDB and by Spark."""
    return open_world(parity_world), open_world(parity_world, spark_connection)


@pytest.fixture(scope="session")
def assert_same_rows() -> Callable[..., None]:
    return _assert_same_rows


def _assert_same_rows(duck: pd.DataFrame, spark: pd.DataFrame, keys: list[str], rtol: float = 1e-9) -> None:
    """Same rows (sorted by ``keys``), same values; floats within ``rtol``, nulls equal nulls."""
    assert sorted(duck.columns) == sorted(spark.columns)
    assert len(duck) == len(spark)
    a = duck.sort_values(keys).reset_index(drop=True)
    b = spark[list(duck.columns)].sort_values(keys).reset_index(drop=True)
    for column in a.columns:
        left, right = a[column], b[column]
        if pd.api.types.is_numeric_dtype(left) and pd.api.types.is_numeric_dtype(right):
            pd.testing.assert_series_equal(left.astype("float64"), right.astype("float64"), rtol=rtol,
                                           check_names=False, obj=column)
        else:
            as_text = [s.astype("string").fillna("<NA>").tolist() for s in (left, right)]
            assert as_text[0] == as_text[1], column
