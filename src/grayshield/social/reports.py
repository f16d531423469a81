"""Report batches: evidence for the platforms' report (举报) forms, per platform and report reason.

Each item carries what a platform reviewer needs and an auditor can follow: the URL, the text with the
black/gray terms marked, when it was posted, a screenshot reference, the reason in the platform's own
wording, and the account's region, business type, reach and priority. Batches export as CSV, JSON and XLSX
(:data:`EXPORTERS`, so a bank can add the format a platform's bulk channel wants). Cells that a spreadsheet
would run as a formula are defused (OWASP's CSV-injection advice), since post texts are written by the
very people being reported.
"""

from __future__ import annotations

import csv
import json
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from grayshield.core.registry import Registry
from grayshield.social.detection import post_texts
from grayshield.text.classify import Analysis, TextClassifier
from grayshield.text.engine import TextEngine
from grayshield.text.normalise import Normalised

ITEM_COLUMNS = ("item_id", "platform", "platform_reason", "reason", "reason_zh", "account_id", "nickname", "post_id",
                "url", "posted_time", "text", "highlighted", "terms", "contacts", "p_post", "region",
                "business_type", "followers", "priority", "screenshot_ref")
HEADERS_ZH = {"item_id": "编号", "platform": "平台", "platform_reason": "平台举报理由", "reason": "理由代码",
              "reason_zh": "举报理由", "account_id": "账号", "nickname": "昵称", "post_id": "内容编号",
              "url": "链接", "posted_time": "发布时间", "text": "原文", "highlighted": "原文（命中标注）",
              "terms": "命中词", "contacts": "联系方式", "p_post": "帖子黑灰产概率", "region": "地区",
              "business_type": "业务类型", "followers": "粉丝数", "priority": "优先级", "screenshot_ref": "截图"}


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class ReasonTable:
    reasons: tuple[Reason, ...]
    platform_labels: dict[str, dict[str, str]]

    def reason_for(self, categories: set[str]) -> Reason:
        """The first reason whose categories the post hits; an ad caught by wording alone is illegal finance."""
        for reason in self.reasons:
            if categories & set(reason.categories):
                return reason
        return next(r for r in self.reasons if r.code == "illegal_finance")

    def platform_label(self, platform: str, reason: Reason) -> str:
        return self.platform_labels.get(platform, {}).get(reason.code, reason.label)


@cache
def reason_table() -> ReasonTable:
    data = tomllib.loads(resources.files("grayshield.social").joinpath("data/report_reasons.toml").read_text("utf-8"))
    reasons = tuple(Reason(code, spec["label"], tuple(spec["categories"])) for code, spec in data["reasons"].items())
    return ReasonTable(reasons, {p: dict(labels) for p, labels in data.get("platform_labels", {}).items()})


def highlight(normalised: Normalised, marks: tuple[str, str] = ("【", "】")) -> str:
    """The original text with every black/gray hit wrapped in ``marks`` (spans in the original text)."""
    text = normalised.original
    spans = sorted({normalised.original_span(h.start, h.end) for h in normalised.hits
                    if h.term.signal == "blackgray_ad"})
    out, position = [], 0
    for start, end in spans:
        if start < position:
            continue
        out += [text[position:start], marks[0], text[start:end], marks[1]]
        position = end
    return "".join([*out, text[position:]])


def report_items(ranked: pd.DataFrame, posts: pd.DataFrame, engine: TextEngine, classifier: TextClassifier,
                 posts_per_account: int = 3, min_post_probability: float = 0.5) -> list[dict[str, Any]]:
    """Evidence items for the flagged accounts in ``ranked`` (priority order): each account's most ad-like posts
    still up at the last crawl."""
    chosen = ranked[ranked["flagged"]]
    if chosen.empty:
        return []
    live = posts[~posts["removed"].fillna(False).astype(bool)]
    keys = chosen[["platform", "account_id"]]
    candidates = live.merge(keys, on=["platform", "account_id"], how="inner").reset_index(drop=True)
    analyses = engine.analyse_many(post_texts(candidates))
    column = list(classifier.labels).index("blackgray_ad")
    p_post = classifier.predict_proba(analyses)[:, column] if analyses else np.zeros(0)
    candidates = candidates.assign(p_post=p_post, analysis=pd.Series(analyses, dtype=object))
    candidates = candidates[candidates["p_post"] >= min_post_probability].sort_values("p_post", ascending=False)
    best = candidates.groupby(["platform", "account_id"], sort=False).head(posts_per_account)
    table = reason_table()
    account_rows = chosen.set_index(["platform", "account_id"])
    items: list[dict[str, Any]] = []
    for row, analysis in zip(best.drop(columns="analysis").to_dict(orient="records"), best["analysis"],
                             strict=True):
        items.append(_item(row, analysis, account_rows.loc[(row["platform"], row["account_id"])], table))
    items.sort(key=lambda i: (i["platform"], i["reason"], -i["priority"], -i["p_post"]))
    return items


def _item(row: dict[Any, Any], analysis: Analysis, account: pd.Series, table: ReasonTable) -> dict[str, Any]:
    normalised = analysis.normalised
    reason = table.reason_for({h.term.category for h in normalised.hits})
    platform, post_id = row["platform"], row["post_id"]
    return {
        "item_id": f"{platform}:{post_id}", "platform": platform,
        "platform_reason": table.platform_label(platform, reason), "reason": reason.code,
        "reason_zh": reason.label, "account_id": row["account_id"], "nickname": account.get("nickname"),
        "post_id": post_id, "url": row["url"], "posted_time": pd.Timestamp(row["posted_time"]).isoformat(),
        "text": normalised.original, "highlighted": highlight(normalised),
        "terms": "、".join(sorted({h.term.text for h in normalised.hits if h.term.signal == "blackgray_ad"})),
        "contacts": "、".join(sorted({f"{c.kind}:{c.value}" for c in analysis.contacts})),
        "p_post": round(float(row["p_post"]), 4), "region": account.get("region") or account.get("post_region"),
        "business_type": account.get("business_type"), "followers": _int(account.get("followers")),
        "priority": float(account.get("priority", 0.0)),
        "screenshot_ref": f"screenshots/{platform}/{post_id}.png",
    }


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def group_batches(items: Sequence[dict[str, Any]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Items per (platform, reason): one batch is one bulk submission to one platform under one reason."""
    batches: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in items:
        batches.setdefault((item["platform"], item["reason"]), []).append(item)
    return batches


# ------------------------------------------------------------------------------------------ exports
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> Any:
    """A text cell a spreadsheet will show, never run: a leading formula character gets a ``'`` in front."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _rows(items: Sequence[dict[str, Any]]) -> list[list[Any]]:
    return [[safe_cell(item.get(c)) for c in ITEM_COLUMNS] for item in items]


def export_csv(items: Sequence[dict[str, Any]], path: Path) -> None:
    """UTF-8 with BOM so Excel on Chinese Windows opens it correctly."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([HEADERS_ZH[c] for c in ITEM_COLUMNS])
        writer.writerows(_rows(items))


def export_json(items: Sequence[dict[str, Any]], path: Path) -> None:
    payload = [{c: item.get(c) for c in ITEM_COLUMNS} for item in items]
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def export_xlsx(items: Sequence[dict[str, Any]], path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "举报清单"
    sheet.append([HEADERS_ZH[c] for c in ITEM_COLUMNS])
    for row in _rows(items):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    workbook.save(path)


Exporter = Callable[[Sequence[dict[str, Any]], Path], None]
EXPORTERS: Registry[Exporter] = Registry("report export format")
EXPORTERS.register("csv", export_csv)
EXPORTERS.register("json", export_json)
EXPORTERS.register("xlsx", export_xlsx)


def export_batches(items: Sequence[dict[str, Any]], out_dir: Path, formats: Sequence[str] = ("csv", "json", "xlsx"),
                   prefix: str = "report") -> list[Path]:
    """One file per (platform, reason) batch and format: ``<prefix>_<platform>_<reason>.<format>``."""
    exporters = {f: EXPORTERS.get(f) for f in formats}
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for (platform, reason), batch in group_batches(items).items():
        for fmt, exporter in exporters.items():
            path = out_dir / f"{prefix}_{platform}_{reason}.{fmt}"
            exporter(batch, path)
            written.append(path)
    return written
