"""The Chinese text engine: normalisation against evasion, lexicon, classifiers, contact extraction, templates.

One engine for social monitoring, transcript analysis and complaint analysis; see docs/text.md.
"""

from grayshield.text.classify import TASKS, Analysis, CharNgramClassifier, LexiconScorer, TextClassifier
from grayshield.text.contacts import Contact, extract_contacts
from grayshield.text.engine import TextEngine, latest_model, load_model
from grayshield.text.lexicon import LEXICONS, Lexicon, load_lexicon, load_lexicon_file
from grayshield.text.normalise import Hit, Normalised, Normaliser, default_normaliser, normaliser_for
from grayshield.text.templates import template_ids

__all__ = [
    "LEXICONS",
    "TASKS",
    "Analysis",
    "CharNgramClassifier",
    "Contact",
    "Hit",
    "Lexicon",
    "LexiconScorer",
    "Normalised",
    "Normaliser",
    "TextClassifier",
    "TextEngine",
    "default_normaliser",
    "extract_contacts",
    "latest_model",
    "load_lexicon",
    "load_lexicon_file",
    "load_model",
    "normaliser_for",
    "template_ids",
]
