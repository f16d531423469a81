from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from social_crawler_files import (
    AD,
    DOUYIN_CONTENT,
    KUAISHOU_CONTENT,
    TALK,
    XHS_CONTENT,
    crawl_folder,
    write,
)

from grayshield.core.errors import IngestError, RegistryError
from grayshield.social.history import collect, latest, post_history
from grayshield.social.importers import IMPORTERS, Record, Rejection, import_path, read_count, read_time


def _posts(path: Path) -> dict[tuple[str, str], dict[str, object]]:
    return {(r.row["platform"], r.row["post_id"]): r.row for r in import_path(path)
            if isinstance(r, Record) and r.kind == "post"}


@pytest.mark.parametrize(("value", "expected"), [
    (123, 123), ("456", 456), ("1.2万", 12_000), ("3w+", 30_000), ("2亿", 200_000_000), ("", None), (None, None),
    ("n/a", None), (-5, 0)])
def test_counts_as_platforms_show_them(value: object, expected: int | None) -> None:
    assert read_count(value) == expected


def test_times_in_seconds_milliseconds_and_iso() -> None:
    second = datetime(2024, 5, 1, tzinfo=UTC)
    assert read_time(1714521600) == second
    assert read_time("1714521600000") == second
    assert read_time("2024-05-01T00:00:00Z") == second
    assert read_time("yesterday") is None


def test_mediacrawler_four_platforms_in_their_own_layouts(tmp_path: Path) -> None:
    posts = _posts(crawl_folder(tmp_path / "data"))
    assert set(posts) == {("douyin", "7301"), ("douyin", "c1"), ("kuaishou", "3xk1"), ("kuaishou", "901"),
                          ("weibo", "4990001"), ("weibo", "5001"), ("xiaohongshu", "65f0a1"),
                          ("xiaohongshu", "66aa01")}
    video = posts[("douyin", "7301")]
    assert video["post_type"] == "video" and video["account_id"] == "dy_u1" and video["text"] == AD
    assert video["title"] is None  # Douyin repeats desc as title
    assert video["likes"] == 1200 and video["shares"] == 12 and video["collects"] == 30
    assert video["posted_time"] == datetime(2024, 5, 1, tzinfo=UTC)
    assert video["crawled_time"] == datetime(2024, 5, 2, tzinfo=UTC)
    comment = posts[("douyin", "c1")]
    assert comment["post_type"] == "comment" and comment["parent_post_id"] == "7301" and comment["text"] == TALK
    kuaishou = posts[("kuaishou", "3xk1")]
    assert kuaishou["likes"] == 32_000 and kuaishou["views"] == 150_000 and kuaishou["post_type"] == "video"
    assert kuaishou["posted_time"] == datetime(2024, 5, 1, tzinfo=UTC)  # milliseconds on Kuaishou
    weibo = posts[("weibo", "4990001")]
    assert weibo["comments"] == 9 and weibo["shares"] == 4 and weibo["ip_location"] == "江苏"
    assert posts[("weibo", "5001")]["likes"] == 5
    note = posts[("xiaohongshu", "65f0a1")]
    assert note["title"] == "信用卡逾期怎么办" and note["likes"] == 11_000 and note["post_type"] == "post"
    assert posts[("xiaohongshu", "66aa01")]["parent_post_id"] == "65f0a1"


def test_creator_profile_wins_over_partial_account_rows(tmp_path: Path) -> None:
    collected = collect(import_path(crawl_folder(tmp_path / "data")))
    accounts = collected.accounts.set_index(["platform", "account_id"])
    creator = accounts.loc[("douyin", "dy_u1")]
    assert creator["followers"] == 52_000 and creator["ip_location"] == "广东" and creator["posts_count"] == 310
    assert accounts.loc[("douyin", "dy_u2"), "followers"] == 0  # only seen as a commenter
    assert collected.accounts.duplicated(["platform", "account_id"]).sum() == 0
    assert collected.summary()["rejected"] == 0


def test_newer_releases_with_creator_hash_and_csv(tmp_path: Path) -> None:
    anonymised = {k: v for k, v in DOUYIN_CONTENT.items() if k not in ("user_id", "sec_uid")}
    write(tmp_path, "douyin", "csv", "contents", [{**anonymised, "creator_hash": "h_9f3"}])
    posts = _posts(tmp_path)
    assert posts[("douyin", "7301")]["account_id"] == "h_9f3"
    assert posts[("douyin", "7301")]["likes"] == 1200  # CSV strings read as counts


def test_recrawl_is_one_post_with_history(tmp_path: Path) -> None:
    later = {**KUAISHOU_CONTENT, "liked_count": "4万", "last_modify_ts": 1715212800000}
    write(tmp_path, "kuaishou", "jsonl", "contents", [KUAISHOU_CONTENT, KUAISHOU_CONTENT, later])
    collected = collect(import_path(tmp_path))
    assert collected.duplicates == 1 and len(collected.posts) == 2
    history = post_history(collected.posts).iloc[0]
    assert history["crawls"] == 2 and history["engagement_growth"] == 8_000 and not history["edited"]
    assert latest(collected.posts, ["platform", "post_id"]).iloc[0]["likes"] == 40_000


def test_bad_lines_are_rejected_with_a_reason_and_the_rest_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "xhs", "jsonl", "contents", [XHS_CONTENT])
    no_text = {**XHS_CONTENT, "note_id": "x2", "desc": "", "title": ""}
    with path.open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
        fh.write(json.dumps(no_text, ensure_ascii=False) + "\n")
    records = list(import_path(path))
    rejections = [r for r in records if isinstance(r, Rejection)]
    assert [(r.line, r.reason) for r in rejections] == [(2, "不是 JSON 对象"), (3, "缺少必填字段 text")]
    assert sum(isinstance(r, Record) and r.kind == "post" for r in records) == 1


def test_unrecognised_layout_and_unknown_importer_are_clear_errors(tmp_path: Path) -> None:
    stray = tmp_path / "export.jsonl"
    stray.write_text("{}\n", encoding="utf-8")
    with pytest.raises(IngestError, match="无法从路径判断平台"):
        list(import_path(stray))
    with pytest.raises(RegistryError, match="unknown social importer"):
        import_path(stray, "vendor_x")
    assert {"contract", "mediacrawler"} <= set(IMPORTERS.names())


def test_contract_format_posts_and_accounts(tmp_path: Path) -> None:
    path = tmp_path / "social.jsonl"
    rows = [
        {"platform": "bilibili", "post_id": "bv1", "account_id": "b1", "post_type": "video", "text": AD,
         "posted_time": "2024-05-01T00:00:00Z", "crawled_time": "2024-05-02T00:00:00Z", "likes": 3},
        {"platform": "bilibili", "account_id": "b1", "nickname": "up主", "followers": "1.5万", "verified": "false"},
        {"platform": "myspace", "post_id": "m1", "account_id": "x", "text": "hi", "posted_time": "2024-05-01",
         "crawled_time": "2024-05-01"},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    collected = collect(import_path(path, "contract"))
    assert collected.posts["post_id"].tolist() == ["bv1"]
    assert collected.accounts.iloc[0]["followers"] == 15_000
    assert [r.reason for r in collected.rejections] == ["未知平台 'myspace'"]


def test_contract_tables_from_the_lake_read_as_a_crawl(tmp_path: Path) -> None:
    """A world's own Parquet tables (``social_posts``, ``social_accounts``) are a crawl in contract format."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    posted = datetime(2024, 5, 1, 8, tzinfo=UTC)
    posts = pa.table({"platform": ["douyin", "martian"], "post_id": ["p1", "p2"], "account_id": ["a1", "a2"],
                      "text": [AD, TALK], "posted_time": [posted, posted], "crawled_time": [posted, posted],
                      "likes": [3, 4]})
    accounts = pa.table({"platform": ["douyin"], "account_id": ["a1"], "nickname": ["停息挂账老师"],
                         "followers": [1200]})
    (tmp_path / "social_posts").mkdir()
    (tmp_path / "social_accounts").mkdir()
    pq.write_table(posts, tmp_path / "social_posts" / "part-0.parquet")
    pq.write_table(accounts, tmp_path / "social_accounts" / "part-0.parquet")

    found = list(import_path(tmp_path, "contract"))
    records = {(r.kind, r.row["account_id"]): r.row for r in found if isinstance(r, Record)}
    assert records[("post", "a1")]["text"] == AD and records[("post", "a1")]["posted_time"] == posted
    assert records[("account", "a1")]["followers"] == 1200
    rejected = [r for r in found if isinstance(r, Rejection)]
    assert [(r.source, r.line) for r in rejected] == [("part-0.parquet", 2)] and "martian" in rejected[0].reason
