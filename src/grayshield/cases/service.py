"""Cases over the operational store: open, move through the workflow, assign, note, set deadlines, attach evidence.

Like tags, a case row holds the current state for the board; every change appends a ``case_events`` row
(before and after) and an audit-log entry in the same transaction. Evidence items are written once and never
changed (the database refuses UPDATE and DELETE); each carries the SHA-256 of its canonical JSON content.
The caller's session commits; nothing here opens or commits transactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from grayshield.cases.hashing import sha256_json
from grayshield.cases.package import CaseRecord
from grayshield.cases.workflow import EVIDENCE_KINDS, OUTCOMES, STATES, SUBJECT_TYPES, TRANSITIONS
from grayshield.core.errors import ConflictError, ValidationError
from grayshield.store.actor import ActorSession
from grayshield.store.audit import record
from grayshield.store.clock import aware, utcnow
from grayshield.store.models import Case, CaseEvent, EvidenceItem

MAX_TEXT = 2000


def snapshot(case: Case) -> dict[str, Any]:
    deadline = aware(case.deadline)
    return {"title": case.title, "subject_type": case.subject_type, "subject_id": case.subject_id,
            "state": case.state, "assignee": case.assignee, "outcome": case.outcome,
            "deadline": deadline.isoformat() if deadline else None}


@dataclass(frozen=True)
class NewEvidence:
    """What an analyst attaches: its kind, where in the platform it comes from, a title and its content."""

    kind: str
    source: str
    title: str
    content: dict[str, Any]


class CaseService(ActorSession):
    """Case operations for one actor inside one session."""

    stale_message = "案件已被他人同时修改，请刷新后重试"

    # ----------------------------------------------------------------------------------- reads
    def get(self, case_id: int) -> Case:
        return self.fetch(Case, case_id, f"案件 {case_id} 不存在")

    def search(self, *, state: str | None = None, assignee: str | None = None, subject: tuple[str, str] | None = None,
               active: bool = False, limit: int = 1000) -> list[Case]:
        """The board, newest first; ``subject`` (type, id) narrows to cases on one subject, ``active`` to unclosed."""
        query = select(Case)
        if state is not None:
            _check(state, STATES, "案件状态")
            query = query.where(Case.state == state)
        if assignee is not None:
            query = query.where(Case.assignee == assignee)
        if subject is not None:
            query = query.where(Case.subject_type == subject[0], Case.subject_id == subject[1])
        if active:
            query = query.where(Case.state != "closed")
        return list(self.session.scalars(query.order_by(Case.id.desc()).limit(limit)))

    def history(self, case_id: int) -> list[CaseEvent]:
        self.get(case_id)
        return list(self.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)
                                         .order_by(CaseEvent.id)))

    def evidence(self, case_id: int) -> list[EvidenceItem]:
        self.get(case_id)
        return list(self.session.scalars(select(EvidenceItem).where(EvidenceItem.case_id == case_id)
                                         .order_by(EvidenceItem.id)))

    def record(self, case_id: int) -> CaseRecord:
        """The case, its history and evidence as plain data, for packages and APIs."""
        case = self.get(case_id)
        deadline = aware(case.deadline)
        body = {"id": case.id, **snapshot(case), "deadline": deadline.isoformat() if deadline else None,
                "detail": case.detail, "created_by": case.created_by,
                "created_at": _iso(case.created_at), "updated_at": _iso(case.updated_at), "version": case.version}
        events = [{"id": e.id, "occurred_at": _iso(e.occurred_at), "actor": e.actor, "action": e.action,
                   "reason": e.reason, "before": e.before, "after": e.after} for e in self.history(case_id)]
        evidence = [{"id": e.id, "kind": e.kind, "source": e.source, "title": e.title, "content": e.content,
                     "sha256": e.sha256, "added_by": e.added_by, "added_at": _iso(e.added_at)}
                    for e in self.evidence(case_id)]
        return CaseRecord(body, events, evidence)

    # ----------------------------------------------------------------------------------- changes
    def open(self, subject_type: str, subject_id: str, title: str, *, detail: dict[str, Any] | None = None,
             assignee: str | None = None, deadline: datetime | None = None, reason: str | None = None,
             now: datetime | None = None) -> Case:
        """A new case in state ``open`` on a gang, number, account or complaint."""
        when = now or utcnow()
        _check(subject_type, SUBJECT_TYPES, "案件对象类型")
        subject = _text(subject_id, "案件对象编号", 128)
        case = Case(title=_text(title, "案件标题", 200), subject_type=subject_type, subject_id=subject,
                    state="open", assignee=_optional(assignee, "承办人", 64), deadline=_future(deadline, when),
                    detail=detail or {}, created_by=self.actor, created_at=when, updated_at=when)
        self.session.add(case)
        self._flush()
        self._event(case, "opened", None, reason, when)
        return case

    def transition(self, case_id: int, to_state: str, reason: str, *, outcome: str | None = None,
                   expected_version: int | None = None, now: datetime | None = None) -> Case:
        """Move along the workflow with a reason; closing needs an outcome (it becomes a training label)."""
        when = now or utcnow()
        case = self._current(case_id, expected_version)
        _check(to_state, STATES, "案件状态")
        if to_state not in TRANSITIONS[case.state]:
            allowed = "、".join(STATES[s] for s in TRANSITIONS[case.state])
            raise ValidationError(f"案件当前为“{STATES[case.state]}”，只能转为：{allowed}")
        if to_state == "closed":
            if outcome is None:
                raise ValidationError(f"结案须给出结论；可用: {', '.join(OUTCOMES)}")
            _check(outcome, OUTCOMES, "结案结论")
        elif outcome is not None:
            raise ValidationError("只有结案时才能给出结论")
        before = snapshot(case)
        case.state, case.updated_at = to_state, when
        case.outcome = outcome if to_state == "closed" else None
        self._flush()
        self._event(case, "closed" if to_state == "closed" else "state_changed", before,
                    _text(reason, "原因", MAX_TEXT), when)
        return case

    def assign(self, case_id: int, assignee: str, reason: str | None = None, *, now: datetime | None = None) -> Case:
        when = now or utcnow()
        case = self.get(case_id)
        before = snapshot(case)
        case.assignee, case.updated_at = _text(assignee, "承办人", 64), when
        self._flush()
        self._event(case, "assigned", before, reason, when)
        return case

    def set_deadline(self, case_id: int, deadline: datetime, reason: str | None = None, *,
                     now: datetime | None = None) -> Case:
        when = now or utcnow()
        case = self.get(case_id)
        before = snapshot(case)
        case.deadline, case.updated_at = _future(deadline, when), when
        self._flush()
        self._event(case, "deadline_set", before, reason, when)
        return case

    def note(self, case_id: int, text: str, *, now: datetime | None = None) -> CaseEvent:
        """A note is history, never state: it is one more event, and it is never edited."""
        when = now or utcnow()
        case = self.get(case_id)
        return self._event(case, "note", None, _text(text, "调查记录", MAX_TEXT), when)

    def attach(self, case_id: int, item: NewEvidence, *, reason: str | None = None,
               expected_version: int | None = None, now: datetime | None = None) -> EvidenceItem:
        """Attach an immutable evidence item; the same content attached twice is refused (same hash).

        ``expected_version`` is the case version the analyst saw when choosing the case (a form on another page):
        a case moved or closed since then is a conflict, not a silent addition.
        """
        when = now or utcnow()
        case = self._current(case_id, expected_version)
        _check(item.kind, EVIDENCE_KINDS, "证据类型")
        digest = sha256_json(item.content)
        duplicate = self.session.scalars(select(EvidenceItem).where(
            EvidenceItem.case_id == case_id, EvidenceItem.sha256 == digest)).first()
        if duplicate is not None:
            raise ValidationError(f"相同内容的证据已附在本案（证据 {duplicate.id}）")
        evidence = EvidenceItem(case_id=case.id, kind=item.kind, source=_text(item.source, "证据来源", 160),
                                title=_text(item.title, "证据标题", 200), content=item.content, sha256=digest,
                                added_by=self.actor, added_at=when)
        self.session.add(evidence)
        self.session.flush()
        case.updated_at = when
        self._flush()
        self._event(case, "evidence_added", None, _optional(reason, "原因", MAX_TEXT) or item.title, when,
                    extra={"evidence_id": evidence.id, "sha256": digest, "kind": item.kind})
        return evidence

    def log_export(self, case_id: int, recipient: str, reveal_pii: bool, manifest_sha256: str,
                   reason: str, *, now: datetime | None = None) -> CaseEvent:
        """Record who exported the package for whom, and whether PII was shown: auditors ask exactly that."""
        when = now or utcnow()
        case = self.get(case_id)
        return self._event(case, "exported", None, _text(reason, "导出原因", MAX_TEXT), when,
                           extra={"recipient": recipient, "reveal_pii": reveal_pii,
                                  "manifest_sha256": manifest_sha256})

    # ----------------------------------------------------------------------------------- internals
    def _current(self, case_id: int, expected_version: int | None) -> Case:
        case = self.get(case_id)
        if expected_version is not None and case.version != expected_version:
            raise ConflictError("案件已被他人修改，请刷新后重试")
        return case

    def _event(self, case: Case, action: str, before: dict[str, Any] | None, reason: str | None,
               when: datetime, extra: dict[str, Any] | None = None) -> CaseEvent:
        after = {**snapshot(case), **(extra or {})}
        event = CaseEvent(case_id=case.id, occurred_at=when, actor=self.actor, action=action, reason=reason,
                          before=before, after=after)
        self.session.add(event)
        record(self.session, actor=self.actor, action=f"case.{action}", subject_type="case",
               subject_id=str(case.id), reason=reason,
               detail={"state": case.state, "subject": f"{case.subject_type}:{case.subject_id}", **(extra or {})},
               occurred_at=when)
        self.session.flush()
        return event



def _iso(value: datetime | None) -> str | None:
    value = aware(value)
    return value.isoformat() if value else None


def _check(value: str, allowed: dict[str, str], what: str) -> None:
    if value not in allowed:
        raise ValidationError(f"未知{what} {value!r}；可用: {', '.join(allowed)}")


def _text(value: str | None, what: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(f"{what}不能为空")
    if len(text) > limit:
        raise ValidationError(f"{what}过长（最多 {limit} 个字符）")
    return text


def _optional(value: str | None, what: str, limit: int) -> str | None:
    return None if value is None or not value.strip() else _text(value, what, limit)


def _future(deadline: datetime | None, now: datetime) -> datetime | None:
    deadline = aware(deadline)
    if deadline is not None and deadline <= now:
        raise ValidationError("截止时间必须晚于当前时间")
    return deadline
