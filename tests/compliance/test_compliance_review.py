"""The QA review queue on SQLite and PostgreSQL: idempotent saving, audited decisions, labels for training."""

from __future__ import annotations

import pytest

from grayshield.core.errors import ConflictError, NotFoundError, ValidationError
from grayshield.services.compliance import ComplianceReview
from grayshield.store import Database
from grayshield.store.audit import verify_chain
from grayshield.store.models import AuditEvent


def _row(subject: str, ref: str = "3", finding_type: str = "threat") -> dict[str, object]:
    return {"source": "qa", "finding_type": finding_type, "subject_type": "call", "subject_id": subject, "ref": ref,
            "staff_id": "S1", "team": "T1", "month": "2024-01", "rule_id": "F01_threat", "title_zh": "威胁、恐吓客户",
            "severity": 40, "probability": 0.97, "reasons": ["rule:F01_threat「上门」"],
            "evidence": {"kind": "breach", "text": "你再不还，我们就直接上门了"}, "made_by": "2026.11-1#x|rules_only"}


def test_review_workflow_is_audited_and_feeds_labels(db: Database) -> None:
    with db.session() as s:
        assert ComplianceReview(s, "qa-run").save([_row("C1"), _row("C2"), _row("C2", "", "recording_notice")]) == {
            "added": 3, "already_stored": 0}
    with db.session() as s:  # the same check run again adds nothing
        assert ComplianceReview(s, "qa-run").save([_row("C1")]) == {"added": 0, "already_stored": 1}
    with db.session() as s:
        review = ComplianceReview(s, "wang")
        queue = review.queue()
        assert len(queue) == 3 and queue[0].severity == 40
        first, second = queue[0].id, queue[1].id
        assert review.review(first, "confirm", "录音核实属实").state == "confirmed"
        review.review(second, "dismiss", "语境为转述客户原话")
    with db.session() as s:
        review = ComplianceReview(s, "li")
        assert review.counts() == {"open": 1, "confirmed": 1, "dismissed": 1}
        labels = review.labels()
        assert sorted(labels["label"]) == ["none", "threat"] and set(labels["reviewed_by"]) == {"wang"}
        events = s.query(AuditEvent).filter(AuditEvent.action.like("compliance.%")).all()
        assert [(e.actor, e.detail["after"]) for e in events] == [("wang", "confirmed"), ("wang", "dismissed")]
        assert verify_chain(s).intact


def test_review_refusals(db: Database) -> None:
    with db.session() as s:
        review = ComplianceReview(s, "wang")
        review.save([_row("C1")])
        finding = review.queue()[0]
        with pytest.raises(ValidationError, match="decision"):
            review.review(finding.id, "approve", "x")
        with pytest.raises(ValidationError, match="reason"):
            review.review(finding.id, "confirm", "  ")
        with pytest.raises(ConflictError, match="已被他人修改"):
            review.review(finding.id, "confirm", "ok", expected_version=finding.version + 1)
        with pytest.raises(NotFoundError):
            review.review(999_999, "confirm", "ok")
        review.review(finding.id, "confirm", "ok")
        with pytest.raises(ConflictError, match="已复核（confirmed）"):
            review.review(finding.id, "dismiss", "changed my mind")
        with pytest.raises(ValidationError, match="unknown state"):
            review.queue(state="closed")


@pytest.mark.parametrize("actor", ["", "   "])
def test_a_review_needs_a_named_actor(db: Database, actor: str) -> None:
    """Decisions are audited under the reviewer's name: an anonymous reviewer is refused before anything is read."""
    with db.session() as s, pytest.raises(ValidationError, match="操作人"):
        ComplianceReview(s, actor)
