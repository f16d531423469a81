"""Strike-team cases: workflow, immutable hashed evidence, evidence packages (PDF + JSON + manifest), labels."""

import importlib
from typing import TYPE_CHECKING, Any

from grayshield.cases.package import (
    RECIPIENTS,
    CaseRecord,
    PackageCheck,
    Recipient,
    export_package,
    verify_package,
)
from grayshield.cases.workflow import EVIDENCE_KINDS, OUTCOMES, STATES, SUBJECT_TYPES, TRANSITIONS

if TYPE_CHECKING:
    from grayshield.cases.labels import outcome_labels
    from grayshield.cases.service import CaseService, NewEvidence

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


_LAZY = {"CaseService": "grayshield.cases.service", "NewEvidence": "grayshield.cases.service",
         "outcome_labels": "grayshield.cases.labels"}


def __getattr__(name: str) -> Any:
    """The service (SQLAlchemy) and the labels (pandas) load on first use, so the CLI starts fast."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'grayshield.cases' has no attribute {name!r}")
