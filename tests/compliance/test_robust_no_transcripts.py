"""A bank without transcripts or complaint events (optional tables) gets empty results, not a crash.

Found with `grayshield eval compliance --test W` on a world of only the core tables: the per-call score
subtracted penalties from an empty text column ("operation 'rsub' not supported for dtype 'str'").
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from grayshield.compliance.qa import run_qa
from grayshield.compliance.rules import load_rulebook
from grayshield.compliance.worlds import call_keys, world_utterances
from grayshield.lake import open_world


def test_qa_of_a_world_without_transcripts_is_empty(tmp_path: Path) -> None:
    world = open_world(tmp_path)
    result = run_qa(load_rulebook(), world_utterances(world), call_keys(world))
    assert result.findings.empty and result.calls.empty
    assert {"call_id", "score", "breaches", "missing", "missing_count"} <= set(result.calls.columns)


def test_an_empty_complaint_log_gives_an_empty_bool_alert_column(tmp_path: Path) -> None:
    """`grayshield compliance process LAKE` on a lake without complaint_events crashed selecting alerts."""
    from grayshield.compliance.process import check, discover
    from grayshield.compliance.worlds import complaint_log

    steps = ("received", "registered", "assigned", "closed")
    normal = pd.DataFrame([{"case_id": f"N{i}", "activity": a, "event_time": pd.Timestamp("2024-03-01")
                            + pd.Timedelta(hours=h)} for i in range(20) for h, a in enumerate(steps)])
    cases = check(discover(normal), complaint_log(open_world(tmp_path)))
    assert cases.empty and cases["alert"].dtype == bool
    assert cases[cases["alert"]].loc[:, ["case_id", "deviations", "trace"]].empty
