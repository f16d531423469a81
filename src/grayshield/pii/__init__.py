"""Desensitisation of customer information in Chinese text and tables (JR/T 0171-2020).

Detection and transformation are separate: a :class:`Scanner` runs the registered recognisers and returns
:class:`Hit` spans; a :class:`Policy` (versioned TOML) picks an operator per entity to replace them.
"""

from grayshield.pii.entities import ENTITY_TYPES, Hit
from grayshield.pii.masking import MaskStats, mask_file, mask_many, mask_table, mask_text
from grayshield.pii.policy import Policy, default_policy, load_policy
from grayshield.pii.recognisers import RECOGNISERS, ContextRecogniser, PatternRecogniser
from grayshield.pii.scanner import Scanner, scan_text

__all__ = [
    "ENTITY_TYPES",
    "RECOGNISERS",
    "ContextRecogniser",
    "Hit",
    "MaskStats",
    "PatternRecogniser",
    "Policy",
    "Scanner",
    "default_policy",
    "load_policy",
    "mask_file",
    "mask_many",
    "mask_table",
    "mask_text",
    "scan_text",
]
