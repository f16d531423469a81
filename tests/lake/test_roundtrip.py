"""Property: any valid rows written as RFC 4180 CSV come back from the lake unchanged, none lost."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grayshield.core.settings import Settings
from grayshield.lake import Lake

UTTERANCE_COLUMNS = ["call_id", "seq", "speaker", "start_ms", "end_ms", "text"]
# Free text as bank exports carry it: Chinese, commas, quotes, CR/LF inside fields, leading spaces.
free_text = st.text(
    alphabet=st.sampled_from(list('停息挂账协商还款，。 ,"\'\n\r\tabcXYZ0123-')), min_size=1, max_size=30
).filter(lambda t: t.strip() != "")

utterance = st.fixed_dictionaries({
    "speaker": st.sampled_from(["agent", "caller", "ivr"]),
    "start_ms": st.integers(0, 10**9),
    "end_ms": st.integers(0, 10**9),
    "text": free_text,
})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(utterance, min_size=1, max_size=25), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk"]))
def test_valid_rows_round_trip(rows: list[dict[str, object]], encoding: str) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(UTTERANCE_COLUMNS)
    for seq, row in enumerate(rows):
        writer.writerow(["C1", seq, row["speaker"], row["start_ms"], row["end_ms"], row["text"]])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "call_utterances.csv"
        path.write_bytes(buffer.getvalue().encode(encoding))
        lake = Lake(Settings(home=Path(tmp) / "home", environment="test"))
        report = lake.ingest([path])
        assert report.rejected == 0 and report.accepted == len(rows), report.to_dict()
        stored = lake.table("call_utterances").order_by("seq").to_pyarrow().to_pylist()
    assert [r["text"] for r in stored] == [r["text"] for r in rows]
    assert [(r["speaker"], r["start_ms"], r["end_ms"]) for r in stored] == [
        (r["speaker"], r["start_ms"], r["end_ms"]) for r in rows
    ]


def test_timestamps_across_offsets_land_in_the_right_month(tmp_path: Path) -> None:
    header = "event_id,complaint_id,event_time,activity,staff_id"
    path = tmp_path / "complaint_events.csv"
    path.write_text(f"{header}\nE1,CP1,2024-01-31T20:00:00Z,received,\nE2,CP1,2024-02-01T01:00:00+09:00,closed,\n")
    lake = Lake(Settings(home=tmp_path / "home", environment="test"))
    assert lake.ingest([path]).accepted == 2
    stored = lake.table("complaint_events").order_by("event_id").to_pyarrow().column("event_time").to_pylist()
    assert stored == [dt.datetime(2024, 2, 1, 4, 0), dt.datetime(2024, 2, 1, 0, 0)]
    assert sorted(p.name for p in (lake.root / "complaint_events").iterdir()) == ["month=2024-02"]
