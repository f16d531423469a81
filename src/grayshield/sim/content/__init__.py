"""Chinese text content of simulated worlds: names, places, posts, call transcripts, complaints.

The simulator core decides what happens; this package decides how it reads. Everything is drawn
from the numpy generator the simulator passes in, so a seed fixes every character.
"""

from grayshield.sim.content.calls import CALL_KINDS, PROXY_PERSONAS, CallScenario, UtteranceText
from grayshield.sim.content.complaints import COMPLAINT_CAUSES, ComplaintTemplate
from grayshield.sim.content.contacts import classify_contact
from grayshield.sim.content.evasion import EVASION_METHODS, evade
from grayshield.sim.content.generator import ContentGenerator, PostText, lexicon_terms
from grayshield.sim.content.people import provinces
from grayshield.sim.content.profile import ContentProfile

__all__ = [
    "CALL_KINDS", "COMPLAINT_CAUSES", "EVASION_METHODS", "PROXY_PERSONAS", "CallScenario", "ComplaintTemplate",
    "ContentGenerator", "ContentProfile", "PostText", "UtteranceText", "classify_contact", "evade", "lexicon_terms",
    "provinces",
]
