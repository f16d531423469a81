"""Compliance monitoring as the CLI and the console use it: run QA and process checks over a world, keep the
findings in the store, and let QA staff confirm or dismiss them (audited) so reviews become training labels.

The engines (grayshield.compliance) know nothing of the store; this layer turns their tables into findings,
masks customer data in the evidence before it is stored, and owns the review workflow.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grayshield.compliance.process import ProcessModel, check, discover
from grayshield.compliance.qa import MODEL_NAME, QaModel, QaResult, run_qa
from grayshield.compliance.rules import load_rulebook
from grayshield.compliance.staffops import alerts, detect_unusual_days, flag_operations
from grayshield.compliance.worlds import (
    call_keys,
    collusion_context,
    complaint_log,
    table_frame,
    world_utterances,
)
from grayshield.core.errors import ConflictError, NotFoundError, ValidationError
from grayshield.lake import open_world
from grayshield.models.registry import ModelRegistry
from grayshield.store.actor import ActorSession
from grayshield.store.audit import record
from grayshield.store.models import ComplianceFinding

DECISIONS = {"confirm": "confirmed", "dismiss": "dismissed"}
STATES = ("open", "confirmed", "dismissed")
SOURCES = ("qa", "case", "staff")


def latest_models(models_dir: Path) -> tuple[QaModel | None, ProcessModel | None]:
    """The newest published breach classifier and normal process, or (None, None) before any training."""
    registry = ModelRegistry(models_dir)
    if not registry.versions(MODEL_NAME):
        return None, None
    version = registry.get(MODEL_NAME)
    return QaModel.load(version.path, f"{version.name}/{version.version}"), ProcessModel.load(
        version.path / "process.json")


def transcript_qa(world_path: Path, models_dir: Path, rulebook: Path | None = None) -> QaResult:
    """QA every transcribed call of a world: the trained classifier when there is one, the rules alone otherwise."""
    world = open_world(world_path)
    model, _ = latest_models(models_dir)
    return run_qa(load_rulebook(rulebook), world_utterances(world), call_keys(world), model)


@dataclass
class ProcessReport:
    cases: pd.DataFrame  # one row per complaint case with deviations and the expected path
    staff_alerts: pd.DataFrame  # one row per staff member, day and rule
    unusual_days: pd.DataFrame  # detector: staff-days marked unusual, most unusual first
    process: ProcessModel

    def summary(self) -> dict[str, Any]:
        return {"cases": len(self.cases), "case_alerts": int(self.cases["alert"].sum()),
                "staff_alerts": len(self.staff_alerts),
                "staff_alerts_by_rule": self.staff_alerts["rule"].value_counts().to_dict(),
                "unusual_staff_days": len(self.unusual_days), "expected_path": " > ".join(self.process.happy_path)}


def process_checks(world_path: Path, models_dir: Path) -> ProcessReport:
    """Conformance of every complaint case and the staff-operation rules; without a published process model
    the normal process is discovered from the world's own log (discovery needs no labels)."""
    world = open_world(world_path)
    _, process = latest_models(models_dir)
    events = complaint_log(world)
    process = process or discover(events)
    ops = table_frame(world, "staff_operations")
    days = detect_unusual_days(ops)
    return ProcessReport(check(process, events), alerts(flag_operations(ops, collusion_context(world))),
                         days[days["unusual"]].sort_values("score", ascending=False), process)


def _masked(text: str | None) -> str | None:
    from grayshield.pii import mask_text

    return None if text is None else mask_text(text)


def qa_records(result: QaResult) -> list[dict[str, Any]]:
    """Store rows for QA findings; utterance text is masked (it may name the customer or carry numbers)."""
    columns = [c for c in ("agent_id", "team", "month") if c in result.calls.columns]
    keys: dict[Any, dict[Any, Any]] = result.calls.set_index("call_id")[columns].to_dict("index")
    rows = []
    for f in result.findings.to_dict("records"):
        call = keys.get(f["call_id"], {})
        rows.append({"source": "qa", "finding_type": f["target"], "subject_type": "call", "subject_id": f["call_id"],
                     "ref": "" if f["kind"] == "missing" else str(f["seq"]), "staff_id": call.get("agent_id"),
                     "team": call.get("team"), "month": call.get("month"), "rule_id": f["rule_id"],
                     "title_zh": f["title_zh"], "severity": int(f["penalty"]), "probability": float(f["probability"]),
                     "reasons": list(f["reasons"]), "evidence": {"kind": f["kind"], "text": _masked(f["text"])},
                     "made_by": f"{result.rulebook}|{result.model}"})
    return rows


def process_records(report: ProcessReport) -> list[dict[str, Any]]:
    rows = []
    for case in report.cases[report.cases["alert"]].to_dict("records"):
        rows.append({"source": "case", "finding_type": "process_deviation", "subject_type": "complaint",
                     "subject_id": case["case_id"], "ref": "", "title_zh": "投诉处理流程偏离正常流程",
                     "severity": len(case["deviations"]), "probability": 1 - float(case["fitness"]),
                     "reasons": case["deviations"] + case["timing_warnings"],
                     "evidence": {"trace": case["trace"], "expected_path": case["expected_path"]},
                     "made_by": f"process:{report.process.cases}cases"})
    for alert in report.staff_alerts.to_dict("records"):
        rows.append({"source": "staff", "finding_type": alert["rule"], "subject_type": "staff",
                     "subject_id": alert["staff_id"], "ref": str(alert["day"]), "staff_id": alert["staff_id"],
                     "title_zh": alert["title_zh"], "severity": int(alert["operations"]), "probability": 1.0,
                     "reasons": [f"{alert['operations']} 笔操作，涉及 {alert['customers']} 位客户",
                                 *([alert["note"]] if isinstance(alert.get("note"), str) else [])],
                     "evidence": {"expected": alert["expected_zh"], "op_ids": alert["op_ids"],
                                  "first_time": str(alert["first_time"]), "last_time": str(alert["last_time"])},
                     "made_by": "staff_rules"})
    return rows


class ComplianceReview(ActorSession):
    """Findings in the store and the QA review queue; one instance per session and acting user."""

    stale_message = "质检发现已被他人同时复核，请刷新后重试"

    def save(self, rows: list[dict[str, Any]], now: datetime | None = None) -> dict[str, int]:
        """Add findings not already stored (same source, subject, ref and type): re-running a check is safe."""
        when = now or datetime.now(UTC)
        existing = {(f.source, f.subject_id, f.ref, f.finding_type) for f in self.session.scalars(
            select(ComplianceFinding).where(ComplianceFinding.subject_id.in_({r["subject_id"] for r in rows})))}
        added = 0
        for row in rows:
            key = (row["source"], row["subject_id"], row["ref"], row["finding_type"])
            if key in existing:
                continue
            existing.add(key)
            self.session.add(ComplianceFinding(**row, state="open", created_at=when))
            added += 1
        self.session.flush()
        return {"added": added, "already_stored": len(rows) - added}

    def queue(self, *, state: str = "open", source: str | None = None, limit: int = 50) -> list[ComplianceFinding]:
        if state not in STATES:
            raise ValidationError(f"unknown state {state!r}; choose one of {', '.join(STATES)}")
        if source is not None and source not in SOURCES:
            raise ValidationError(f"unknown source {source!r}; choose one of {', '.join(SOURCES)}")
        query = select(ComplianceFinding).where(ComplianceFinding.state == state)
        if source is not None:
            query = query.where(ComplianceFinding.source == source)
        query = query.order_by(ComplianceFinding.severity.desc(), ComplianceFinding.id).limit(limit)
        return list(self.session.scalars(query))

    def counts(self) -> dict[str, int]:
        rows = self.session.execute(select(ComplianceFinding.state, func.count()).group_by(ComplianceFinding.state))
        return {str(state): int(n) for state, n in rows}

    def review(self, finding_id: int, decision: str, reason: str, expected_version: int | None = None
               ) -> ComplianceFinding:
        """Confirm or dismiss an open finding; the decision and the state before it go to the audit log."""
        if decision not in DECISIONS:
            raise ValidationError(f"decision must be one of {', '.join(DECISIONS)}, got {decision!r}")
        if not reason.strip():
            raise ValidationError("a review needs a reason")
        finding = self.fetch(ComplianceFinding, finding_id, f"没有质检发现 {finding_id}")
        if expected_version is not None and finding.version != expected_version:
            raise ConflictError(f"质检发现 {finding_id} 已被他人修改（当前版本 {finding.version}），请刷新后重试")
        if finding.state != "open":
            raise ConflictError(f"质检发现 {finding_id} 已复核（{finding.state}），无需再次处理")
        before = finding.state
        finding.state = DECISIONS[decision]
        finding.reviewed_by, finding.reviewed_at, finding.review_reason = self.actor, datetime.now(UTC), reason
        self._flush()
        record(self.session, actor=self.actor, action=f"compliance.{decision}", subject_type="compliance_finding",
               subject_id=str(finding_id), reason=reason,
               detail={"before": before, "after": finding.state, "finding_type": finding.finding_type,
                       "subject": f"{finding.subject_type}:{finding.subject_id}"})
        return finding

    def labels(self, source: str = "qa") -> pd.DataFrame:
        """Reviewed findings as training labels: a confirmed finding keeps its type, a dismissed one is 'none'."""
        reviewed = self.session.scalars(select(ComplianceFinding).where(
            ComplianceFinding.source == source, ComplianceFinding.state.in_(("confirmed", "dismissed"))
        ).order_by(ComplianceFinding.id))
        return pd.DataFrame(
            [{"subject_id": f.subject_id, "ref": f.ref, "finding_type": f.finding_type,
              "label": f.finding_type if f.state == "confirmed" else "none", "reviewed_by": f.reviewed_by,
              "reviewed_at": f.reviewed_at, "made_by": f.made_by} for f in reviewed],
            columns=["subject_id", "ref", "finding_type", "label", "reviewed_by", "reviewed_at", "made_by"])


# ------------------------------------------------------------------------------------------ console views
# What the console pages read (grayshield.web.compliance_pages stays thin over these): the findings with
# filters, one call's transcript with its findings, and QA scores per agent, team or month.
PROCESS_SOURCES = ("case", "staff")
SCORE_KEYS = {"agent": ComplianceFinding.staff_id, "team": ComplianceFinding.team, "month": ComplianceFinding.month}
_LAKE_LOCK = threading.Lock()


@dataclass(frozen=True)
class FindingFilter:
    """Filters of the findings lists; ``None`` (or an empty string from a form) means any."""

    sources: tuple[str, ...] = ("qa",)
    staff_id: str | None = None
    team: str | None = None
    month: str | None = None
    finding_type: str | None = None
    state: str | None = "open"

    def where(self) -> list[Any]:
        unknown = [s for s in self.sources if s not in SOURCES]
        if unknown:
            raise ValidationError(f"unknown source {unknown[0]!r}; choose from {', '.join(SOURCES)}")
        if self.state and self.state not in STATES:
            raise ValidationError(f"unknown state {self.state!r}; choose one of {', '.join(STATES)}")
        clauses: list[Any] = [ComplianceFinding.source.in_(self.sources)]
        for column, value in ((ComplianceFinding.staff_id, self.staff_id), (ComplianceFinding.team, self.team),
                              (ComplianceFinding.month, self.month),
                              (ComplianceFinding.finding_type, self.finding_type),
                              (ComplianceFinding.state, self.state)):
            if value:
                clauses.append(column == value)
        return clauses


def search_findings(session: Session, filters: FindingFilter, page: int = 1, size: int = 50
                    ) -> tuple[list[ComplianceFinding], int]:
    """One page of findings, most severe first, and how many match in all."""
    where = filters.where()
    total = int(session.scalar(select(func.count()).select_from(ComplianceFinding).where(*where)) or 0)
    rows = session.scalars(select(ComplianceFinding).where(*where)
                           .order_by(ComplianceFinding.severity.desc(), ComplianceFinding.id)
                           .offset((max(page, 1) - 1) * size).limit(size))
    return list(rows), total


def finding_facets(session: Session, sources: tuple[str, ...]) -> dict[str, list[str]]:
    """The values the filters can take (agents, teams, months, types) among the stored findings."""
    facets: dict[str, list[str]] = {}
    for name, column in (("staff_id", ComplianceFinding.staff_id), ("team", ComplianceFinding.team),
                         ("month", ComplianceFinding.month), ("finding_type", ComplianceFinding.finding_type)):
        values = session.scalars(select(column).where(ComplianceFinding.source.in_(sources), column.is_not(None))
                                 .distinct().order_by(column).limit(500))
        facets[name] = [str(v) for v in values]
    return facets


def get_finding(session: Session, finding_id: int) -> ComplianceFinding:
    finding = session.get(ComplianceFinding, finding_id)
    if finding is None:
        raise NotFoundError(f"没有质检发现 {finding_id}")
    return finding


@dataclass
class CallView:
    """A call as QA staff see it: masked keys, the masked transcript and the findings that point into it."""

    call_id: str
    facts: dict[str, str]  # agent, start time, queue, direction, masked numbers
    utterances: list[dict[str, Any]]  # seq, speaker, text (masked), flagged findings of that utterance
    findings: list[ComplianceFinding]  # every finding of the call (breaches and missing items)
    transcript_available: bool


@functools.lru_cache(maxsize=4)
def _lake(lake_dir: Path) -> Any:
    return open_world(lake_dir)


def _lake_rows(lake_dir: Path, table_name: str, call_id: str) -> list[dict[str, Any]]:
    """One call's rows of a lake table (none when the lake lacks the table)."""
    if not (lake_dir / table_name).is_dir():
        return []
    with _LAKE_LOCK:  # one DuckDB connection per lake, not safe for two queries at once
        table = _lake(lake_dir).table(table_name)
        rows: list[dict[str, Any]] = table.filter(table.call_id == call_id).to_pyarrow().to_pylist()
    return rows


def call_view(session: Session, lake_dir: Path, call_id: str) -> CallView:
    """The call's transcript from the lake with every utterance masked, flagged utterances marked."""
    findings = list(session.scalars(select(ComplianceFinding).where(
        ComplianceFinding.source == "qa", ComplianceFinding.subject_id == call_id).order_by(ComplianceFinding.id)))
    utterances = sorted(_lake_rows(lake_dir, "call_utterances", call_id), key=lambda u: int(u["seq"]))
    calls = _lake_rows(lake_dir, "calls", call_id)
    if not findings and not utterances and not calls:
        raise NotFoundError(f"通话不存在或无质检记录 / unknown call {call_id!r}")
    by_seq: dict[str, list[ComplianceFinding]] = {}
    for f in findings:
        if f.ref:
            by_seq.setdefault(f.ref, []).append(f)
    lines = [{"seq": int(u["seq"]), "speaker": str(u["speaker"]), "text": _masked(str(u["text"] or "")) or "",
              "findings": by_seq.get(str(u["seq"]), [])} for u in utterances]
    if not lines:  # no transcript in the lake: show what the findings kept (already masked when stored)
        lines = [{"seq": int(f.ref), "speaker": "agent", "text": str((f.evidence or {}).get("text") or ""),
                  "findings": by_seq[f.ref]} for f in findings if f.ref.isdigit()]
    call = calls[0] if calls else {}
    facts = {"agent_id": str(call.get("agent_id") or (findings[0].staff_id if findings else "") or ""),
             "team": str(findings[0].team or "") if findings else "",
             "start_time": str(call.get("start_time") or "")[:19], "queue": str(call.get("queue") or ""),
             "direction": str(call.get("direction") or ""),
             "caller_number": (_masked(str(call["caller_number"])) or "") if call.get("caller_number") else "",
             "claimed_customer_id": str(call.get("claimed_customer_id") or "")}
    return CallView(call_id, facts, lines, findings, bool(utterances))


def qa_scores(session: Session, by: str) -> list[dict[str, Any]]:
    """Per agent, team or month, from the stored QA findings: flagged calls, breaches, missing items, review
    outcomes and the mean score of the flagged calls (100 less each finding's penalty, floor 0).

    Calls without findings are not in the store, so this is the score of the calls QA flagged; the full
    score over all calls is ``grayshield compliance qa --by``.
    """
    if by not in SCORE_KEYS:
        raise ValidationError(f"by must be one of {', '.join(SCORE_KEYS)}")
    column = SCORE_KEYS[by]
    rows = session.execute(select(column, ComplianceFinding.subject_id, ComplianceFinding.ref,
                                  ComplianceFinding.severity, ComplianceFinding.state)
                           .where(ComplianceFinding.source == "qa"))
    frame = pd.DataFrame(list(rows), columns=["group", "call_id", "ref", "penalty", "state"])
    if frame.empty:
        return []
    frame["group"] = frame["group"].fillna("未知")
    per_call = frame.groupby(["group", "call_id"])["penalty"].sum().clip(upper=100).rsub(100).rename("score")
    calls = per_call.reset_index().groupby("group").agg(calls=("call_id", "size"), score=("score", "mean"))
    counts = frame.assign(breach=frame["ref"] != "", missing=frame["ref"] == "",
                          confirmed=frame["state"] == "confirmed", dismissed=frame["state"] == "dismissed",
                          open=frame["state"] == "open").groupby("group")[
        ["breach", "missing", "confirmed", "dismissed", "open"]].sum()
    table = calls.join(counts).reset_index().sort_values(["score", "group"])
    table["score"] = table["score"].round(1)
    return [{str(k): (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in table.to_dict("records")]
