"""One small simulated world and the models fitted on it, shared by the complaint early-warning tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from grayshield.complaints.training import ComplaintModels
from grayshield.lake import World, open_world


@pytest.fixture(scope="session")
def world(simulated_world: Callable[..., Path]) -> World:
    return open_world(simulated_world("default", customers=4_000, months=9, seed=11))


@pytest.fixture(scope="session")
def fitted(world: World) -> tuple[ComplaintModels, pd.DataFrame]:
    from grayshield.services.complaint_warning import fit_on_world

    return fit_on_world(world)
