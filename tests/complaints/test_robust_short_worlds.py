"""Extracts shorter than the feature history plus the outcome horizon get a clear refusal, not a crash.

A three-month world (`grayshield simulate --months 3`) used to reach ``make_spine`` with no dates and fail in
pyarrow ("Unsupported cast from double to date32"); ``grayshield eval complaints`` must say what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from grayshield.complaints.dataset import latest_scoring_date, scoring_dates
from grayshield.core.errors import ValidationError
from grayshield.lake import open_world


def test_three_months_have_no_scoring_date_and_say_why(simulated_world: Callable[..., Path]) -> None:
    world = open_world(simulated_world("default", customers=300, months=3, seed=5))
    with pytest.raises(ValidationError, match="没有可用的评分日期") as labelled:
        scoring_dates(world)
    assert "90 天历史和 30 天观察期" in str(labelled.value)
    with pytest.raises(ValidationError, match="需要其前 90 天历史，"):
        latest_scoring_date(world)


def test_five_months_give_one_labelled_date(simulated_world: Callable[..., Path]) -> None:
    world = open_world(simulated_world("default", customers=300, months=5, seed=5))
    assert scoring_dates(world) == [date(2024, 4, 1)]
    assert latest_scoring_date(world) == date(2024, 5, 1)


def test_evaluating_on_a_short_world_is_a_validation_error(simulated_world: Callable[..., Path]) -> None:
    from grayshield.services.complaint_warning import evaluate_world

    train = simulated_world("default", customers=300, months=3, seed=5)
    with pytest.raises(ValidationError, match="没有可用的评分日期"):
        evaluate_world(train, train, None)
