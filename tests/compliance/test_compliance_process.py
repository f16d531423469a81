"""Process discovery and conformance on a hand-made complaint log with known deviations."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from grayshield.compliance.process import ProcessModel, check, discover, pm4py_fitness
from grayshield.core.errors import ConfigError, ValidationError

NORMAL = (
    "received",
    "registered",
    "identity_verified",
    "assigned",
    "investigated",
    "resolution_proposed",
    "closed",
)


def _log(traces: dict[str, tuple[str, ...]], hours: float = 1.0) -> pd.DataFrame:
    rows = [
        {
            "case_id": case,
            "activity": activity,
            "event_time": pd.Timestamp("2024-03-01") + pd.Timedelta(hours=hours * i),
        }
        for case, trace in traces.items()
        for i, activity in enumerate(trace)
    ]
    return pd.DataFrame(rows)


def test_deviating_cases_are_alerted_with_the_missing_step_and_expected_path(tmp_path: Path) -> None:
    model = discover(_log({f"N{i}": NORMAL for i in range(50)}))
    assert model.happy_path == list(NORMAL)
    assert ("identity_verified", "assigned", 1.0) in model.precedence
    skipped = tuple(a for a in NORMAL if a != "identity_verified")
    rushed = ("received", "registered", "identity_verified", "assigned", "closed")
    cases = check(model, _log({"ok": NORMAL, "skip": skipped, "rush": rushed, "open": NORMAL[:3]})).set_index(
        "case_id"
    )
    assert (
        not cases.loc["ok", "alert"] and not cases.loc["open", "alert"]
    )  # a running case is not a deviation
    assert cases.loc["skip", "alert"] and any(
        "identity_verified" in d for d in cases.loc["skip", "deviations"]
    )
    assert cases.loc["rush", "alert"] and any("investigated" in d for d in cases.loc["rush", "deviations"])
    assert cases.loc["skip", "expected_path"].startswith("received > registered > identity_verified")
    model.save(tmp_path / "process.json")
    assert ProcessModel.load(tmp_path / "process.json").precedence == model.precedence


def test_a_required_step_one_careless_handler_skips_in_a_tenth_of_the_training_log_is_still_required() -> (
    None
):
    skipped = tuple(a for a in NORMAL if a != "identity_verified")
    model = discover(_log({f"N{i}": NORMAL for i in range(90)} | {f"S{i}": skipped for i in range(10)}))
    assert ("identity_verified", "assigned", 0.9) in model.precedence
    assert check(model, _log({"skip": skipped}))["alert"].all()
    assert not check(model, _log({"ok": NORMAL}))["alert"].any()


def test_an_optional_step_taken_now_and_then_is_normal() -> None:
    escalated = NORMAL[:5] + ("escalated_to_regulator",) + NORMAL[5:]
    model = discover(_log({f"N{i}": NORMAL for i in range(97)} | {f"E{i}": escalated for i in range(3)}))
    assert not check(model, _log({"e": escalated}))["alert"].any()


def test_timing_far_outside_the_profile_is_a_warning_not_an_alert() -> None:
    varied = {f"N{i}": NORMAL for i in range(40)}
    normal = pd.concat([_log({k: v}, hours=1.0 + 0.1 * (i % 5)) for i, (k, v) in enumerate(varied.items())])
    model = discover(normal)
    cases = check(model, _log({"slow": NORMAL}, hours=400.0)).set_index("case_id")
    assert cases.loc["slow", "timing_warnings"] and not cases.loc["slow", "alert"]


def test_bad_logs_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="lacks column"):
        discover(pd.DataFrame({"case_id": ["a"]}))
    with pytest.raises(ValidationError, match="empty"):
        discover(_log({}).reindex(columns=["case_id", "activity", "event_time"]))
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ConfigError):
        ProcessModel.load(tmp_path / "bad.json")


def test_alignments_need_the_optional_pm4py_extra() -> None:
    """pm4py is AGPL-3.0 and not a dependency: without it, asking for alignments is a clear ConfigError."""
    try:
        import pm4py  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match="pm4py"):
            pm4py_fitness(_log({"a": NORMAL}), _log({"b": NORMAL}))
    else:
        fitness = pm4py_fitness(_log({"a": NORMAL}), _log({f"N{i}": NORMAL for i in range(5)}))
        assert fitness.iloc[0] == pytest.approx(1.0)
