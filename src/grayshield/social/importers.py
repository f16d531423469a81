"""Importers: crawled or bought social data into contract-shaped post and account records.

Every source (the contract's own JSON lines, MediaCrawler's output, a licensed vendor's feed) is one
importer in :data:`IMPORTERS`, so a bank adds a vendor format by registering a function, not by editing
this file. An importer yields :class:`Record` objects whose ``row`` uses the contract's column names
(``social_posts`` / ``social_accounts``); rows it cannot read become :class:`Rejection` records with a reason,
so nothing valid is lost and nothing invalid passes silently.

MediaCrawler (github.com/NanmiCoder/MediaCrawler) writes ``<data>/<platform>/<csv|json|jsonl>/
<crawler type>_<contents|comments|creators>_<date>.<ext>``; the field names per platform below were taken
from its store modules (its code is not reused: its licence forbids commercial use). Newer releases replace
``user_id`` by an anonymised ``creator_hash`` and no longer write creators; both layouts are read.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from grayshield.contract.tables import PLATFORMS
from grayshield.core.clock import BANK_TZ
from grayshield.core.errors import IngestError
from grayshield.core.registry import Registry

POST_COLUMNS = ("platform", "post_id", "account_id", "post_type", "parent_post_id", "title", "text", "posted_time",
                "ip_location", "likes", "comments", "shares", "views", "collects", "url", "crawled_time", "removed")
ACCOUNT_COLUMNS = ("platform", "account_id", "nickname", "bio", "ip_location", "profile_region", "followers",
                   "following", "posts_count", "likes_total", "verified", "account_type", "url", "crawled_time")


@dataclass(frozen=True)
class Record:
    """One imported row: ``kind`` is ``post`` or ``account``; ``partial`` accounts were read off a post (no
    follower counts) and give way to a full profile of the same account."""

    kind: str
    row: dict[str, Any]
    partial: bool = False


@dataclass(frozen=True)
class Rejection:
    source: str
    line: int
    reason: str


Importer = Callable[[Path], Iterator["Record | Rejection"]]
IMPORTERS: Registry[Importer] = Registry("social importer")


# ------------------------------------------------------------------------------------------ value readers
_WAN = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([万wW亿])?\+?\s*$")


def read_count(value: Any) -> int | None:
    """Engagement counts as platforms show them: 123, "123", "1.2万", "3w+", "" (unknown)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return max(int(value), 0)
    if isinstance(value, str) and value.isdigit():  # the common case, a hundred times faster than the pattern
        return int(value)
    match = _WAN.match(str(value).replace(",", ""))
    if not match:
        return None
    number = float(match.group(1))
    unit = match.group(2)
    return int(number * (100_000_000 if unit == "亿" else 10_000 if unit else 1))


_SLASHED_DATE = re.compile(r"^(\d{4})/(\d{2})/(\d{2})")


def read_time(value: Any) -> datetime | None:
    """Unix seconds or milliseconds (MediaCrawler mixes both by platform), or an ISO timestamp; a time without
    a zone is China's wall clock, as the data contract says (``2024/03/01 09:30:00`` is accepted too); always
    returned in UTC so one column never mixes zones."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=BANK_TZ)).astimezone(UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)
    text = str(value).strip()
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", text):
        number = float(text)
        return datetime.fromtimestamp(number / 1000 if number > 1e11 else number, UTC)
    try:
        parsed = datetime.fromisoformat(_SLASHED_DATE.sub(r"\1-\2-\3", text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=BANK_TZ)).astimezone(UTC)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = value.strip() if isinstance(value, str) else str(value).strip()
    return text or None


_REGION_PREFIX = re.compile(r"^(?:IP属地[:：]?|发布于|来自)\s*")


def read_region(value: Any) -> str | None:
    """IP location without the platform's wording around it (IP属地：广东, 发布于 江苏, 来自北京)."""
    text = _text(value)
    if text and text[0] in "IＩ发来":  # only these start a wording to strip; most values are a bare region
        return _text(_REGION_PREFIX.sub("", text))
    return text


def _bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "y", "是")


# ------------------------------------------------------------------------------------------ file readers
def read_items(path: Path) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(line or item number, item) from JSON lines, a JSON array, a CSV or a Parquet file (the lake's own tables);
    ``None`` for an unreadable item."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            yield from _parquet_items(path)
        elif suffix == ".jsonl":
            with path.open(encoding="utf-8-sig") as fh:
                for number, line in enumerate(fh, 1):
                    if line.strip():
                        yield number, _json_object(line)
        elif suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8-sig"))
            for number, item in enumerate(data if isinstance(data, list) else [data], 1):
                yield number, item if isinstance(item, dict) else None
        elif suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as fh:
                for number, row in enumerate(csv.DictReader(fh), 2):
                    yield number, dict(row)
        else:
            raise IngestError(f"{path.name}: 不支持的文件类型 {suffix or '(无扩展名)'}，"
                              "支持 .jsonl / .json / .csv / .parquet")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, pa.ArrowException) as exc:
        raise IngestError(f"{path.name}: 无法读取 ({type(exc).__name__})") from None


def _parquet_items(path: Path) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """Rows in file order, numbered from 1, a batch at a time so a large table never sits in memory whole."""
    number = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=10_000):
        for row in batch.to_pylist():
            number += 1
            yield number, row


def _json_object(line: str | bytes) -> dict[str, Any] | None:
    try:
        item = json.loads(line)
    except json.JSONDecodeError:
        return None
    return item if isinstance(item, dict) else None


def files_under(path: Path, suffixes: Iterable[str] = (".jsonl", ".json", ".csv", ".parquet")) -> list[Path]:
    if not path.exists():
        raise IngestError(f"{path} 不存在")
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in set(suffixes))


# ------------------------------------------------------------------------------------------ contract format
def _check_post(row: dict[str, Any]) -> str | None:
    if row["platform"] not in PLATFORMS:
        return f"未知平台 {row['platform']!r}"
    for column in ("post_id", "account_id", "text", "posted_time", "crawled_time"):
        if row.get(column) in (None, ""):
            return f"缺少必填字段 {column}"
    return None


def contract_post(item: dict[str, Any], crawled: datetime) -> dict[str, Any]:
    row = {c: item.get(c) for c in POST_COLUMNS}
    row["platform"] = _text(row["platform"]) or "other"
    for column in ("post_id", "account_id", "parent_post_id", "title", "text", "url"):
        row[column] = _text(row[column])
    row["ip_location"] = read_region(row["ip_location"])
    row["post_type"] = _text(row["post_type"]) or "post"
    for column in ("likes", "comments", "shares"):
        row[column] = read_count(row[column]) or 0
    for column in ("views", "collects"):
        row[column] = read_count(row[column])
    row["posted_time"] = read_time(row["posted_time"])
    row["crawled_time"] = read_time(row["crawled_time"]) or crawled
    row["removed"] = _bool(row["removed"])
    return row


def contract_account(item: dict[str, Any], crawled: datetime) -> dict[str, Any]:
    row = {c: item.get(c) for c in ACCOUNT_COLUMNS}
    row["platform"] = _text(row["platform"]) or "other"
    for column in ("account_id", "nickname", "bio", "ip_location", "profile_region", "account_type", "url"):
        row[column] = _text(row[column])
    row["followers"] = read_count(row["followers"]) or 0
    for column in ("following", "posts_count", "likes_total"):
        row[column] = read_count(row[column])
    row["verified"] = bool(_bool(row["verified"]))
    row["crawled_time"] = read_time(row["crawled_time"]) or crawled
    return row


SOCIAL_TABLES = ("social_posts", "social_accounts")
_NOT_INPUT = ("truth",)  # a world's ground truth; the lake's own folders (_quarantine, _manifest) start with "_"


def contract_files(path: Path) -> list[Path]:
    """The files to read: of a lake or world folder only its social tables, of anything else every file.

    A lake also holds ``accounts/`` (card accounts, keyed by ``account_id`` too), every other table, its
    quarantine and manifests; read blindly, card accounts became social accounts on platform ``other``.
    """
    tables = [path / t for t in SOCIAL_TABLES if (path / t).is_dir()]
    if tables:
        return [f for t in tables for f in files_under(t)]
    return [f for f in files_under(path) if not _outside_social_data(f, path)]


def _outside_social_data(file: Path, root: Path) -> bool:
    """Lake internals, ground truth, or a file whose name or folder names a non-social contract table."""
    from grayshield.lake.ingest import table_for

    inside = file.relative_to(root).parts[:-1] if file != root else ()
    if any(part.startswith("_") or part in _NOT_INPUT for part in inside):
        return True
    try:
        return table_for(file, None).name not in SOCIAL_TABLES
    except IngestError:
        return False


@IMPORTERS.decorator("contract")
def import_contract(path: Path) -> Iterator[Record | Rejection]:
    """The contract's own columns (docs/data-contract.md) as JSON lines, JSON or CSV; posts carry ``post_id``."""
    now = datetime.now(UTC)
    for file in contract_files(path):
        for number, item in read_items(file):
            if item is None:
                yield Rejection(file.name, number, "不是 JSON 对象")
                continue
            if "post_id" in item:
                row = contract_post(item, now)
                problem = _check_post(row)
                yield Rejection(file.name, number, problem) if problem else Record("post", row)
            else:
                row = contract_account(item, now)
                if not row["account_id"]:
                    yield Rejection(file.name, number, "缺少必填字段 account_id")
                elif row["platform"] not in PLATFORMS:
                    yield Rejection(file.name, number, f"未知平台 {row['platform']!r}")
                else:
                    yield Record("account", {**row, "nickname": row["nickname"] or ""})


# ------------------------------------------------------------------------------------------ MediaCrawler
@dataclass(frozen=True)
class CrawlerLayout:
    """Where one platform's MediaCrawler records keep each contract field (first present key wins)."""

    platform: str
    post_id: tuple[str, ...]
    text: tuple[str, ...]
    posted: tuple[str, ...]
    likes: tuple[str, ...]
    comments: tuple[str, ...]
    url: tuple[str, ...]
    content_type: str = "post"  # what a content item is on this platform when its type field says nothing
    video_types: tuple[str, ...] = ()
    type_field: str | None = None
    title: tuple[str, ...] = ("title",)
    shares: tuple[str, ...] = ("share_count",)
    collects: tuple[str, ...] = ("collected_count",)
    views: tuple[str, ...] = ()
    comment_parent: tuple[str, ...] = ()
    comment_likes: tuple[str, ...] = ("like_count",)
    bio: tuple[str, ...] = ("user_signature",)
    post_url: Callable[[str], str] | None = None


MEDIACRAWLER_LAYOUTS: dict[str, CrawlerLayout] = {
    "douyin": CrawlerLayout(
        "douyin", post_id=("aweme_id",), text=("desc", "title"), posted=("create_time",), likes=("liked_count",),
        comments=("comment_count",), url=("aweme_url",), content_type="video", type_field="aweme_type",
        video_types=("0", "4", "51", "55", "61", "66", "109"), comment_parent=("aweme_id",),
        post_url=lambda i: f"https://www.douyin.com/video/{i}"),
    "kuaishou": CrawlerLayout(
        "kuaishou", post_id=("video_id",), text=("desc", "title"), posted=("create_time",), likes=("liked_count",),
        comments=("comment_count",), url=("video_url",), content_type="video", views=("viewd_count", "viewed_count"),
        comment_parent=("video_id",), shares=(), collects=(),
        post_url=lambda i: f"https://www.kuaishou.com/short-video/{i}"),
    "weibo": CrawlerLayout(
        "weibo", post_id=("note_id",), text=("content",), posted=("create_time", "create_date_time"),
        likes=("liked_count",), comments=("comments_count",), url=("note_url",), shares=("shared_count",),
        collects=(), comment_parent=("note_id",), comment_likes=("comment_like_count", "like_count"),
        post_url=lambda i: f"https://m.weibo.cn/detail/{i}"),
    "xiaohongshu": CrawlerLayout(
        "xiaohongshu", post_id=("note_id",), text=("desc", "title"), posted=("time",), likes=("liked_count",),
        comments=("comment_count",), url=("note_url",), type_field="type", video_types=("video",),
        comment_parent=("note_id",), post_url=lambda i: f"https://www.xiaohongshu.com/explore/{i}"),
}
PLATFORM_FOLDERS = {"douyin": "douyin", "dy": "douyin", "kuaishou": "kuaishou", "ks": "kuaishou",
                    "weibo": "weibo", "wb": "weibo", "xhs": "xiaohongshu", "xiaohongshu": "xiaohongshu"}
_ITEM_TYPE = re.compile(r"(contents|comments|creators)", re.IGNORECASE)


def _first(item: dict[str, Any], keys: Iterable[str]) -> Any:
    for key in keys:
        value = item.get(key)
        if value not in (None, ""):
            return value
    return None


def _account_id(item: dict[str, Any]) -> str | None:
    return _text(_first(item, ("user_id", "sec_uid", "creator_hash")))


def crawler_file_kind(path: Path) -> tuple[str, str]:
    """(platform, item type) from MediaCrawler's folder and file names."""
    platform = next((PLATFORM_FOLDERS[p.lower()] for p in reversed(path.parts[:-1]) if p.lower() in PLATFORM_FOLDERS),
                    None)
    if platform is None:
        platform = next((PLATFORM_FOLDERS[t] for t in path.stem.lower().split("_") if t in PLATFORM_FOLDERS), None)
    kind = _ITEM_TYPE.search(path.stem)
    if platform is None or kind is None:
        raise IngestError(f"{path.name}: 无法从路径判断平台和数据类型（应为 <平台>/<格式>/<类型>_contents|comments|creators_"
                          f"<日期>.<格式>，平台: {', '.join(MEDIACRAWLER_LAYOUTS)}）")
    return platform, kind.group(1).lower()


def crawler_post(layout: CrawlerLayout, item: dict[str, Any], comment: bool, crawled: datetime) -> dict[str, Any]:
    post_id = _text(item.get("comment_id") if comment else _first(item, layout.post_id))
    if comment:
        post_type, parent = "comment", _text(_first(item, layout.comment_parent))
    elif layout.type_field and str(item.get(layout.type_field)) in layout.video_types:
        post_type, parent = "video", None
    else:
        post_type, parent = ("post" if layout.type_field else layout.content_type), None
    text = _text(item.get("content")) if comment else _text(_first(item, layout.text))
    title = None if comment else _text(_first(item, layout.title))
    url = None if comment else _text(_first(item, layout.url))
    return {
        "platform": layout.platform, "post_id": post_id, "account_id": _account_id(item), "post_type": post_type,
        "parent_post_id": parent, "title": title if title and title != text else None, "text": text,
        "posted_time": read_time(_first(item, ("create_time",) if comment else layout.posted)),
        "ip_location": read_region(item.get("ip_location")),
        "likes": read_count(_first(item, layout.comment_likes if comment else layout.likes)) or 0,
        "comments": read_count(_first(item, ("sub_comment_count",) if comment else layout.comments)) or 0,
        "shares": 0 if comment else read_count(_first(item, layout.shares)) or 0,
        "views": None if comment else read_count(_first(item, layout.views)),
        "collects": None if comment else read_count(_first(item, layout.collects)),
        "url": url or (layout.post_url(post_id) if layout.post_url and post_id and not comment else None),
        "crawled_time": read_time(item.get("last_modify_ts")) or crawled, "removed": None,
    }


def crawler_account(layout: CrawlerLayout, item: dict[str, Any], creator: bool, crawled: datetime
                    ) -> dict[str, Any]:
    bio = _text(item.get("desc")) if creator else _text(_first(item, layout.bio))
    return {
        "platform": layout.platform, "account_id": _account_id(item), "nickname": _text(item.get("nickname")) or "",
        "bio": bio, "ip_location": read_region(item.get("ip_location")), "profile_region": None,
        "followers": read_count(item.get("fans")) or 0 if creator else 0,
        "following": read_count(item.get("follows")) if creator else None,
        "posts_count": read_count(_first(item, ("videos_count", "notes_count"))) if creator else None,
        "likes_total": read_count(item.get("interaction")) if creator else None, "verified": False,
        "account_type": None, "url": _text(item.get("profile_url")),
        "crawled_time": read_time(item.get("last_modify_ts")) or crawled,
    }


@IMPORTERS.decorator("mediacrawler")
def import_mediacrawler(path: Path) -> Iterator[Record | Rejection]:
    """A MediaCrawler data folder (or one of its files), any of its csv / json / jsonl outputs."""
    for file in files_under(path):
        platform, item_type = crawler_file_kind(file)
        yield from crawler_records(read_items(file), platform, item_type, file.name)


def crawler_records(items: Iterable[tuple[int, dict[str, Any] | None]], platform: str, item_type: str,
                    source: str) -> Iterator[Record | Rejection]:
    """Records from one platform's items of one type (``contents``, ``comments`` or ``creators``)."""
    now = datetime.now(UTC)
    layout = MEDIACRAWLER_LAYOUTS[platform]
    for number, item in items:
        if item is None:
            yield Rejection(source, number, "不是 JSON 对象")
            continue
        if item_type == "creators":
            account = crawler_account(layout, item, True, now)
            if account["account_id"]:
                yield Record("account", account)
            else:
                yield Rejection(source, number, "缺少用户编号 user_id")
            continue
        post = crawler_post(layout, item, item_type == "comments", now)
        problem = _check_post(post)
        if problem:
            yield Rejection(source, number, problem)
            continue
        yield Record("post", post)
        yield Record("account", crawler_account(layout, item, False, now), partial=True)


def json_lines(lines: Iterable[str | bytes]) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(line number, object) from raw JSON lines already in memory or arriving on a stream."""
    for number, line in enumerate(lines, 1):
        if line.strip():
            yield number, _json_object(line)


def import_path(path: Path, importer: str = "mediacrawler") -> Iterator[Record | Rejection]:
    """Records from ``path`` through the registered importer ``importer``."""
    return IMPORTERS.get(importer)(path)
