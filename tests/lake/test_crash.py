"""A crash mid-ingest never leaves half a file visible: unpublished work is dropped, a begun publish completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from lake_samples import call_line

from grayshield.core.settings import Settings
from grayshield.lake import Lake
from grayshield.lake import staging as staging_module


class InjectedCrash(Exception):
    pass


def visible_calls(lake: Lake) -> int:
    return int(lake.table("calls").count().execute())


def many_months(prefix: str) -> list[str]:
    return [call_line(f"{prefix}{m}", start=f"2024-{m:02d}-01 10:00:00") for m in range(1, 7)]


def test_crash_between_write_and_publish_leaves_nothing(
    lake: Lake, calls_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = calls_csv("calls.csv", *many_months("W"))

    def crash(self: staging_module.FileStage, *args: object) -> None:
        self.close()
        raise InjectedCrash

    monkeypatch.setattr(staging_module.FileStage, "publish", crash)
    with pytest.raises(InjectedCrash):
        lake.ingest([path])
    assert visible_calls(lake) == 0 and not list((lake.root / "_manifest").glob("*.json"))
    monkeypatch.undo()
    report = lake.ingest([path])
    assert report.recovered == {"rolled_forward": 0, "discarded": 1}
    assert report.accepted == 6 and visible_calls(lake) == 6
    assert not any((lake.root / "_staging").glob("*/*"))


def test_crash_in_the_middle_of_publishing_is_rolled_forward(
    lake: Lake, calls_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = calls_csv("calls.csv", *many_months("M"), call_line("M1", duration="bad"))
    real_replace = os.replace
    calls = {"n": 0}

    def flaky_replace(src: str, dst: str) -> None:
        calls["n"] += 1
        if calls["n"] == 4:  # after the journal and two parts have moved
            raise InjectedCrash
        real_replace(src, dst)

    monkeypatch.setattr(staging_module.os, "replace", flaky_replace)
    with pytest.raises(InjectedCrash):
        lake.ingest([path])
    monkeypatch.undo()
    fresh = Lake(lake.settings)
    report = fresh.ingest([path])
    assert report.recovered == {"rolled_forward": 1, "discarded": 0}
    assert report.files[0].status == "skipped"  # the manifest was completed by the roll-forward
    assert visible_calls(fresh) == 6 and fresh.quarantine().count().execute() == 1


def test_killed_process_leaves_no_partial_partition(settings: Settings, calls_csv: Callable[..., Path]) -> None:
    path = calls_csv("calls.csv", *many_months("K"))
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from grayshield.core.settings import Settings
        from grayshield.lake import Lake, staging

        def die(self, *args):
            self.close()
            os.kill(os.getpid(), signal.SIGKILL)

        staging.FileStage.publish = die
        Lake(Settings(home=Path({str(settings.home)!r}), environment="test")).ingest([Path({str(path)!r})])
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert result.returncode == -signal.SIGKILL
    lake = Lake(settings)
    assert list(lake.root.glob("_staging/*/*/calls/*/*.parquet"))  # the dead run left its staged parts
    assert visible_calls(lake) == 0
    report = lake.ingest([path])  # the stale lock of the dead process does not block the next run
    assert report.recovered["discarded"] == 1 and visible_calls(lake) == 6
