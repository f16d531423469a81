"""Tags over the operational store: propose, review, expire, with full history and an audit entry per change.

A tag's row holds its current state for fast screening; every change appends a ``tag_events`` row (before and
after) and an audit-log entry in the same transaction, so history and audit can never disagree with the state.
The caller's session commits; nothing here opens or commits transactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grayshield.core.errors import ConflictError, ValidationError
from grayshield.lake.phone import normalise_phone
from grayshield.store.actor import ActorSession
from grayshield.store.audit import record
from grayshield.store.clock import aware, utcnow
from grayshield.store.models import Tag, TagEvent
from grayshield.tags.taxonomy import OPEN_STATES, SOURCES, STATES, check_subject, tag_type

MAX_SUBJECT_ID = 128


def normalise_subject(subject_type: str, subject_id: str) -> str:
    """Numbers in canonical form (so '138 1234 5678' and '+8613812345678' are one subject); other ids trimmed."""
    text = (subject_id or "").strip()
    if not text:
        raise ValidationError("标签对象编号不能为空")
    if len(text) > MAX_SUBJECT_ID:
        raise ValidationError(f"标签对象编号过长（最多 {MAX_SUBJECT_ID} 个字符）")
    if subject_type == "number":
        number = normalise_phone(text)
        if number is None:
            raise ValidationError("电话号码格式不正确")  # the value itself is PII: never echoed
        return number
    return text


def snapshot(tag: Tag) -> dict[str, Any]:
    """The tag's state as stored in history (JSON-safe)."""
    def iso(value: datetime | None) -> str | None:
        value = aware(value)
        return value.isoformat() if value else None

    return {"tag_type": tag.tag_type, "subject_type": tag.subject_type, "subject_id": tag.subject_id,
            "source": tag.source, "source_ref": tag.source_ref, "confidence": tag.confidence, "state": tag.state,
            "valid_from": iso(tag.valid_from), "valid_until": iso(tag.valid_until), "note": tag.note,
            "reviewed_by": tag.reviewed_by, "review_reason": tag.review_reason}


@dataclass(frozen=True)
class TagProposal:
    """What a model, rule, analyst or imported list says about a subject."""

    tag_type: str
    subject_type: str
    subject_id: str
    source: str
    confidence: float = 1.0
    valid_until: datetime | None = None
    source_ref: str | None = None
    note: str | None = None
    detail: dict[str, Any] | None = None


class TagService(ActorSession):
    """Tag operations for one actor inside one session."""

    stale_message = "标签已被他人同时修改，请刷新后重试"

    # ----------------------------------------------------------------------------------- reads
    def get(self, tag_id: int) -> Tag:
        return self.fetch(Tag, tag_id, f"标签 {tag_id} 不存在")

    def history(self, tag_id: int) -> list[TagEvent]:
        self.get(tag_id)
        return list(self.session.scalars(select(TagEvent).where(TagEvent.tag_id == tag_id).order_by(TagEvent.id)))

    def list(self, *, state: str | None = None, tag_type: str | None = None, subject_type: str | None = None,
             subject_id: str | None = None, limit: int = 1000) -> list[Tag]:
        query = select(Tag)
        if state is not None:
            if state not in STATES:
                raise ValidationError(f"未知状态 {state!r}；可用: {', '.join(STATES)}")
            query = query.where(Tag.state == state)
        if tag_type is not None:
            query = query.where(Tag.tag_type == tag_type)
        if subject_type is not None:
            query = query.where(Tag.subject_type == subject_type)
            if subject_id is not None:
                query = query.where(Tag.subject_id == normalise_subject(subject_type, subject_id))
        return list(self.session.scalars(query.order_by(Tag.id).limit(limit)))

    def open_tag(self, tag_type: str, subject_type: str, subject_id: str) -> Tag | None:
        """The live (proposed or confirmed) tag of this type on this subject, if any: there is one at most."""
        return self.session.scalars(select(Tag).where(
            Tag.tag_type == tag_type, Tag.subject_type == subject_type, Tag.subject_id == subject_id,
            Tag.state.in_(OPEN_STATES))).first()

    # ----------------------------------------------------------------------------------- changes
    def _event(self, tag: Tag, action: str, before: dict[str, Any] | None, reason: str | None,
               when: datetime) -> None:
        after = snapshot(tag)
        self.session.add(TagEvent(tag_id=tag.id, occurred_at=when, actor=self.actor, action=action,
                                  reason=reason, before=before, after=after))
        record(self.session, actor=self.actor, action=f"tag.{action}", subject_type=tag.subject_type,
               subject_id=tag.subject_id, reason=reason,
               detail={"tag_id": tag.id, "tag_type": tag.tag_type, "state": tag.state}, occurred_at=when)

    def propose(self, proposal: TagProposal, *, confirmed: bool = False, now: datetime | None = None) -> Tag:
        """Create a tag (``proposed``, or ``confirmed`` for analysts and trusted lists), or strengthen the live one.

        A live tag of the same type on the same subject is never duplicated: a more confident proposal raises
        its confidence and extends its validity (recorded as ``updated``); a weaker one leaves it unchanged.
        """
        when = now or utcnow()
        kind = tag_type(proposal.tag_type)
        check_subject(kind, proposal.subject_type)
        if proposal.source not in SOURCES:
            raise ValidationError(f"未知标签来源 {proposal.source!r}；可用: {', '.join(SOURCES)}")
        if not 0.0 <= proposal.confidence <= 1.0:
            raise ValidationError("置信度必须在 0 到 1 之间")
        if confirmed and proposal.source not in ("analyst", "imported"):
            raise ValidationError("只有分析员或外部名单可以直接确认标签，模型和规则的标签须经审核")
        subject_id = normalise_subject(proposal.subject_type, proposal.subject_id)
        valid_until = aware(proposal.valid_until)
        if valid_until is None and kind.validity_days is not None:
            valid_until = when + timedelta(days=kind.validity_days)
        if valid_until is not None and valid_until <= when:
            raise ValidationError("有效期截止时间必须晚于当前时间")
        existing = self.open_tag(kind.name, proposal.subject_type, subject_id)
        if existing is not None:
            return self._strengthen(existing, proposal, valid_until, confirmed, when)
        tag = Tag(tag_type=kind.name, subject_type=proposal.subject_type, subject_id=subject_id,
                  source=proposal.source, source_ref=proposal.source_ref, confidence=float(proposal.confidence),
                  state="confirmed" if confirmed else "proposed", valid_from=when, valid_until=valid_until,
                  note=proposal.note, detail=proposal.detail or {}, created_by=self.actor, created_at=when,
                  updated_at=when, reviewed_by=self.actor if confirmed else None,
                  reviewed_at=when if confirmed else None)
        self.session.add(tag)
        self._flush()
        self._event(tag, "confirmed" if confirmed else "proposed", None, proposal.note, when)
        return tag

    def _strengthen(self, tag: Tag, proposal: TagProposal, valid_until: datetime | None, confirmed: bool,
                    when: datetime) -> Tag:
        stronger = proposal.confidence > tag.confidence
        longer = valid_until is not None and (tag.valid_until is None or valid_until > aware(tag.valid_until))  # type: ignore[operator]
        promote = confirmed and tag.state == "proposed"
        if not (stronger or longer or promote):
            return tag
        before = snapshot(tag)
        if stronger:
            tag.confidence, tag.source, tag.source_ref = float(proposal.confidence), proposal.source, proposal.source_ref
        if longer:
            tag.valid_until = valid_until
        if promote:
            tag.state, tag.reviewed_by, tag.reviewed_at = "confirmed", self.actor, when
        tag.updated_at = when
        self._flush()
        self._event(tag, "updated", before, proposal.note or f"来源 {proposal.source} 再次提交", when)
        return tag

    def review(self, tag_id: int, decision: str, reason: str, *, expected_version: int | None = None,
               now: datetime | None = None) -> Tag:
        """Confirm or reject a proposed tag (or retract a confirmed one) with a reason; never your own proposal."""
        when = now or utcnow()
        tag = self.get(tag_id)
        if expected_version is not None and tag.version != expected_version:
            raise ConflictError("标签已被他人修改，请刷新后重试")
        if decision not in ("confirm", "reject"):
            raise ValidationError("审核结论只能是 confirm（确认）或 reject（驳回）")
        if not reason or not reason.strip():
            raise ValidationError("审核必须填写理由")
        allowed = {"confirm": ("proposed",), "reject": ("proposed", "confirmed")}[decision]
        if tag.state not in allowed:
            raise ValidationError(f"状态为 {tag.state} 的标签不能 {decision}")
        if tag.created_by == self.actor and tag.source == "analyst":
            raise ValidationError("不能审核自己提出的标签（四眼原则）")
        before = snapshot(tag)
        tag.state = "confirmed" if decision == "confirm" else "rejected"
        tag.reviewed_by, tag.reviewed_at, tag.review_reason, tag.updated_at = self.actor, when, reason.strip(), when
        self._flush()
        self._event(tag, tag.state, before, reason.strip(), when)
        return tag

    def expire(self, now: datetime | None = None) -> int:
        """Move every live tag past its validity to ``expired``; returns how many."""
        when = now or utcnow()
        due = list(self.session.scalars(select(Tag).where(
            Tag.state.in_(OPEN_STATES), Tag.valid_until.is_not(None), Tag.valid_until <= when)))
        for tag in due:
            before = snapshot(tag)
            tag.state, tag.updated_at = "expired", when
            self._flush()
            self._event(tag, "expired", before, "有效期已过", when)
        return len(due)


def change_marker(session: Session) -> int:
    """The newest tag event id: it moves on every change, so a cache compares it to know when to reload."""
    return int(session.scalar(select(func.coalesce(func.max(TagEvent.id), 0))) or 0)
