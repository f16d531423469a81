"""Bulk exchange of tag lists as CSV: external intelligence lists in, reviewed tags out.

Import validates row by row: a bad row is reported with its line number and skipped, every valid row is kept
(nothing valid is lost to a neighbour's typo). A row about a subject that already carries a live tag of the same
type is a conflict, resolved by the chosen policy: ``keep`` the existing tag, ``update`` it (higher confidence,
longer validity), or ``fail`` the row so an analyst looks at it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from grayshield.core.errors import GrayShieldError, ValidationError
from grayshield.store.clock import aware
from grayshield.store.models import Tag
from grayshield.tags.service import TagProposal, TagService, normalise_subject
from grayshield.tags.taxonomy import check_subject, tag_type

REQUIRED = ("tag_type", "subject_type", "subject_id")
OPTIONAL = ("confidence", "valid_until", "note", "source_ref")
EXPORT_COLUMNS = ("id", "tag_type", "subject_type", "subject_id", "source", "source_ref", "confidence", "state",
                  "valid_from", "valid_until", "created_by", "reviewed_by", "review_reason", "note", "version")
MAX_ROWS = 200_000
Conflict = Literal["keep", "update", "fail"]


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    kept: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated, "kept": self.kept,
                "rejected": len(self.errors), "errors": self.errors[:100]}


def _parse_until(text: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text.replace("/", "-"))
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError("valid_until 不是有效日期（YYYY-MM-DD 或 ISO 8601）") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _parse_confidence(text: str) -> float:
    if not text.strip():
        return 1.0
    try:
        value = float(text)
    except ValueError:
        raise ValidationError("confidence 不是数字") from None
    if not 0.0 <= value <= 1.0:
        raise ValidationError("confidence 必须在 0 到 1 之间")
    return value


def read_rows(text: str) -> list[dict[str, str]]:
    """Rows of a tag CSV (UTF-8, BOM tolerated); refuses a file without the required columns."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    columns = set(reader.fieldnames or ())
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ValidationError(f"CSV 缺少必需列: {', '.join(missing)}（需要 {', '.join(REQUIRED)}）")
    unknown = sorted(columns - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise ValidationError(f"CSV 含未知列: {', '.join(unknown)}；可选列: {', '.join(OPTIONAL)}")
    rows = list(reader)
    if len(rows) > MAX_ROWS:
        raise ValidationError(f"一次最多导入 {MAX_ROWS} 行，请拆分文件")
    return rows


def import_csv(service: TagService, text: str, list_name: str, *, conflict: Conflict = "keep",
               confirmed: bool = False) -> ImportReport:
    """Import an external list as ``imported`` tags named after ``list_name`` (kept as their source_ref)."""
    if conflict not in ("keep", "update", "fail"):
        raise ValidationError("冲突策略只能是 keep、update 或 fail")
    report = ImportReport()
    for line, row in enumerate(read_rows(text), start=2):  # line 1 is the header
        report.rows += 1
        try:
            kind = tag_type((row.get("tag_type") or "").strip())
            subject_type = (row.get("subject_type") or "").strip()
            check_subject(kind, subject_type)
            subject_id = normalise_subject(subject_type, row.get("subject_id") or "")
            proposal = TagProposal(kind.name, subject_type, subject_id, "imported",
                                   _parse_confidence(row.get("confidence") or ""),
                                   _parse_until(row.get("valid_until") or ""),
                                   (row.get("source_ref") or "").strip() or list_name,
                                   (row.get("note") or "").strip() or None)
            existing = service.open_tag(kind.name, subject_type, subject_id)
            if existing is not None and conflict == "fail":
                raise ValidationError(f"已有生效中的同类标签（编号 {existing.id}）")
            if existing is not None and conflict == "keep":
                report.kept += 1
                continue
            before = existing.version if existing is not None else None
            tag = service.propose(proposal, confirmed=confirmed)
            if before is None:
                report.created += 1
            elif tag.version != before:
                report.updated += 1
            else:
                report.kept += 1
        except GrayShieldError as exc:
            report.errors.append({"line": line, "error": exc.message})
    return report


def export_csv(tags: list[Tag]) -> str:
    """Tags as CSV with a header row; times in ISO 8601 UTC."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(EXPORT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for tag in tags:
        row: dict[str, Any] = {c: getattr(tag, c) for c in EXPORT_COLUMNS}
        for col in ("valid_from", "valid_until"):
            value = aware(row[col])
            row[col] = value.isoformat() if value else ""
        writer.writerow(row)
    return out.getvalue()
