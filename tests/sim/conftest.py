"""Small simulated worlds shared by the simulator tests (built once per session: they take seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grayshield.sim import WorldParams, simulate

SMALL = {"customers": 1000, "months": 6, "seed": 11}


@pytest.fixture(scope="session")
def default_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim") / "default"
    simulate(WorldParams.for_profile("default", **SMALL), out)
    return out


@pytest.fixture(scope="session")
def easy_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim") / "easy"
    simulate(WorldParams.for_profile("easy", customers=300, months=3, seed=5), out)
    return out


@pytest.fixture(scope="session")
def hard_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim") / "hard"
    simulate(WorldParams.for_profile("hard", customers=300, months=3, seed=5), out)
    return out
