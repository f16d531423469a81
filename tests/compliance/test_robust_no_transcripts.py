"""A bank without transcripts (``call_utterances`` is an optional table) gets an empty QA, not a TypeError.

Found with `grayshield eval compliance --test W` on a world of only the core tables: the per-call score
subtracted penalties from an empty text column ("operation 'rsub' not supported for dtype 'str'").
"""

from __future__ import annotations

from pathlib import Path

from grayshield.compliance.qa import run_qa
from grayshield.compliance.rules import load_rulebook
from grayshield.compliance.worlds import call_keys, world_utterances
from grayshield.lake import open_world


def test_qa_of_a_world_without_transcripts_is_empty(tmp_path: Path) -> None:
    world = open_world(tmp_path)
    result = run_qa(load_rulebook(), world_utterances(world), call_keys(world))
    assert result.findings.empty and result.calls.empty
    assert {"call_id", "score", "breaches", "missing", "missing_count"} <= set(result.calls.columns)
