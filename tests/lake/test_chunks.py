"""Streaming: tiny chunks give the same rows, line numbers and quarantine as one big chunk."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from lake_samples import call_line

from grayshield.core.errors import IngestError
from grayshield.core.settings import Settings
from grayshield.lake import Lake
from grayshield.lake.ingest import IngestOptions, run_batch


def sample_lines() -> tuple[list[str], set[int]]:
    """Calls with multi-line quoted fields and some bad rows; returns the lines and the bad rows' line numbers."""
    lines, bad, line_no = [], set(), 2
    for i in range(120):
        if i % 7 == 0:
            text = f'M{i},13812345678,95555,inbound,2024-03-01 09:30:00,{i},"a\n""b""\nc",A1,,,,1,'
        elif i % 11 == 0:
            text, _ = call_line(f"B{i}", duration="oops"), bad.add(line_no)
        elif i % 13 == 0:
            text, _ = f"S{i},13812345678", bad.add(line_no)
        else:
            text = call_line(f"N{i}", duration=str(i))
        lines.append(text)
        line_no += text.count("\n") + 1
    return lines, bad


@pytest.mark.parametrize("block_bytes", [64, 1000, 1 << 20])
def test_chunk_size_does_not_change_the_result(tmp_path: Path, calls_csv: Callable[..., Path],
                                               block_bytes: int) -> None:
    lines, bad_lines = sample_lines()
    path = calls_csv("calls.csv", *lines)
    lake = Lake(Settings(home=tmp_path / "home", environment="test"))
    report = run_batch(lake.root, [path], IngestOptions(csv_block_bytes=block_bytes))
    assert report.rejected == len(bad_lines)
    assert report.accepted == 120 - len(bad_lines)
    found = set(lake.quarantine().to_pyarrow().column("line").to_pylist())
    assert found == bad_lines
    multi = lake.table("calls").filter(lambda t: t.call_id == "M7").to_pyarrow().to_pylist()
    assert multi[0]["ivr_path"] == 'a\n"b"\nc'


def test_a_second_ingest_into_the_same_lake_is_refused_while_one_runs(settings: Settings,
                                                                      calls_csv: Callable[..., Path]) -> None:
    lake = Lake(settings)
    lock = lake.root / "_staging" / ".lock"
    lock.parent.mkdir(parents=True)
    lock.write_text(str(os.getppid()))  # a live process other than this one
    with pytest.raises(IngestError, match="另一个导入任务"):
        lake.ingest([calls_csv("calls.csv", call_line("L1"))])
    lock.write_text("999999999")  # a dead one: its lock is taken over
    assert lake.ingest([calls_csv("calls_2.csv", call_line("L2"))]).accepted == 1
