"""After reporting: outcomes back from the platforms, what to report again, and whether reporting works.

Outcomes come back as a CSV (from the platforms' feedback, or the team's own check): one row per reported
item with ``item_id``, ``outcome`` and optionally ``decided_at`` and ``note``. An item still up at the latest
crawl after a rejection or no answer is reported again on a schedule, up to a limit. Effectiveness is the
share of reports that got content removed or the account banned, by platform, reason and region, and the time
to take-down; the trend is black/gray volume by month, keyword and region.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from grayshield.core.errors import IngestError
from grayshield.social.importers import read_time

OUTCOMES = ("accepted", "removed", "limited", "banned", "rejected")
OUTCOME_ZH = {"accepted": "已受理", "removed": "已删除", "limited": "已限流", "banned": "已封号", "rejected": "已驳回",
              "pending": "待反馈"}
TAKEN_DOWN = ("removed", "banned")
_OUTCOME_ALIASES = {**{o: o for o in OUTCOMES}, **{v: k for k, v in OUTCOME_ZH.items() if k != "pending"},
                    "受理": "accepted", "删除": "removed", "下架": "removed", "限流": "limited", "封号": "banned",
                    "封禁": "banned", "驳回": "rejected", "不予处理": "rejected"}


@dataclass(frozen=True)
class Outcome:
    item_id: str
    outcome: str
    decided_at: datetime | None
    note: str | None


@dataclass(frozen=True)
class OutcomeProblem:
    line: int
    reason: str


def read_outcomes(path: Path) -> tuple[list[Outcome], list[OutcomeProblem]]:
    """Outcome rows from a CSV (English or Chinese outcome words); unreadable rows come back as problems."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise IngestError(f"无法读取处置结果文件 {path.name} ({type(exc).__name__})") from None
    if rows and not {"item_id", "outcome"} <= set(rows[0]):
        raise IngestError(f"{path.name} 缺少列 item_id / outcome（可选 decided_at、note）")
    outcomes: list[Outcome] = []
    problems: list[OutcomeProblem] = []
    for line, row in enumerate(rows, 2):
        item_id = (row.get("item_id") or "").strip()
        outcome = _OUTCOME_ALIASES.get((row.get("outcome") or "").strip().lower())
        if not item_id:
            problems.append(OutcomeProblem(line, "缺少 item_id"))
        elif outcome is None:
            problems.append(OutcomeProblem(line, f"未知处置结果 {row.get('outcome')!r}；可用: {', '.join(OUTCOMES)}"))
        else:
            decided = read_time(row.get("decided_at"))
            if row.get("decided_at") and decided is None:
                problems.append(OutcomeProblem(line, f"无法识别的时间 {row.get('decided_at')!r}"))
                continue
            outcomes.append(Outcome(item_id, outcome, decided, (row.get("note") or "").strip() or None))
    return outcomes, problems


def due_for_rereport(reports: pd.DataFrame, still_up: Iterable[str], now: datetime,
                     wait_days: int = 7, max_attempts: int = 3) -> pd.DataFrame:
    """Items to report again: still up at the latest crawl, last filed ``wait_days`` ago or more, and either
    rejected, only accepted/limited, or never answered; never more than ``max_attempts`` reports in all.

    ``reports`` has one row per item: ``item_id``, ``attempts``, ``last_filed_at``, ``outcome`` (or null).
    """
    live = set(still_up)
    waited = pd.to_datetime(reports["last_filed_at"], utc=True) <= pd.Timestamp(now) - timedelta(days=wait_days)
    unresolved = ~reports["outcome"].isin(TAKEN_DOWN)
    due = reports["item_id"].isin(live) & waited & unresolved & (reports["attempts"] < max_attempts)
    return reports[due]


def _rates(frame: pd.DataFrame, by: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key, part in frame.groupby(frame[by].fillna("未知"), sort=True):
        answered = part["outcome"].notna()
        hours = part.loc[part["outcome"].isin(TAKEN_DOWN), "hours_to_takedown"].dropna()
        out[str(key)] = {
            "filed": int(len(part)), "answered": int(answered.sum()),
            "removal_rate": round(float(part["outcome"].isin(TAKEN_DOWN).mean()), 4),
            "ban_rate": round(float((part["outcome"] == "banned").mean()), 4),
            "rejection_rate": round(float((part["outcome"] == "rejected").mean()), 4),
            "median_hours_to_takedown": round(float(hours.median()), 1) if len(hours) else None,
        }
    return out


def effectiveness(reports: pd.DataFrame) -> dict[str, Any]:
    """Figures over reported items: ``platform``, ``reason``, ``region``, ``first_filed_at``, ``outcome`` (null
    when unanswered) and ``decided_at``. Rates are over everything filed, so silence counts against a platform."""
    if reports.empty:
        return {"filed": 0, "by_platform": {}, "by_reason": {}, "by_region": {}}
    frame = reports.copy()
    filed = pd.to_datetime(frame["first_filed_at"], utc=True)
    frame["hours_to_takedown"] = (pd.to_datetime(frame["decided_at"], utc=True) - filed).dt.total_seconds() / 3600
    overall = _rates(frame.assign(all="all"), "all")["all"]
    return {**overall, "by_platform": _rates(frame, "platform"), "by_reason": _rates(frame, "reason"),
            "by_region": _rates(frame, "region"),
            "outcomes": {OUTCOME_ZH[str(k)]: int(v)
                         for k, v in frame["outcome"].fillna("pending").value_counts().items()}}


def volume_trend(posts: pd.DataFrame, terms: Sequence[list[str]], is_ad: Sequence[bool],
                 top_terms: int = 10) -> dict[str, Any]:
    """Black/gray posts per month, per month and keyword (the ``top_terms`` commonest) and per month and region."""
    month = pd.to_datetime(posts["posted_time"], utc=True).dt.strftime("%Y-%m").to_numpy()
    frame = pd.DataFrame({"month": month, "region": posts["ip_location"].fillna("未知").to_numpy(),
                          "terms": list(terms), "ad": list(is_ad)})
    ads = frame[frame["ad"]]
    exploded = ads.explode("terms").dropna(subset=["terms"])
    common = exploded["terms"].value_counts().head(top_terms).index
    by_term = exploded[exploded["terms"].isin(common)].groupby(["month", "terms"]).size()
    return {
        "by_month": {str(k): int(v) for k, v in ads.groupby("month").size().items()},
        "by_month_keyword": _nested(by_term),
        "by_month_region": _nested(ads.groupby(["month", "region"]).size()),
    }


def _nested(counts: pd.Series) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for outer, inner, value in zip(counts.index.get_level_values(0), counts.index.get_level_values(1),
                                   counts.to_numpy(), strict=True):
        out.setdefault(str(outer), {})[str(inner)] = int(value)
    return out
