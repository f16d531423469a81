"""One trained social model per test session, shared by the service and CLI tests (training takes seconds)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from grayshield.social.evaluation import train_world


@pytest.fixture(scope="session")
def social_worlds(simulated_world: Callable[..., Path]) -> tuple[Path, Path]:
    """A default-profile world to train on and a held-out hard-profile world with a new seed."""
    return simulated_world("default", 1_500, 6, seed=31), simulated_world("hard", 1_500, 6, seed=32)


@pytest.fixture(scope="session")
def social_models(social_worlds: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder holding ``social/accounts/v0001`` trained on the training world."""
    models = tmp_path_factory.mktemp("social-models")
    train_world(social_worlds[0], models)
    return models
