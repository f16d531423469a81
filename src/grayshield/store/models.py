"""Table models of the operational store. Schema changes go through an Alembic migration, never create_all."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}



class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict: JSON}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(256))
    roles: Mapped[str] = mapped_column(String(256), doc="Comma-separated role names from core.roles.ROLES")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(r for r in self.roles.split(",") if r)


class AuditEvent(Base):
    """Append-only: database triggers refuse UPDATE and DELETE; each entry chains the previous one's hash."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)  # type: ignore[type-arg]
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)  # one successor per entry: a linear chain
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class Alert(Base):
    """A warning about a subject on a scoring date, with the reasons and the versions that produced it.

    One row per (kind, subject, as_of): re-scoring a date replaces its rows, so daily runs are re-runnable.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("kind", "subject_type", "subject_id", "as_of", name="uq_alerts_subject_day"),
        Index("ix_alerts_kind_as_of", "kind", "as_of"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(128))
    as_of: Mapped[date] = mapped_column(Date)
    score: Mapped[float] = mapped_column(Float)
    band: Mapped[str] = mapped_column(String(8))
    proxy_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    proxy_level: Mapped[str | None] = mapped_column(String(16), nullable=True)
    reasons: Mapped[list] = mapped_column(JSON, default=list)  # type: ignore[type-arg]
    segment: Mapped[str | None] = mapped_column(String(32), nullable=True)
    action: Mapped[str | None] = mapped_column(String(64), nullable=True)
    rule: Mapped[str | None] = mapped_column(String(64), nullable=True)
    strategy_version: Mapped[str | None] = mapped_column(String(32), nullable=True)
    model_name: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ScoreRun(Base):
    """One batch scoring run: what was scored with which versions, for monitoring and re-runs."""

    __tablename__ = "score_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    as_of: Mapped[date] = mapped_column(Date)
    model_name: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(32))
    strategy_version: Mapped[str | None] = mapped_column(String(32), nullable=True)
    rows_scored: Mapped[int] = mapped_column(Integer)
    alerts: Mapped[int] = mapped_column(Integer)
    score_summary: Mapped[dict] = mapped_column(JSON, default=dict)  # type: ignore[type-arg]
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Tag(Base):
    """A label on a subject (number, customer, social account, device) with where it came from and its review.

    Its current state lives here for fast screening; how it got there lives in ``tag_events`` (append-only).
    ``version`` increases with every change, so two reviewers acting at once cannot overwrite each other.
    """

    __tablename__ = "tags"
    __table_args__ = (
        Index("ix_tags_subject", "subject_type", "subject_id"),
        Index("ix_tags_state", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tag_type: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str | None] = mapped_column(String(128), nullable=True)
    confidence: Mapped[float] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)  # type: ignore[type-arg]
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    review_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class _ChangeHistory:
    """Columns of an append-only history row: who did what, when, why, and the state before and after."""

    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # type: ignore[type-arg]
    after: Mapped[dict] = mapped_column(JSON)  # type: ignore[type-arg]


class TagEvent(_ChangeHistory, Base):
    """Append-only history of a tag: every change with actor, time, reason, and the state before and after."""

    __tablename__ = "tag_events"
    __table_args__ = (Index("ix_tag_events_tag_id", "tag_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tag_id: Mapped[int] = mapped_column(Integer, ForeignKey("tags.id"))


class ComplianceFinding(Base):
    """A compliance finding awaiting or past QA review: a breach utterance, a missing mandatory item, a
    complaint case off the normal process, or a staff alert.

    ``made_by`` records the rulebook and model versions behind it; review changes state only through the
    compliance service, which writes each decision to the audit log. Reviewed findings are training labels.
    """

    __tablename__ = "compliance_findings"
    __table_args__ = (
        UniqueConstraint("source", "subject_id", "ref", "finding_type", name="uq_compliance_findings_key"),
        Index("ix_compliance_findings_state", "state", "source"),
        Index("ix_compliance_findings_staff", "staff_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(16))  # qa | case | staff
    finding_type: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(16))  # call | complaint | staff
    subject_id: Mapped[str] = mapped_column(String(128))
    ref: Mapped[str] = mapped_column(String(64), default="")  # utterance seq, or day of a staff alert
    staff_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    team: Mapped[str | None] = mapped_column(String(64), nullable=True)
    month: Mapped[str | None] = mapped_column(String(7), nullable=True)
    rule_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    title_zh: Mapped[str] = mapped_column(String(128))
    severity: Mapped[int] = mapped_column(Integer, default=0)
    probability: Mapped[float] = mapped_column(Float, default=1.0)
    reasons: Mapped[list] = mapped_column(JSON, default=list)  # type: ignore[type-arg]
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)  # type: ignore[type-arg]
    made_by: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | confirmed | dismissed
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    review_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Case(Base):
    """A strike-team case opened on a gang, number, account or complaint; its current state for the board.

    How it got there lives in ``case_events`` (append-only); ``version`` stops two analysts overwriting each other.
    """

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_state", "state"),
        Index("ix_cases_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(32))
    assignee: Mapped[str | None] = mapped_column(String(64), nullable=True)
    deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)  # type: ignore[type-arg]
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class CaseEvent(_ChangeHistory, Base):
    """Append-only history of a case: every change (state, assignee, note, deadline, evidence, export)."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case_id", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer, ForeignKey("cases.id"))


class EvidenceItem(Base):
    """One piece of evidence attached to a case: immutable, its canonical JSON content hashed (SHA-256)."""

    __tablename__ = "evidence_items"
    __table_args__ = (Index("ix_evidence_items_case_id", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer, ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(160))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[dict] = mapped_column(JSON)  # type: ignore[type-arg]
    sha256: Mapped[str] = mapped_column(String(64))
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SocialWatch(Base):
    """An account on the monitoring team's watch list; its last known reach, for reach-jump alerts.

    How it got there and every alert lives in ``social_watch_events`` (append-only).
    """

    __tablename__ = "social_watch"
    __table_args__ = (UniqueConstraint("platform", "account_id", name="uq_social_watch_account"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[str] = mapped_column(String(128))
    nickname: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(16))  # watching | closed
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    priority: Mapped[float] = mapped_column(Float, default=0.0)
    followers: Mapped[int] = mapped_column(Integer, default=0)
    contacts: Mapped[list] = mapped_column(JSON, default=list)  # type: ignore[type-arg]
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SocialWatchEvent(Base):
    """Append-only history of a watched account: added, looked at, reach jumps, reappearances, closed."""

    __tablename__ = "social_watch_events"
    __table_args__ = (Index("ix_social_watch_events_watch_id", "watch_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    watch_id: Mapped[int] = mapped_column(Integer, ForeignKey("social_watch.id"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)  # type: ignore[type-arg]


class SocialReport(Base):
    """One reported item (a post) and where its report stands: filed, re-filed, answered by the platform."""

    __tablename__ = "social_reports"
    __table_args__ = (
        UniqueConstraint("item_id", name="uq_social_reports_item_id"),
        Index("ix_social_reports_platform_reason", "platform", "reason"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(String(200))
    batch_id: Mapped[str] = mapped_column(String(120))
    platform: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[str] = mapped_column(String(128))
    post_id: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(String(32))
    region: Mapped[str | None] = mapped_column(String(64), nullable=True)
    business_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)  # type: ignore[type-arg]
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    first_filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    filed_by: Mapped[str] = mapped_column(String(64))


class ScreeningCount(Base):
    """Calls screened per hour (UTC) and risk level: an aggregate the screening API flushes every few seconds,
    so the overview can count calls without a write per call (and without keeping callers' numbers)."""

    __tablename__ = "screening_counts"

    hour: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    risk_level: Mapped[str] = mapped_column(String(16), primary_key=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)
