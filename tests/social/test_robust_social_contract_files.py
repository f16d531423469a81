"""The contract importer on a whole lake or world, and contract-valid times, as a bank's extract has them.

Found by scanning an ingested lake: its card ``accounts/`` folder (keyed by ``account_id`` too) became social
accounts on platform ``other``; with no social tables the scan crashed (KeyError 'posts'); the quarantine and
ground truth were read as input; and ``2024/03/01 09:30:00`` (a contract timestamp) rejected the post.
Naive times were read as UTC, which put the model's "night" eight hours off for lake data; and a public service
number quoted by gang ads tied the bank's own accounts to them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from grayshield.social.aggregate import posting_instants
from grayshield.social.importers import Record, contract_files, import_path, read_time


def _lake(root: Path, with_social: bool) -> Path:
    """A lake-shaped folder: card accounts, a quarantine, ground truth and (optionally) the social tables."""
    def put(folder: str, table: pa.Table) -> None:
        (root / folder).mkdir(parents=True, exist_ok=True)
        pq.write_table(table, root / folder / "part-0.parquet")

    put("accounts", pa.table({"account_id": ["A01"], "customer_id": ["K1"], "card_number": ["6222020000000001"]}))
    put("_quarantine/social_posts", pa.table({"raw": ["broken"], "reason": ["x"]}))
    put("truth/social_accounts", pa.table({"platform": ["douyin"], "account_id": ["dy1"], "is_blackgray": [True]}))
    if with_social:
        put("social_accounts", pa.table({"platform": ["douyin"], "account_id": ["dy1"], "nickname": ["征信修复"],
                                         "followers": [10], "verified": [False],
                                         "crawled_time": [datetime(2024, 3, 2, 8, 0)]}))
        put("social_posts", pa.table({"platform": ["douyin"], "post_id": ["p1"], "account_id": ["dy1"],
                                      "post_type": ["video"], "text": ["逾期协商加V"], "likes": [1], "comments": [0],
                                      "shares": [0], "posted_time": [datetime(2024, 3, 1, 23, 30)],
                                      "crawled_time": [datetime(2024, 3, 2, 8, 0)]}))
    return root


def test_a_lake_gives_only_its_social_tables(tmp_path: Path) -> None:
    lake = _lake(tmp_path, with_social=True)
    assert sorted(p.parent.name for p in contract_files(lake)) == ["social_accounts", "social_posts"]
    records = list(import_path(lake, "contract"))
    assert all(isinstance(r, Record) for r in records)
    assert {(r.kind, r.row["account_id"]) for r in records if isinstance(r, Record)} == {("account", "dy1"),
                                                                                         ("post", "dy1")}


def test_a_lake_without_social_tables_gives_nothing(tmp_path: Path) -> None:
    assert list(import_path(_lake(tmp_path, with_social=False), "contract")) == []


def test_a_crawl_folder_of_other_names_is_still_read(tmp_path: Path) -> None:
    item = {"platform": "weibo", "post_id": "w1", "account_id": "u1", "text": "代理退息", "posted_time": "2024/03/01 09:30:00"}
    (tmp_path / "crawl_0301.jsonl").write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
    [record] = list(import_path(tmp_path, "contract"))
    assert isinstance(record, Record) and record.row["posted_time"] == datetime(2024, 3, 1, 1, 30, tzinfo=UTC)


def test_naive_times_are_china_wall_clock() -> None:
    assert read_time("2024-03-01 09:30:00") == datetime(2024, 3, 1, 1, 30, tzinfo=UTC)
    assert read_time(datetime(2024, 3, 1, 9, 30)) == datetime(2024, 3, 1, 1, 30, tzinfo=UTC)
    assert read_time("2024-03-01T09:30:00+08:00") == datetime(2024, 3, 1, 1, 30, tzinfo=UTC)


def test_lake_and_crawled_times_give_the_same_hour_of_posting() -> None:
    lake = posting_instants(pd.Series([datetime(2024, 3, 1, 23, 30)]))  # a naive lake value, Shanghai time
    crawled = posting_instants(pd.Series([datetime(2024, 3, 1, 15, 30, tzinfo=UTC)]))  # the same instant
    assert lake.dt.tz_convert("Asia/Shanghai").dt.hour.tolist() == [23]
    assert lake.tolist() == crawled.tolist()


def test_a_public_service_number_links_no_accounts() -> None:
    """Gang ads quoting the bank's 95528 flagged the bank's own accounts (7 of 8 on a held-out 3-gang world)."""
    from grayshield.social.detection import link_features

    bank, gang, other = ("weibo", "bank"), ("douyin", "gang"), ("douyin", "gang2")
    index = pd.Index([bank, gang, other])
    contacts = {bank: {"phone:95528"}, gang: {"phone:95528", "wechat:g1"}, other: {"wechat:g1"}}
    links = link_features(index, contacts, pd.Series([0.0, 1.0, 1.0], index=index), pd.Series(["", "", ""], index=index))
    assert links.loc[[bank], "linked_accounts"].tolist() == [0.0]
    assert links.loc[[bank], "linked_ad_share_max"].tolist() == [0.0]
    assert links.loc[[gang], "linked_accounts"].tolist() == [1.0]
