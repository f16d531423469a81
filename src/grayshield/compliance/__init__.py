"""Compliance monitoring: transcript QA against an analyst-edited rulebook, and process-anomaly alerts.

See docs/compliance.md. Transcript QA (qa.py, rules.py) finds breaches on agent utterances and missing
mandatory items per call; process monitoring (process.py, staffops.py, collusion.py) discovers the normal
complaint-handling process, checks each case against it and flags staff operations that break the
behavioural rules or stand out from ordinary staff-days.
"""

from grayshield.compliance.collusion import CollusionParams, collusion_tests, number_rings
from grayshield.compliance.process import DiscoveryParams, ProcessModel, check, discover
from grayshield.compliance.qa import BreachClassifier, QaModel, QaResult, run_qa
from grayshield.compliance.rules import QaRule, RuleBook, check_examples, load_rulebook, parse_rulebook
from grayshield.compliance.staffops import (
    CollusionContext,
    StaffRuleParams,
    alerts,
    collusion_evidence,
    detect_unusual_days,
    flag_operations,
)

__all__ = [
    "BreachClassifier",
    "CollusionContext",
    "CollusionParams",
    "DiscoveryParams",
    "ProcessModel",
    "QaModel",
    "QaResult",
    "QaRule",
    "RuleBook",
    "StaffRuleParams",
    "alerts",
    "check",
    "check_examples",
    "collusion_evidence",
    "collusion_tests",
    "detect_unusual_days",
    "discover",
    "flag_operations",
    "load_rulebook",
    "number_rings",
    "parse_rulebook",
    "run_qa",
]
