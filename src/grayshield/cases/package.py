"""The evidence package a case is handed over in: report.pdf + bundle.json + manifest.json.

``bundle.json`` holds the case, its history and every evidence item as data; ``report.pdf`` is the same for
people. ``manifest.json`` lists the SHA-256 of both, so whoever receives the package can check later, with
:func:`verify_package` (or ``sha256sum``), that not one byte changed. Personal information is shown or masked
by recipient (police referrals see it; internal briefings and branches see it masked), decided at export and
recorded in the case history and the audit log by the service that calls this.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from grayshield.cases.hashing import canonical_json, sha256_file
from grayshield.cases.workflow import EVIDENCE_KINDS, OUTCOMES, STATES, SUBJECT_TYPES
from grayshield.core.errors import ValidationError
from grayshield.core.registry import Registry

REPORT_FILE, BUNDLE_FILE, MANIFEST_FILE = "report.pdf", "bundle.json", "manifest.json"
EVENT_LABELS = {"opened": "立案", "state_changed": "状态变更", "closed": "结案", "assigned": "指派承办人",
                "deadline_set": "设定截止时间", "note": "调查记录", "evidence_added": "附加证据",
                "exported": "导出证据包"}


@dataclass(frozen=True)
class Recipient:
    """Who a package is for, and whether they may see personal information unmasked."""

    label_zh: str
    reveal_pii: bool


RECIPIENTS: Registry[Recipient] = Registry("evidence package recipient")
RECIPIENTS.register("police", Recipient("公安机关（移送线索）", reveal_pii=True))
RECIPIENTS.register("branch", Recipient("分行", reveal_pii=False))
RECIPIENTS.register("internal", Recipient("内部通报", reveal_pii=False))


@dataclass(frozen=True)
class CaseRecord:
    """A case with its history and evidence as plain data: what the package is made of (no ORM objects here)."""

    case: dict[str, Any]
    events: list[dict[str, Any]]
    evidence: list[dict[str, Any]]


@dataclass
class PackageCheck:
    """Result of checking a package against its manifest."""

    checked: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return bool(self.checked) and not self.changed and not self.missing


def export_package(record: CaseRecord, out_dir: Path, recipient: str, *, font_file: Path | None = None,
                   now: datetime | None = None) -> tuple[Path, str]:
    """Write the three files into ``out_dir`` (which must be empty or new); returns it and the manifest's hash."""
    from grayshield.cases.pdf import render_report

    chosen = RECIPIENTS.get(recipient)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise ValidationError(f"导出目录非空：{out_dir}")
    out_dir.mkdir(parents=True, exist_ok=True)
    when = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    shown = record if chosen.reveal_pii else mask_record(record)
    bundle = {"format": "grayshield-evidence-bundle/1", "generated_at": when, "recipient": recipient,
              "reveal_pii": chosen.reveal_pii, "case": shown.case, "events": shown.events,
              "evidence": shown.evidence}
    (out_dir / BUNDLE_FILE).write_bytes(json.dumps(bundle, ensure_ascii=False, indent=2, default=str)
                                        .encode("utf-8"))
    render_report(out_dir / REPORT_FILE, report_content(shown, chosen, when), font_file)
    manifest = {"format": "grayshield-evidence-manifest/1", "algorithm": "sha256", "generated_at": when,
                "case_id": record.case["id"], "recipient": recipient, "reveal_pii": chosen.reveal_pii,
                "files": {name: sha256_file(out_dir / name) for name in (REPORT_FILE, BUNDLE_FILE)}}
    manifest_bytes = canonical_json(manifest)
    (out_dir / MANIFEST_FILE).write_bytes(manifest_bytes)
    return out_dir, hashlib.sha256(manifest_bytes).hexdigest()


def verify_package(folder: Path) -> PackageCheck:
    """Recompute every file's hash and compare with the manifest; a missing or unreadable manifest is an error."""
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        files: dict[str, str] = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValidationError(f"证据包清单无法读取（{folder / MANIFEST_FILE}）：{exc}") from None
    check = PackageCheck()
    for name, expected in sorted(files.items()):
        path = folder / name
        if Path(name).name != name or not path.is_file():
            check.missing.append(name)
            continue
        check.checked.append(name)
        if sha256_file(path) != expected:
            check.changed.append(name)
    return check


def mask_record(record: CaseRecord) -> CaseRecord:
    """Every string in the case, history and evidence masked with the bank's PII policy."""
    from grayshield.pii import mask_text

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return mask_text(value)
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return CaseRecord(case=walk(record.case), events=walk(record.events),
                      evidence=[{**item, "content": walk(item["content"]), "title": walk(item["title"])}
                                for item in record.evidence])


def report_content(record: CaseRecord, recipient: Recipient, generated_at: str) -> dict[str, Any]:
    """What the PDF shows, in Chinese, from the (already masked or not) record."""
    case = record.case
    detail = case.get("detail") or {}
    timeline = [{"time": str(e["occurred_at"])[:19], "event": EVENT_LABELS.get(e["action"], e["action"]),
                 "actor": e["actor"], "note": e.get("reason") or ""} for e in record.events]
    for fact, label in (("first_seen", "团伙最早活动"), ("last_seen", "团伙最近活动")):
        if detail.get("facts", {}).get(fact):
            timeline.append({"time": str(detail["facts"][fact])[:19], "event": label, "actor": "系统", "note": ""})
    timeline.sort(key=lambda e: e["time"])
    return {
        "case": {"id": case["id"], "title": case["title"],
                 "subject": f"{SUBJECT_TYPES.get(case['subject_type'], case['subject_type'])} {case['subject_id']}",
                 "state": STATES.get(case["state"], case["state"]), "assignee": case.get("assignee"),
                 "deadline": (str(case["deadline"])[:16] if case.get("deadline") else None),
                 "outcome": OUTCOMES.get(case.get("outcome") or "", case.get("outcome"))},
        "recipient_label": recipient.label_zh, "reveal_pii": recipient.reveal_pii, "generated_at": generated_at,
        "summary": detail.get("summary_zh", ""),
        "timeline": timeline,
        "entities": detail.get("entities", []),
        "graph": detail.get("graph", {}),
        "evidence": [{"id": e["id"], "kind": EVIDENCE_KINDS.get(e["kind"], e["kind"]), "source": e["source"],
                      "title": e["title"], "sha256": e["sha256"]} for e in record.evidence],
    }
