"""Outcomes feed back: closed cases become labels the number, complaint and gang models train on next time.

A case closed as a confirmed gang, a police case or a take-down labels its subject (and every number, account,
customer and complaint listed in its gang snapshot) positive; ``cleared`` labels them negative;
``insufficient_evidence`` labels nothing, because absence of proof is not proof of innocence.
:mod:`grayshield.services.labels` turns these rows, tag reviews and platform take-downs into the truth tables
the trainers read.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from grayshield.cases.workflow import POSITIVE_OUTCOMES
from grayshield.store.models import Case

LABEL_COLUMNS = ["subject_type", "subject_id", "label", "outcome", "case_id", "closed_at"]
NEGATIVE_OUTCOMES = ("cleared",)
MEMBER_KINDS = ("number", "account", "customer", "complaint")
"""Gang-snapshot members that inherit the case's label: the entities a model is trained on."""


def outcome_labels(session: Session) -> pd.DataFrame:
    """One row per labelled subject: ``label`` is 1 (black/gray confirmed) or 0 (cleared); latest case wins."""
    rows: list[dict[str, object]] = []
    closed = session.scalars(select(Case).where(Case.state == "closed").order_by(Case.updated_at, Case.id))
    for case in closed:
        if case.outcome in POSITIVE_OUTCOMES:
            label = 1
        elif case.outcome in NEGATIVE_OUTCOMES:
            label = 0
        else:
            continue
        subjects = [(case.subject_type, case.subject_id)]
        for member in (case.detail or {}).get("members", []):
            kind, _, key = str(member).partition(":")
            if kind in MEMBER_KINDS and key:
                subjects.append((kind, key))
        rows += [{"subject_type": kind, "subject_id": key, "label": label, "outcome": case.outcome,
                  "case_id": case.id, "closed_at": case.updated_at} for kind, key in subjects]
    frame = pd.DataFrame(rows, columns=LABEL_COLUMNS)
    return frame.drop_duplicates(["subject_type", "subject_id"], keep="last").reset_index(drop=True)
