"""Read models for the console: what each page and its JSON twin show, built once here so the HTML pages and
the API never disagree and the web layer never builds a query.

Customer PII is masked here by default with the bank's masking policy (``grayshield.pii``), and free text typed
by staff (audit reasons) is scanned and masked too; the only way to a clear value is
:func:`reveal_customer_field`, which needs a stated reason and writes the audit entry in the same transaction.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import threading
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    import pyarrow as pa

from grayshield.core.clock import BANK_TZ
from grayshield.core.errors import ConflictError, NotFoundError, ValidationError
from grayshield.lake.world import World, open_world
from grayshield.models.registry import ModelRegistry
from grayshield.pii import mask_table, mask_text
from grayshield.services.screening_stats import RISK_LEVELS, daily_counts
from grayshield.social.effectiveness import OUTCOME_ZH, TAKEN_DOWN
from grayshield.store.audit import record, verify_chain
from grayshield.store.models import Alert, AuditEvent, ScoreRun, Tag
from grayshield.strategies.repository import StrategyRepository
from grayshield.strategies.rules import parse_rule_set
from grayshield.tags import TAG_TYPES, TagService
from grayshield.text.lexicon import (
    LEXICONS,
    Lexicon,
    load_lexicon,
    parse_lexicon,
    saved_versions,
    version_key,
)

COMPLAINT_KIND = "complaint"
COMPLAINT_MODEL = "complaints"  # grayshield.complaints.training.MODEL_NAME, without importing the engine
PiiField = Literal["name", "id_number", "registered_phone", "address"]
PII_FIELDS: dict[str, str] = {"name": "姓名", "id_number": "证件号码", "registered_phone": "注册手机号", "address": "住址"}
# how the bank's masking policy (grayshield.pii, JR/T 0171-2020 display masking) treats each field
PII_ENTITIES: dict[str, str | None] = {"name": "PERSON_NAME", "id_number": "ID_CARD", "registered_phone": "PHONE",
                                       "address": "ADDRESS"}
MIN_REASON_LENGTH = 4
LEXICON_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


# ---------------------------------------------------------------------------------------------- overview
class CountBy(BaseModel):
    key: str
    count: int


class TrendPoint(BaseModel):
    as_of: date
    alerts: int
    rows_scored: int
    score_mean: float | None
    model_version: str
    strategy_version: str | None


class ScreenedDay(BaseModel):
    day: date
    high: int
    medium: int
    low: int


class ReportDay(BaseModel):
    day: date
    filed: int
    taken_down: int


class Overview(BaseModel):
    as_of: date | None = Field(description="The scoring date shown: the newest one unless asked")
    alert_dates: list[date]
    total_alerts: int
    by_band: list[CountBy]
    by_action: list[CountBy]
    by_proxy_level: list[CountBy]
    trend: list[TrendPoint]
    tags_awaiting_review: int
    tags_confirmed_7d: int = Field(description="Tags confirmed in the last 7 days: newly known black/gray subjects")
    screened_today: dict[str, int] = Field(default_factory=dict,
                                           description="Calls screened today (bank day, UTC+8) per risk level")
    screened_trend: list[ScreenedDay] = Field(default_factory=list, description="Calls screened per day, 14 days")
    report_outcomes: dict[str, int] = Field(default_factory=dict,
                                            description="Reported social items per platform outcome (待反馈 = none)")
    report_trend: list[ReportDay] = Field(default_factory=list,
                                          description="Items reported and taken down per day, 30 days")


def alert_dates(session: Session, kind: str = COMPLAINT_KIND) -> list[date]:
    """Scoring dates with warnings, newest first."""
    return list(session.scalars(select(Alert.as_of).where(Alert.kind == kind).distinct()
                                .order_by(Alert.as_of.desc())))


def _counts(session: Session, column: Any, as_of: date) -> list[CountBy]:
    rows = session.execute(select(column, func.count()).where(Alert.kind == COMPLAINT_KIND, Alert.as_of == as_of)
                           .group_by(column).order_by(column))
    return [CountBy(key=str(key) if key is not None else "-", count=n) for key, n in rows]


def screening_figures(session: Session, today: date,
                      pending: dict[tuple[datetime, str], int] | None = None) -> dict[str, Any]:
    """Screened calls today per risk level and the last 14 days (from the hourly counters, plus unflushed ones)."""
    days = daily_counts(session, today - timedelta(days=13), today, pending)
    empty = dict.fromkeys(RISK_LEVELS, 0)
    trend = [ScreenedDay(day=d, **{**empty, **days.get(d, {})})
             for d in (today - timedelta(days=n) for n in range(13, -1, -1))]
    return {"screened_today": {**empty, **days.get(today, {})}, "screened_trend": trend}


def _per_day(moments: Any, since: datetime) -> dict[date, int]:
    """Counts per bank day (UTC+8) of the moments (a pandas column) at or after ``since``."""
    import pandas as pd

    stamps = pd.to_datetime(moments, utc=True).dropna()
    stamps = stamps[stamps >= pd.Timestamp(since)].dt.tz_convert(BANK_TZ)
    return {d: int(n) for d, n in stamps.dt.date.value_counts().items()}


def report_figures(session: Session, today: date) -> dict[str, Any]:
    """Social report outcomes (all items) and items filed / taken down per day over the last 30 days."""
    from grayshield.services.social_monitoring import reports_frame

    frame = reports_frame(session)
    outcomes = {OUTCOME_ZH.get(str(k), str(k)): int(n)
                for k, n in frame["outcome"].fillna("pending").value_counts().items()}
    start = today - timedelta(days=29)
    since = datetime.combine(start, datetime.min.time(), tzinfo=BANK_TZ)
    filed = _per_day(frame["first_filed_at"], since)
    down = _per_day(frame.loc[frame["outcome"].isin(TAKEN_DOWN), "decided_at"], since)
    trend = [ReportDay(day=d, filed=filed.get(d, 0), taken_down=down.get(d, 0))
             for d in (start + timedelta(days=n) for n in range(30))]
    return {"report_outcomes": outcomes, "report_trend": trend}


def overview(session: Session, as_of: date | None = None,
             pending_screened: dict[tuple[datetime, str], int] | None = None) -> Overview:
    """The overview page: complaint warnings of ``as_of`` (newest by default), tags, screened calls, reports."""
    today = datetime.now(BANK_TZ).date()
    extra = {**screening_figures(session, today, pending_screened), **report_figures(session, today)}
    dates = alert_dates(session)
    chosen = as_of or (dates[0] if dates else None)
    runs = session.scalars(select(ScoreRun).where(ScoreRun.kind == COMPLAINT_KIND)
                           .order_by(ScoreRun.as_of, ScoreRun.finished_at))
    latest_per_day = {run.as_of: run for run in runs}  # a re-scored day keeps its last run
    trend = [TrendPoint(as_of=run.as_of, alerts=run.alerts, rows_scored=run.rows_scored,
                        score_mean=run.score_summary.get("score_mean"), model_version=run.model_version,
                        strategy_version=run.strategy_version) for run in latest_per_day.values()]
    week_ago = datetime.now(UTC) - timedelta(days=7)
    tags = {"tags_awaiting_review": session.scalar(select(func.count(Tag.id)).where(Tag.state == "proposed")) or 0,
            "tags_confirmed_7d": session.scalar(select(func.count(Tag.id)).where(
                Tag.state == "confirmed", Tag.reviewed_at >= week_ago)) or 0}
    if chosen is None:
        return Overview(as_of=None, alert_dates=dates, total_alerts=0, by_band=[], by_action=[], by_proxy_level=[],
                        trend=trend, **tags, **extra)
    by_band = _counts(session, Alert.band, chosen)
    return Overview(as_of=chosen, alert_dates=dates, total_alerts=sum(c.count for c in by_band), by_band=by_band,
                    by_action=_counts(session, Alert.action, chosen),
                    by_proxy_level=_counts(session, Alert.proxy_level, chosen), trend=trend, **tags, **extra)


# ---------------------------------------------------------------------------------------------- alerts
class AlertFilter(BaseModel):
    as_of: date | None = None
    band: str | None = Field(default=None, max_length=8)
    action: str | None = Field(default=None, max_length=64)
    proxy_level: str | None = Field(default=None, max_length=16)
    segment: str | None = Field(default=None, max_length=32)
    customer_id: str | None = Field(default=None, max_length=128)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        """An HTML form sends an untouched ``<select>`` as ``band=``; that means "any", not an error."""
        return None if isinstance(value, str) and not value.strip() else value


class Reason(BaseModel):
    feature: str
    reason: str
    contribution: float | None = None
    value: Any = None


class AlertOut(BaseModel):
    id: int
    as_of: date
    customer_id: str
    score: float
    band: str
    proxy_score: float | None
    proxy_level: str | None
    segment: str | None
    action: str | None
    rule: str | None
    status: str
    strategy_version: str | None
    model_version: str
    reasons: list[Reason]


class AlertPage(BaseModel):
    items: list[AlertOut]
    total: int
    page: int
    page_size: int
    pages: int


class AlertFacets(BaseModel):
    dates: list[date]
    bands: list[str]
    actions: list[str]
    proxy_levels: list[str]
    segments: list[str]


def _alert_out(alert: Alert) -> AlertOut:
    reasons = [Reason(**r) for r in alert.reasons if isinstance(r, dict) and "feature" in r and "reason" in r]
    return AlertOut(id=alert.id, as_of=alert.as_of, customer_id=alert.subject_id, score=alert.score, band=alert.band,
                    proxy_score=alert.proxy_score, proxy_level=alert.proxy_level, segment=alert.segment,
                    action=alert.action, rule=alert.rule, status=alert.status,
                    strategy_version=alert.strategy_version, model_version=alert.model_version, reasons=reasons)


def _filtered(query: Select[Any], filters: AlertFilter) -> Select[Any]:
    query = query.where(Alert.kind == COMPLAINT_KIND)
    for column, value in ((Alert.as_of, filters.as_of), (Alert.band, filters.band), (Alert.action, filters.action),
                          (Alert.proxy_level, filters.proxy_level), (Alert.segment, filters.segment),
                          (Alert.subject_id, filters.customer_id)):
        if value is not None and value != "":
            query = query.where(column == value)
    return query


def list_alerts(session: Session, filters: AlertFilter, page: int = 1, page_size: int = 50) -> AlertPage:
    """One page of warnings, highest score first; a page past the end is empty rather than an error."""
    total = session.scalar(_filtered(select(func.count(Alert.id)), filters)) or 0
    rows = session.scalars(_filtered(select(Alert), filters).order_by(Alert.as_of.desc(), Alert.score.desc(),
                                                                     Alert.id)
                           .offset((page - 1) * page_size).limit(page_size))
    return AlertPage(items=[_alert_out(a) for a in rows], total=total, page=page, page_size=page_size,
                     pages=max(math.ceil(total / page_size), 1))


def iter_alerts(session: Session, filters: AlertFilter, limit: int) -> list[AlertOut]:
    """Every matching warning up to ``limit`` (for exports)."""
    rows = session.scalars(_filtered(select(Alert), filters).order_by(Alert.as_of.desc(), Alert.score.desc())
                           .limit(limit))
    return [_alert_out(a) for a in rows]


def alert_facets(session: Session) -> AlertFacets:
    def distinct(column: Any) -> list[str]:
        return [v for v in session.scalars(select(column).where(Alert.kind == COMPLAINT_KIND).distinct()
                                           .order_by(column)) if v is not None]

    return AlertFacets(dates=alert_dates(session), bands=distinct(Alert.band), actions=distinct(Alert.action),
                       proxy_levels=distinct(Alert.proxy_level), segments=distinct(Alert.segment))


# ---------------------------------------------------------------------------------------------- customers
class CustomerView(BaseModel):
    customer_id: str
    profile_available: bool = Field(description="False when the lake has no customers table for this customer")
    masked: dict[str, str | None] = Field(description="PII fields, masked")
    attributes: dict[str, Any] = Field(description="Non-sensitive attributes (segment, city, ...)")
    latest: AlertOut | None
    history: list[AlertOut]


_PUBLIC_ATTRIBUTES = ("gender", "province", "city", "segment", "occupation", "onboard_date")


_WORLD_LOCK = threading.Lock()


@lru_cache(maxsize=4)
def _lake(lake_dir: Path) -> World:
    """One World (and DuckDB connection) per lake for the process; Parquet globs are re-read per query."""
    return open_world(lake_dir)


def _customer_row(lake_dir: Path, customer_id: str) -> pa.Table | None:
    """The customer's row (a one-row Arrow table) from the lake, or ``None`` if the lake or customer is not there."""
    if not (lake_dir / "customers").is_dir():
        return None
    with _WORLD_LOCK:  # a DuckDB connection must not run two queries at once from the server's threads
        table = _lake(lake_dir).table("customers")
        row = table.filter(table.customer_id == customer_id).limit(1).to_pyarrow()
    return row if row.num_rows else None


def _values(row: pa.Table, columns: Iterable[str]) -> dict[str, str | None]:
    present = [c for c in columns if c in row.column_names]
    return {c: _text(v) for c, v in row.select(present).to_pylist()[0].items()}


def customer_view(session: Session, lake_dir: Path, customer_id: str) -> CustomerView:
    history = [_alert_out(a) for a in session.scalars(
        select(Alert).where(Alert.kind == COMPLAINT_KIND, Alert.subject_id == customer_id)
        .order_by(Alert.as_of.desc()).limit(100))]
    row = _customer_row(lake_dir, customer_id)
    if row is None and not history:
        raise NotFoundError(f"客户不存在或无预警记录 / unknown customer {customer_id!r}")
    masked = _values(mask_table(row.select(list(PII_ENTITIES)), PII_ENTITIES), PII_ENTITIES) if row else {}
    attributes: dict[str, Any] = _values(row, _PUBLIC_ATTRIBUTES) if row else {}
    return CustomerView(customer_id=customer_id, profile_available=row is not None, masked=masked,
                        attributes=attributes, latest=history[0] if history else None, history=history)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value.date() if isinstance(value, datetime) else value)


def reveal_customer_field(session: Session, lake_dir: Path, customer_id: str, field: str, *, actor: str,
                          reason: str) -> str | None:
    """The clear value of one PII field; the audit entry (who, which field, why) is written first."""
    if field not in PII_FIELDS:
        raise ValidationError(f"不可查看的字段 / field cannot be revealed: {field!r}; allowed: {', '.join(PII_FIELDS)}")
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(f"请填写查看原因（至少 {MIN_REASON_LENGTH} 个字）/ a reason is required")
    row = _customer_row(lake_dir, customer_id)
    if row is None:
        raise NotFoundError(f"客户资料不存在 / no customer profile for {customer_id!r}")
    record(session, actor=actor, action="pii.reveal", subject_type="customer", subject_id=customer_id,
           reason=reason, detail={"field": field})
    return _values(row, [field])[field]


# ---------------------------------------------------------------------------------------------- models
class ModelVersionOut(BaseModel):
    name: str
    version: str
    trained_at: str | None
    training_window: list[str] | None
    validation_window: list[str] | None
    oot_validation: dict[str, dict[str, float]]
    has_card: bool


class DriftPoint(BaseModel):
    as_of: date
    model_version: str
    score_mean: float | None
    score_psi: float | None
    level: str | None
    top_feature_psi: list[dict[str, Any]]


class ModelMonitoring(BaseModel):
    model: str
    versions: list[ModelVersionOut]
    drift: list[DriftPoint]


def model_monitoring(session: Session, models_dir: Path, name: str = COMPLAINT_MODEL) -> ModelMonitoring:
    registry = ModelRegistry(models_dir)
    versions = []
    for v in reversed(registry.versions(name)):
        meta = registry.get(name, v)
        md = meta.metadata
        oot = {k: {m: float(x) for m, x in r.items() if isinstance(x, int | float)}
               for k, r in md.get("oot_validation", {}).items() if isinstance(r, dict)}
        versions.append(ModelVersionOut(name=name, version=v, trained_at=md.get("trained_at"),
                                        training_window=md.get("training_window"),
                                        validation_window=md.get("validation_window"), oot_validation=oot,
                                        has_card=(meta.path / "model_card.html").is_file()))
    drift = []
    for run in session.scalars(select(ScoreRun).where(ScoreRun.kind == COMPLAINT_KIND, ScoreRun.model_name == name)
                               .order_by(ScoreRun.as_of)):
        d = run.score_summary.get("drift") or {}
        drift.append(DriftPoint(as_of=run.as_of, model_version=run.model_version,
                                score_mean=run.score_summary.get("score_mean"), score_psi=d.get("score_psi"),
                                level=d.get("level"), top_feature_psi=d.get("top_feature_psi", [])))
    return ModelMonitoring(model=name, versions=versions, drift=drift)


def model_card_path(models_dir: Path, name: str, version: str) -> Path:
    """The card of a registered version; names are checked against the registry, never joined blindly."""
    registry = ModelRegistry(models_dir)
    if version not in registry.versions(name):
        raise NotFoundError(f"模型版本不存在 / no model {name!r} version {version!r}")
    path = registry.get(name, version).path / "model_card.html"
    if not path.is_file():
        raise NotFoundError(f"该版本没有模型卡 / model {name} {version} has no model card")
    return path


# ---------------------------------------------------------------------------------------------- strategies
class StrategyVersionOut(BaseModel):
    version: str
    label: str
    description: str
    backtest: dict[str, Any] | None


class StrategyOverview(BaseModel):
    active_version: str
    active_label: str
    active_text: str
    history: list[StrategyVersionOut]


class DraftCheck(BaseModel):
    valid: bool
    version: str | None = None
    rules: int | None = None
    actions: list[str] = []
    error: str | None = None


def strategy_overview(repo: StrategyRepository) -> StrategyOverview:
    active = repo.active()
    history = []
    for v in reversed(repo.versions()):
        published = repo.get(v)
        history.append(StrategyVersionOut(version=v, label=published.rule_set.version,
                                          description=published.rule_set.description, backtest=published.backtest))
    return StrategyOverview(active_version=active.version, active_label=active.rule_set.version,
                            active_text=active.text, history=history)


def check_draft(text: str) -> DraftCheck:
    """Validate a pasted rule set without saving it; the error names the offending key."""
    try:
        rule_set = parse_rule_set(text, source="粘贴的草稿")
    except ValidationError as exc:
        return DraftCheck(valid=False, error=exc.message)
    return DraftCheck(valid=True, version=rule_set.version, rules=len(rule_set.rules),
                      actions=[a.name for a in rule_set.actions])


def strategy_diff(repo: StrategyRepository, old: str, new: str) -> str:
    known = {"default", *repo.versions()}
    for v in (old, new):
        if v not in known:
            raise NotFoundError(f"策略版本不存在 / no strategy version {v!r}; known: {', '.join(sorted(known))}")
    return repo.diff(old, new)


# ---------------------------------------------------------------------------------------------- audit
class AuditOut(BaseModel):
    id: int
    occurred_at: str
    actor: str
    action: str
    subject_type: str
    subject_id: str
    reason: str | None
    detail: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditOut]
    total: int
    page: int
    page_size: int


class ChainStatus(BaseModel):
    intact: bool
    entries: int
    first_broken_id: int | None


def audit_chain_status(session: Session) -> ChainStatus:
    """Re-hash the whole log; kept apart from :func:`audit_page` because it reads every entry."""
    check = verify_chain(session)
    return ChainStatus(intact=check.intact, entries=check.entries, first_broken_id=check.first_broken_id)


def audit_page(session: Session, page: int = 1, page_size: int = 50, actor: str | None = None,
               action: str | None = None) -> AuditPage:
    query = select(AuditEvent)
    count = select(func.count(AuditEvent.id))
    for column, value in ((AuditEvent.actor, actor), (AuditEvent.action, action)):
        if value:
            query, count = query.where(column == value), count.where(column == value)
    rows = session.scalars(query.order_by(AuditEvent.id.desc()).offset((page - 1) * page_size).limit(page_size))
    return AuditPage(items=[AuditOut(id=e.id, occurred_at=e.occurred_at.isoformat(timespec="seconds"),
                                     actor=e.actor, action=e.action, subject_type=e.subject_type,
                                     subject_id=e.subject_id, reason=mask_text(e.reason) if e.reason else None,
                                     detail=e.detail) for e in rows],
                     total=session.scalar(count) or 0, page=page, page_size=page_size)


def action_labels(repo: StrategyRepository) -> dict[str, str]:
    """Action name → Chinese label from the active strategy, for showing actions to staff."""
    return {a.name: a.label_zh for a in repo.active().rule_set.actions}



# ---------------------------------------------------------------------------------------------- tags
class TagOut(BaseModel):
    id: int
    tag_type: str
    tag_label: str
    subject_type: str
    subject_id: str
    source: str
    confidence: float
    state: str
    valid_until: str | None
    note: str | None
    created_by: str
    reviewed_by: str | None
    review_reason: str | None
    version: int


class TagEventOut(BaseModel):
    occurred_at: str
    actor: str
    action: str
    reason: str | None
    before_state: str | None
    after_state: str | None


class TagDetail(BaseModel):
    tag: TagOut
    history: list[TagEventOut]


class TagFilter(BaseModel):
    state: Literal["proposed", "confirmed", "rejected", "expired"] | None = "proposed"
    tag_type: str | None = Field(default=None, max_length=64)
    subject_type: Literal["number", "customer", "social_account", "device"] | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


class TagReview(BaseModel):
    decision: Literal["confirm", "reject"]
    reason: str = Field(min_length=2, max_length=500)
    expected_version: int | None = Field(default=None, ge=0, description="Refuse if the tag changed meanwhile")


def _tag_out(tag: Tag) -> TagOut:
    label = TAG_TYPES.get(tag.tag_type).label_zh if tag.tag_type in TAG_TYPES.names() else tag.tag_type
    return TagOut(id=tag.id, tag_type=tag.tag_type, tag_label=label, subject_type=tag.subject_type,
                  subject_id=tag.subject_id, source=tag.source, confidence=tag.confidence, state=tag.state,
                  valid_until=tag.valid_until.date().isoformat() if tag.valid_until else None, note=tag.note,
                  created_by=tag.created_by, reviewed_by=tag.reviewed_by, review_reason=tag.review_reason,
                  version=tag.version)


def tag_types() -> dict[str, str]:
    """Tag type name → Chinese label, for filters."""
    return {name: TAG_TYPES.get(name).label_zh for name in TAG_TYPES.names()}


class TagPage(BaseModel):
    items: list[TagOut]
    total: int
    page: int
    page_size: int
    pages: int


def list_tags(session: Session, filters: TagFilter, page: int = 1, page_size: int = 50) -> TagPage:
    """The review queue by default (proposed tags, oldest first); any state, type or subject kind on request."""
    query, count = select(Tag), select(func.count(Tag.id))
    for column, value in ((Tag.state, filters.state), (Tag.tag_type, filters.tag_type),
                          (Tag.subject_type, filters.subject_type)):
        if value is not None:
            query, count = query.where(column == value), count.where(column == value)
    total = session.scalar(count) or 0
    rows = session.scalars(query.order_by(Tag.id).offset((page - 1) * page_size).limit(page_size))
    return TagPage(items=[_tag_out(t) for t in rows], total=total, page=page, page_size=page_size,
                   pages=max(math.ceil(total / page_size), 1))


def tag_detail(session: Session, tag_id: int) -> TagDetail:
    service = TagService(session, "console")
    events = [TagEventOut(occurred_at=e.occurred_at.isoformat(timespec="seconds"), actor=e.actor, action=e.action,
                          reason=mask_text(e.reason) if e.reason else None,
                          before_state=(e.before or {}).get("state"), after_state=(e.after or {}).get("state"))
              for e in service.history(tag_id)]
    return TagDetail(tag=_tag_out(service.get(tag_id)), history=events)


def review_tag(session: Session, tag_id: int, review: TagReview, *, actor: str) -> TagOut:
    """Confirm or reject with a reason; the tag service enforces four eyes and records history and audit."""
    tag = TagService(session, actor).review(tag_id, review.decision, review.reason,
                                           expected_version=review.expected_version)
    return _tag_out(tag)


# ---------------------------------------------------------------------------------------------- lexicons
class LexiconCategoryOut(BaseModel):
    name: str
    label: str
    signal: str
    weight: float
    evasion_variants: bool
    terms: int


class LexiconOut(BaseModel):
    name: str
    version: str
    identity: str
    terms: int
    categories: list[LexiconCategoryOut]


class LexiconVersionOut(BaseModel):
    name: str
    version: str
    identity: str
    saved_by: str
    saved_at: datetime
    note: str
    previous: str | None = Field(description="Identity of the version it replaced")


class LexiconView(BaseModel):
    lexicons: list[LexiconOut]
    selected: str
    text: str
    identity: str = Field(default="", description="Identity of the text shown: send it back when saving")
    history: list[LexiconVersionOut] = Field(default_factory=list, description="Versions saved from the console")


class LexiconCheck(BaseModel):
    valid: bool
    lexicon: LexiconOut | None = None
    error: str | None = None
    compared_with: str | None = Field(default=None, description="The current lexicon of the same name, if any")
    diff: str = ""


class LexiconSave(BaseModel):
    text: str = Field(max_length=200_000, description="The whole lexicon in TOML, with a higher version")
    note: str = Field(min_length=MIN_REASON_LENGTH, max_length=500, description="What changed and why (audited)")
    based_on: str = Field(min_length=1, max_length=200, description="Identity of the version the edit started from")


def _lexicon_out(lexicon: Lexicon) -> LexiconOut:
    categories = [LexiconCategoryOut(name=name, label=spec.label, signal=spec.signal, weight=spec.weight,
                                     evasion_variants=spec.evasion_variants, terms=len(spec.terms))
                  for name, spec in lexicon.categories.items()]
    return LexiconOut(name=lexicon.name, version=lexicon.version, identity=lexicon.identity,
                      terms=len(lexicon.terms), categories=categories)


# Lexicon versions saved from the console: ``<home>/lexicons/<name>/<version>.toml`` (never overwritten) with a
# ``<version>.json`` note of who saved it, when and what it replaced. The newest saved version of a name is its
# current text; without one, the registered file (``grayshield.text.lexicon.LEXICONS``) is.
def current_lexicon(lexicons_dir: Path | None, name: str) -> tuple[str, Lexicon] | None:
    """The current text of ``name`` and its parsed lexicon: newest saved version, else the registered file."""
    saved = saved_versions(lexicons_dir, name)
    if saved:
        raw = saved[-1].read_bytes()
        return raw.decode("utf-8"), parse_lexicon(raw, str(saved[-1]))
    if name in LEXICONS.names():
        return LEXICONS.get(name).read_text(encoding="utf-8"), load_lexicon(name)
    return None


def _lexicon_names(lexicons_dir: Path | None) -> list[str]:
    saved = sorted(p.name for p in lexicons_dir.iterdir() if p.is_dir() and saved_versions(lexicons_dir, p.name)) \
        if lexicons_dir is not None and lexicons_dir.is_dir() else []
    return [*LEXICONS.names(), *(n for n in saved if n not in LEXICONS.names())]


def lexicon_history(lexicons_dir: Path | None, name: str) -> list[LexiconVersionOut]:
    """Console-saved versions of ``name``, newest first."""
    out = []
    for path in reversed(saved_versions(lexicons_dir, name)):
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        out.append(LexiconVersionOut.model_validate(meta))
    return out


def lexicon_view(selected: str | None = None, lexicons_dir: Path | None = None) -> LexiconView:
    """Every lexicon (registered or saved here), and the current text and history of one (the first unless named)."""
    names = _lexicon_names(lexicons_dir)
    chosen = selected or names[0]
    current = current_lexicon(lexicons_dir, chosen) if chosen in names else None
    if current is None:
        raise NotFoundError(f"词库不存在 / no lexicon {chosen!r}; registered: {', '.join(names)}")
    lexicons = [_lexicon_out(found[1]) for n in names if (found := current_lexicon(lexicons_dir, n))]
    return LexiconView(lexicons=lexicons, selected=chosen, text=current[0], identity=current[1].identity,
                       history=lexicon_history(lexicons_dir, chosen))


def check_lexicon(text: str, lexicons_dir: Path | None = None) -> LexiconCheck:
    """Validate a pasted lexicon without saving it, and diff it against the current one of the same name."""
    try:
        lexicon = parse_lexicon(text.encode("utf-8"), "粘贴的词库草稿")
    except ValidationError as exc:
        return LexiconCheck(valid=False, error=exc.message)
    check = LexiconCheck(valid=True, lexicon=_lexicon_out(lexicon))
    current = current_lexicon(lexicons_dir, lexicon.name)
    if current is not None:
        check.compared_with = current[1].identity
        check.diff = "".join(difflib.unified_diff(current[0].splitlines(keepends=True), text.splitlines(keepends=True),
                                                  fromfile=check.compared_with, tofile="草稿"))
    return check


def save_lexicon(session: Session, lexicons_dir: Path, save: LexiconSave, *, actor: str) -> LexiconVersionOut:
    """Save a validated lexicon as a new version: the version must go up, the edit must start from the current
    version (no silent overwrite of a colleague's save), the file is never replaced, and the audit entry is
    written in the caller's transaction."""
    try:
        lexicon = parse_lexicon(save.text.encode("utf-8"), "词库草稿")
    except ValidationError as exc:
        raise ValidationError(f"词库校验未通过：{exc.message}") from None
    if not LEXICON_NAME.match(lexicon.name):
        raise ValidationError(f"词库名称 {lexicon.name!r} 只能用小写字母、数字和下划线，且以字母开头")
    current = current_lexicon(lexicons_dir, lexicon.name)
    previous = current[1] if current is not None else None
    if previous is not None and save.based_on != previous.identity:
        raise ConflictError(f"词库 {lexicon.name} 已被他人更新为 {previous.identity}，请在最新版本上重新修改")
    if previous is not None and version_key(lexicon.version) <= version_key(previous.version):
        raise ValidationError(f"版本号须高于当前版本 {previous.version}（草稿为 {lexicon.version}）")
    when = datetime.now(UTC)
    folder = lexicons_dir / lexicon.name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{lexicon.version}.toml"
    meta = LexiconVersionOut(name=lexicon.name, version=lexicon.version, identity=lexicon.identity, saved_by=actor,
                             saved_at=when, note=save.note.strip(),
                             previous=previous.identity if previous is not None else None)
    record(session, actor=actor, action="lexicon.saved", subject_type="lexicon", subject_id=lexicon.name,
           detail={"identity": lexicon.identity, "previous": meta.previous, "terms": len(lexicon.terms)},
           reason=meta.note, occurred_at=when)
    session.flush()  # the audit entry is valid before the file exists; a failed write rolls it back
    try:
        with path.open("xb") as fh:  # exclusive: a version, once saved, is never replaced
            fh.write(save.text.encode("utf-8"))
    except FileExistsError:
        raise ValidationError(f"版本 {lexicon.name}@{lexicon.version} 已存在") from None
    path.with_suffix(".json").write_text(meta.model_dump_json(), encoding="utf-8")
    return meta
