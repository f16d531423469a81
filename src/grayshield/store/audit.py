"""The append-only audit log: who did what to which subject, when and why.

Entries are hash-chained (each stores the SHA-256 of its content and its predecessor's hash, and a
predecessor can have one successor only), so a deleted or edited row is detectable even by someone
who bypasses the database triggers that refuse UPDATE and DELETE.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grayshield.store.models import AuditEvent

GENESIS = "0" * 64


def _entry_hash(prev_hash: str, occurred_at: datetime, actor: str, action: str, subject_type: str,
                subject_id: str, reason: str | None, detail: dict[str, Any]) -> str:
    payload = json.dumps(
        [prev_hash, occurred_at.astimezone(UTC).isoformat(timespec="microseconds"), actor, action, subject_type,
         subject_id, reason, detail],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(session: Session, *, actor: str, action: str, subject_type: str, subject_id: str,
           reason: str | None = None, detail: dict[str, Any] | None = None,
           occurred_at: datetime | None = None) -> AuditEvent:
    """Append one entry; the caller's transaction commits it together with the change it describes."""
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()
    prev_hash = last.entry_hash if last else GENESIS
    when = (occurred_at or datetime.now(UTC)).astimezone(UTC)
    body = detail or {}
    event = AuditEvent(
        occurred_at=when, actor=actor, action=action, subject_type=subject_type, subject_id=subject_id,
        reason=reason, detail=body, prev_hash=prev_hash,
        entry_hash=_entry_hash(prev_hash, when, actor, action, subject_type, subject_id, reason, body),
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    first_broken_id: int | None

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


def verify_chain(session: Session) -> ChainCheck:
    """Recompute every hash in order; report the first entry whose content or link does not match."""
    prev = GENESIS
    count = 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        count += 1
        occurred = event.occurred_at if event.occurred_at.tzinfo else event.occurred_at.replace(tzinfo=UTC)
        expected = _entry_hash(prev, occurred, event.actor, event.action, event.subject_type,
                               event.subject_id, event.reason, event.detail)
        if event.prev_hash != prev or event.entry_hash != expected:
            return ChainCheck(count, event.id)
        prev = event.entry_hash
    return ChainCheck(count, None)
