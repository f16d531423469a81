"""Caller intelligence: habitual black/gray numbers, proxy calls, voices, with reasons for every score.

Engines only: reads contract tables through Ibis, returns frames; services and shells persist and serve them.
"""

from grayshield.callers.numbers import NumberAttributes, NumberType, describe_number, mask_numbers
from grayshield.callers.rules import CALL_RULES, NUMBER_RULES, RULES_VERSION, Rule
from grayshield.callers.transcripts import LexiconUtteranceScorer, UtteranceScorer, default_scorer

__all__ = [
    "CALL_RULES",
    "NUMBER_RULES",
    "RULES_VERSION",
    "LexiconUtteranceScorer",
    "NumberAttributes",
    "NumberType",
    "Rule",
    "UtteranceScorer",
    "default_scorer",
    "describe_number",
    "mask_numbers",
]
