"""Ingest end to end on real files and a real lake: bad input is refused or quarantined, nothing valid is lost."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from lake_samples import CALLS_HEADER, call_line

from grayshield.contract import TABLES
from grayshield.contract.arrow import arrow_schema
from grayshield.core.errors import ContractError
from grayshield.lake import Lake, open_world

Writer = Callable[..., Path]


def rows(lake: Lake, table: str = "calls") -> list[dict[str, object]]:
    frame = lake.table(table).order_by("call_id" if table == "calls" else TABLES[table].primary_key[0]).to_pyarrow()
    return frame.to_pylist()


def quarantined(lake: Lake) -> list[dict[str, object]]:
    return lake.quarantine().order_by(["source_file", "line", "column"]).to_pyarrow().to_pylist()


def test_valid_rows_are_all_present_with_their_content(lake: Lake, calls_csv: Writer) -> None:
    lines = [call_line(f"K{i:03d}", start=f"2024-0{1 + i % 3}-1{i % 10} 08:00:00", duration=str(i)) for i in range(30)]
    report = lake.ingest([calls_csv("calls.csv", *lines)])
    assert report.exit_code == 0 and report.accepted == 30 and report.rejected == 0
    stored = rows(lake)
    assert [r["call_id"] for r in stored] == [f"K{i:03d}" for i in range(30)]
    assert [r["duration_s"] for r in stored] == list(range(30))
    first = stored[0]
    assert first["caller_number"] == "+8613812345678" and first["identity_verified"] is True
    assert first["start_time"] == dt.datetime(2024, 1, 10, 8, 0) and first["customer_number"] is None
    months = sorted(p.name for p in (lake.root / "calls").iterdir())
    assert months == ["month=2024-01", "month=2024-02", "month=2024-03"]
    part = next((lake.root / "calls").rglob("*.parquet"))
    assert pq.read_schema(part).remove_metadata().equals(arrow_schema(TABLES["calls"]))
    assert open_world(lake.root).table("calls").count().execute() == 30


def test_wrong_types_bad_dates_and_phones_are_quarantined_row_by_row(lake: Lake, calls_csv: Writer) -> None:
    path = calls_csv(
        "calls.csv",
        call_line("OK1"),
        call_line("BAD1", duration="sixty"),
        call_line("BAD2", start="2024-02-30 10:00:00"),
        call_line("BAD3", start="2024-03-01T09:30:00+99:00"),
        call_line("BAD4", caller="1381234"),
        call_line("BAD5", verified="maybe", duration="-3"),
        call_line("OK2", start="2024-03-01T01:30:00Z"),
    )
    report = lake.ingest([path])
    assert report.exit_code == 3 and report.accepted == 2 and report.rejected == 5
    assert [r["call_id"] for r in rows(lake)] == ["OK1", "OK2"]
    assert rows(lake)[1]["start_time"] == dt.datetime(2024, 3, 1, 9, 30)
    found = {(q["line"], q["column"]) for q in quarantined(lake)}
    assert found == {(3, "duration_s"), (4, "start_time"), (5, "start_time"), (6, "caller_number"),
                     (7, "duration_s"), (7, "identity_verified")}
    first = quarantined(lake)[0]
    assert first["source_file"] == str(path) and first["raw"] == call_line("BAD1", duration="sixty")
    assert "不是整数" in str(first["reason"])
    assert lake.summary()["tables"]["calls"]["quarantined"] == 5


def test_embedded_newlines_and_quotes_keep_values_and_line_numbers(lake: Lake, calls_csv: Writer) -> None:
    tricky = 'Q1,13812345678,95555,inbound,2024-03-01 09:30:00,60,"menu\nwith ""quotes"",\r\nand comma",A1,,,,1,'
    path = calls_csv("calls.csv", tricky, call_line("Q2", duration="x"), "", call_line("Q3"))
    report = lake.ingest([path])
    assert report.accepted == 2 and report.rejected == 1
    assert rows(lake)[0]["ivr_path"] == 'menu\nwith "quotes",\r\nand comma'
    assert [q["line"] for q in quarantined(lake)] == [5]  # header 1, Q1 spans 2-4, Q2 on 5


def test_wrong_field_count_is_quarantined_not_fatal(lake: Lake, calls_csv: Writer) -> None:
    report = lake.ingest([calls_csv("calls.csv", call_line("A"), "B,13812345678,95555", call_line("C"))])
    assert report.accepted == 2 and report.rejected == 1
    only = quarantined(lake)[0]
    assert only["line"] == 3 and only["column"] is None and "字段数为 3" in str(only["reason"])


def test_missing_required_and_unknown_columns_refuse_the_file(lake: Lake, calls_csv: Writer) -> None:
    no_direction = CALLS_HEADER.replace("direction,", "")
    missing = calls_csv("calls_a.csv", "X,13812345678,95555,2024-03-01 09:30:00,60,,,,,,1,", header=no_direction)
    extra = calls_csv("calls_b.csv", call_line("Y") + ",surplus", header=CALLS_HEADER + ",colour")
    report = lake.ingest([missing, extra, calls_csv("calls_c.csv", call_line("Z"))])
    refused = {Path(f.path).name: f.reason for f in report.refused}
    assert "缺少必需列：direction" in str(refused["calls_a.csv"])
    assert "colour" in str(refused["calls_b.csv"]) and "--allow-extra-columns" in str(refused["calls_b.csv"])
    assert report.exit_code == 3 and [r["call_id"] for r in rows(lake)] == ["Z"]
    again = lake.ingest([extra], allow_extra_columns=True)
    assert again.accepted == 1 and "colour" not in lake.table("calls").columns


def test_duplicate_keys_in_file_across_files_and_against_the_lake(lake: Lake, calls_csv: Writer) -> None:
    first = calls_csv("calls_1.csv", call_line("D1"), call_line("D2"), call_line("D1", duration="99"))
    second = calls_csv("calls_2.csv", call_line("D2"), call_line("D3"))
    report = lake.ingest([first, second])
    assert report.accepted == 3 and report.rejected == 2
    assert [(r["call_id"], r["duration_s"]) for r in rows(lake)] == [("D1", 60), ("D2", 60), ("D3", 60)]
    reasons = [str(q["reason"]) for q in quarantined(lake)]
    assert "本文件" in reasons[0] and "湖中" in reasons[1]
    later = lake.ingest([calls_csv("calls_3.csv", call_line("D3"), call_line("D4"))])
    assert later.accepted == 1 and later.rejected == 1


def test_composite_keys_use_typed_values(lake: Lake, write: Writer) -> None:
    header = "call_id,seq,speaker,start_ms,end_ms,text"
    path = write("call_utterances.csv", f"{header}\nC1,0,agent,0,900,您好\nC1,1,caller,900,2000,我要协商还款\nC1,01,caller,1,2,重复\n")
    report = lake.ingest([path])
    assert report.accepted == 2 and report.rejected == 1


def test_gbk_file_is_read_right(lake: Lake, write: Writer) -> None:
    header = "call_id,seq,speaker,start_ms,end_ms,text"
    path = write("call_utterances.csv", f"{header}\nG1,0,caller,0,900,我想办理停息挂账，个性化分期\n", encoding="gbk")
    report = lake.ingest([path])
    assert report.files[0].encoding == "gb18030" and report.accepted == 1
    assert lake.table("call_utterances").to_pyarrow().column("text").to_pylist() == ["我想办理停息挂账，个性化分期"]


def test_utf8_bom_is_fine(lake: Lake, write: Writer) -> None:
    path = write("calls.csv", "\ufeff" + CALLS_HEADER + "\n" + call_line("B1") + "\n")
    assert lake.ingest([path]).accepted == 1


def test_latin1_and_binary_files_are_refused_with_where(lake: Lake, write: Writer) -> None:
    latin = write("calls_latin.csv", (CALLS_HEADER + "\n" + call_line("L1") + ",Ren\xe9,").encode("latin-1"))
    binary = write("calls_bin.csv", b"call_id,x\n\x00\x01\x02\xff")
    report = lake.ingest([latin, binary])
    reasons = [str(f.reason) for f in report.refused]
    assert len(reasons) == 2 and "UTF-8" in reasons[0] and "字节" in reasons[0]
    assert str(len(CALLS_HEADER) + 1 + len(call_line("L1")) + 4) in reasons[0]  # offset of the é
    assert "二进制" in reasons[1]


def test_empty_and_header_only_files(lake: Lake, write: Writer) -> None:
    report = lake.ingest([write("calls.csv", ""), write("calls_ws.csv", "\n\n"), write("calls_h.csv", CALLS_HEADER + "\n")])
    assert [f.status for f in report.files] == ["refused", "refused", "ingested"]
    assert "为空" in str(report.files[0].reason) and report.files[2].accepted == 0


def test_truncated_files_are_refused(lake: Lake, write: Writer, tmp_path: Path) -> None:
    cut_quote = write("calls_q.csv", CALLS_HEADER + "\n" + call_line("T1") + '\nT2,13812345678,95555,inbound,"2024-03')
    cut_row = write("calls_r.csv", CALLS_HEADER + "\n" + call_line("T3") + "\nT4,13812345678,95555")
    cut_json = write("calls_j.jsonl", json.dumps({"call_id": "T5"}) + '\n{"call_id": "T6", "dura')
    whole = tmp_path / "calls_p.parquet"
    pq.write_table(pa.table({"call_id": ["T7"]}), whole)
    cut_parquet = write("calls_p.parquet", whole.read_bytes()[:-20])
    report = lake.ingest([cut_quote, cut_row, cut_json, cut_parquet])
    assert [f.status for f in report.files] == ["refused"] * 4
    assert all("截断" in str(f.reason) for f in report.files)
    assert not (lake.root / "calls").exists()  # the valid rows before the cut were not published either


def test_files_that_are_not_what_their_extension_says(lake: Lake, write: Writer, tmp_path: Path) -> None:
    real_parquet = tmp_path / "real.parquet"
    pq.write_table(pa.table({"call_id": ["P1"]}), real_parquet)
    fake_parquet = write("calls.parquet", CALLS_HEADER + "\n" + call_line("F1") + "\n")
    parquet_as_csv = write("calls_x.csv", real_parquet.read_bytes())
    csv_as_jsonl = write("calls_y.jsonl", CALLS_HEADER + "\n")
    report = lake.ingest([fake_parquet, parquet_as_csv, csv_as_jsonl, write("calls.xlsx", "x")])
    assert [f.status for f in report.files] == ["refused"] * 4
    assert "PAR1" in str(report.files[0].reason) and "Parquet" in str(report.files[1].reason)
    assert "JSON Lines" in str(report.files[2].reason) and "不支持" in str(report.files[3].reason)


def test_unknown_table_names(lake: Lake, write: Writer) -> None:
    report = lake.ingest([write("mystery.csv", "a,b\n1,2\n")])
    assert "--table" in str(report.refused[0].reason)
    with pytest.raises(ContractError):
        lake.ingest([write("x.csv", "a\n1\n")], table="nope")


def test_reingesting_the_same_file_is_a_no_op(lake: Lake, calls_csv: Writer, tmp_path: Path) -> None:
    path = calls_csv("calls.csv", call_line("R1"), call_line("R2", duration="bad"))
    assert lake.ingest([path]).accepted == 1
    copy = tmp_path / "elsewhere" / "calls_copy.csv"
    copy.parent.mkdir()
    copy.write_bytes(path.read_bytes())
    again = lake.ingest([path, copy])
    assert [f.status for f in again.files] == ["skipped", "skipped"] and again.exit_code == 0
    assert lake.table("calls").count().execute() == 1
    assert lake.quarantine().count().execute() == 1


GOOD_JSON_CALL = {"call_id": "J1", "caller_number": "138-1234-5678", "called_line": "95555", "direction": "inbound",
                  "start_time": "2024-03-01T09:30:00+08:00", "duration_s": 60, "identity_verified": True}


def test_jsonl_values_of_any_json_type(lake: Lake, write: Writer) -> None:
    good = GOOD_JSON_CALL
    lines = [json.dumps(good, ensure_ascii=False), "", "{not json", json.dumps([1, 2]),
             json.dumps({**good, "call_id": "J2", "duration_s": "long"}),
             json.dumps({**good, "call_id": "J3", "queue": "vip"})]
    report = lake.ingest([write("calls.jsonl", "\n".join(lines) + "\n")])
    assert report.accepted == 2 and report.rejected == 3
    assert [q["line"] for q in quarantined(lake)] == [3, 4, 5]
    stored = rows(lake)
    assert stored[1]["queue"] == "vip" and stored[0]["duration_s"] == 60


def test_jsonl_unknown_key_on_a_later_line_refuses_the_file(lake: Lake, write: Writer) -> None:
    lines = [json.dumps({**GOOD_JSON_CALL, "call_id": f"U{i}"}) for i in range(120)]
    lines.append(json.dumps({**GOOD_JSON_CALL, "call_id": "U9", "surprise": 1}))
    report = lake.ingest([write("calls.jsonl", "\n".join(lines) + "\n")])
    assert "第 121 行" in str(report.refused[0].reason) and "surprise" in str(report.refused[0].reason)


def test_typed_parquet_and_voiceprint_lists(lake: Lake, tmp_path: Path) -> None:
    folder = tmp_path / "voiceprints"
    folder.mkdir()
    pq.write_table(pa.table({"call_id": ["V1", "V1", "V2"], "side": ["caller", "agent", "robot"],
                             "embedding": [[0.5, 0.5], [1.0, 0.0], [0.0, 1.0]]}), folder / "part-00000.parquet")
    report = lake.ingest([folder])
    assert report.accepted == 2 and report.rejected == 1
    stored = lake.table("voiceprints").order_by("side").to_pyarrow()
    assert stored.schema.field("embedding").type == pa.list_(pa.float32())
    bad = quarantined(lake)[0]
    assert bad["line"] == 3 and "robot" in str(bad["raw"])


def test_a_whole_world_folder_skips_truth_and_manifest(lake: Lake, tmp_path: Path) -> None:
    world = tmp_path / "world"
    (world / "staff").mkdir(parents=True)
    (world / "truth" / "gangs").mkdir(parents=True)
    (world / "world.json").write_text("{}")
    staff = pa.table({"staff_id": ["S1"], "team": ["T"], "role": ["collector"], "site": ["SZ"],
                      "shift": [None], "hire_date": [dt.date(2020, 1, 1)]})
    pq.write_table(staff, world / "staff" / "part-00000.parquet")
    pq.write_table(pa.table({"x": [1]}), world / "truth" / "gangs" / "part-00000.parquet")
    report = lake.ingest([world])
    assert [f.table for f in report.files] == ["staff"] and report.exit_code == 0
    assert lake.summary()["tables"]["staff"]["rows"] == 1


def test_an_unreadable_file_is_refused_and_the_batch_goes_on(lake: Lake, calls_csv: Writer) -> None:
    locked = calls_csv("calls_locked.csv", call_line("N1"))
    locked.chmod(0)
    if os.access(locked, os.R_OK):  # running as root: permissions do not stop us, nothing to test
        pytest.skip("file permissions are not enforced for this user")
    report = lake.ingest([locked, calls_csv("calls_ok.csv", call_line("N2"))])
    assert [f.status for f in report.files] == ["refused", "ingested"]


def test_a_trailing_comma_in_every_line_is_an_unnamed_extra_column(lake: Lake, calls_csv: Writer) -> None:
    path = calls_csv("calls.csv", call_line("E1") + ",", header=CALLS_HEADER + ",")
    assert "空列名" in str(lake.ingest([path]).refused[0].reason)
    assert lake.ingest([path], allow_extra_columns=True).accepted == 1


def test_gbk_bytes_that_are_also_valid_utf8_read_as_chinese(lake: Lake, write: Writer) -> None:
    header = "call_id,seq,speaker,start_ms,end_ms,text"
    path = write("call_utterances.csv", f"{header}\nG1,0,caller,0,900,停\n", encoding="gbk")
    assert path.read_bytes().decode("utf-8")  # 停 in GBK is CD A3: valid UTF-8 too, a combining mark
    report = lake.ingest([path])
    assert report.files[0].encoding == "gb18030"
    assert lake.table("call_utterances").to_pyarrow().column("text").to_pylist() == ["停"]
