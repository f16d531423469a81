"""Compliance monitoring: transcript QA against an analyst-edited rulebook, and process-anomaly alerts.

See docs/compliance.md. Transcript QA (qa.py, rules.py) finds breaches on agent utterances and missing
mandatory items per call; process monitoring (process.py, staffops.py) discovers the normal
complaint-handling process, checks each case against it and flags staff operations that break the
behavioural rules or stand out from the staff member's own history.
"""

from grayshield.compliance.qa import BreachClassifier, QaModel, QaResult, run_qa
from grayshield.compliance.rules import QaRule, RuleBook, check_examples, load_rulebook, parse_rulebook

__all__ = [
    "BreachClassifier",
    "QaModel",
    "QaResult",
    "QaRule",
    "RuleBook",
    "check_examples",
    "load_rulebook",
    "parse_rulebook",
    "run_qa",
]
