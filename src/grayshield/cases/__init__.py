"""Strike-team cases: workflow, immutable hashed evidence, evidence packages (PDF + JSON + manifest), labels."""

from typing import Any

from grayshield.cases.package import (
    RECIPIENTS,
    CaseRecord,
    PackageCheck,
    Recipient,
    export_package,
    verify_package,
)
from grayshield.cases.service import CaseService, NewEvidence
from grayshield.cases.workflow import EVIDENCE_KINDS, OUTCOMES, STATES, SUBJECT_TYPES, TRANSITIONS

__all__ = [
    "EVIDENCE_KINDS",
    "OUTCOMES",
    "RECIPIENTS",
    "STATES",
    "SUBJECT_TYPES",
    "TRANSITIONS",
    "CaseRecord",
    "CaseService",
    "NewEvidence",
    "PackageCheck",
    "Recipient",
    "export_package",
    "outcome_labels",
    "verify_package",
]


def __getattr__(name: str) -> Any:
    """``outcome_labels`` needs pandas: imported on first use so the CLI starts fast."""
    if name == "outcome_labels":
        from grayshield.cases.labels import outcome_labels

        return outcome_labels
    raise AttributeError(f"module 'grayshield.cases' has no attribute {name!r}")
