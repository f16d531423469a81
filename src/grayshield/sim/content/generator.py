"""The content generator the simulator calls: every Chinese text of a simulated world."""

from __future__ import annotations

import tomllib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from grayshield.contract.truth import BUSINESS_TYPES, POST_LABELS
from grayshield.core.errors import ConfigError, ValidationError
from grayshield.sim.content.calls import CallScenario, TranscriptWriter, UtteranceText
from grayshield.sim.content.complaints import ComplaintTemplate, ComplaintWriter
from grayshield.sim.content.contacts import classify_contact, obfuscate_contact
from grayshield.sim.content.dialect import Dialect
from grayshield.sim.content.draw import Draw
from grayshield.sim.content.evasion import evade
from grayshield.sim.content.grammar import Expansion, Grammar
from grayshield.sim.content.noise import add_noise
from grayshield.sim.content.people import People
from grayshield.sim.content.profile import ContentProfile

_GRAMMAR_FILES = ("lexicon.toml", "posts.toml", "accounts.toml", "calls.toml", "complaints.toml")
_LEXICON_FILE = "lexicon.toml"
DEFAULT_BANK_NAME = "华信银行"  # a fictional issuer, so no simulated text names a real bank
_CONTACT_MARK = "\x01"  # stands for the contact until the text is final; generated text has no control characters
_AD_JOINERS = (" ", "，", "～", "\n", "👉")
_PLAIN_PHONE_JOINERS = ("。官方客服", "。如有疑问请致电官方客服", "，本行客服热线", "。咨询请拨打官方热线")
_PLAIN_HANDLE_JOINERS = ("。关注官方", "，官方账号", " ")
# Share of the hard cases that sit right at the line: gang ads dressed as stories, genuine sharers who
# offer help, the bank's own instalment promotions.
_SOFT_SHARE = 0.25
_PLATFORM_NAMES = {
    "douyin": "抖音", "kuaishou": "快手", "weibo": "微博", "xiaohongshu": "小红书", "bilibili": "B站", "zhihu": "知乎",
    "wechat_channels": "视频号", "tieba": "贴吧", "other": "全网",
}


@cache
def _slot_files() -> dict[str, dict[str, list[str]]]:
    package = resources.files(__package__)
    return {
        name: tomllib.loads(package.joinpath("data", name).read_text("utf-8"))["slots"] for name in _GRAMMAR_FILES
    }


def _merged_slots() -> tuple[dict[str, list[str]], frozenset[str]]:
    merged: dict[str, list[str]] = {}
    for file_name, slots in _slot_files().items():
        for name, alternatives in slots.items():
            if name in merged:
                raise ConfigError(f"text grammar slot {name!r} is defined twice (again in {file_name})")
            merged[name] = alternatives
    return merged, frozenset(_slot_files()[_LEXICON_FILE])


def lexicon_terms() -> Mapping[str, tuple[str, ...]]:
    """The clean domain terms by category, exactly as the simulator writes them before any evasion."""
    return {category: tuple(terms) for category, terms in _slot_files()[_LEXICON_FILE].items()}


def _post_symbol(label: str, hard: bool, borderline: bool) -> str:
    if label == "blackgray_ad":
        return "ad_soft" if borderline else "ad"
    if not hard:
        return "discussion_easy" if label == "consumer_discussion" else "news_easy"
    if label == "consumer_discussion":
        return "discussion_adlike" if borderline else "discussion_hard"
    return "news_promo" if borderline else "news_hard"


@dataclass(frozen=True)
class PostText:
    """A post with what the truth tables need: whether evasion was applied and which terms it carries."""

    text: str
    evasion: bool
    terms: tuple[str, ...]
    evaded_terms: int


class ContentGenerator:
    """Chinese texts of one world, deterministic in the generator passed in.

    Pools, weights and the per-world wording subsets are fixed at construction; every call after
    that is a handful of buffered uniform draws, so the simulator can ask for millions of texts.
    """

    def __init__(self, rng: np.random.Generator, profile: ContentProfile, bank_name: str = DEFAULT_BANK_NAME) -> None:
        self.profile = profile
        self.bank_name = bank_name
        self._draw = Draw(rng)
        slots, lexicon = _merged_slots()
        self._grammar = Grammar(slots, self._draw, profile.template_variety, lexicon)
        self._people = People(self._draw)
        self._dialect = Dialect(self._draw, frozenset(t for terms in lexicon_terms().values() for t in terms))
        self._transcripts = TranscriptWriter(
            self._grammar, self._draw, bank_name, profile.noise_rate, profile.hard_negative_rate, self._dialect)
        self._complaints = ComplaintWriter(
            self._grammar, self._draw, bank_name, profile.noise_rate, profile.hard_negative_rate, self._dialect)
        self._skeletons: dict[str, set[int]] = defaultdict(set)

    # ---- people and places -------------------------------------------------------------------
    def person_name(self, gender: str | None = None) -> str:
        return self._people.name(gender)

    def region(self) -> tuple[str, str]:
        return self._people.region()

    def address(self, province: str, city: str) -> str:
        return self._people.address(province, city)

    # ---- social media ------------------------------------------------------------------------
    def post(self, label: str, business_type: str, contact: str | None) -> str:
        return self.post_detail(label, business_type, contact).text

    def post_detail(self, label: str, business_type: str, contact: str | None) -> PostText:
        """:meth:`post` with its truth: evasion applied, clean terms used."""
        if label not in POST_LABELS:
            raise ValidationError(f"unknown post label {label!r}; expected one of {', '.join(POST_LABELS)}")
        if business_type not in BUSINESS_TYPES:
            raise ValidationError(
                f"unknown business type {business_type!r}; expected one of {', '.join(BUSINESS_TYPES)}")
        draw = self._draw
        blackgray = label == "blackgray_ad"
        hard = not blackgray and draw.chance(self.profile.hard_negative_rate)
        symbol = _post_symbol(label, hard, draw.chance(self.profile.hard_negative_rate * _SOFT_SHARE))
        # Legitimate authors slip into a variant spelling only as often as they make any typo.
        rate = self.profile.evasion_rate if blackgray else (self.profile.noise_rate if hard else 0.0)
        shown_contact = "" if contact is None else obfuscate_contact(
            contact, draw, evade=blackgray and draw.chance(self.profile.evasion_rate))
        values = {"bank": self.bank_name, "contact": _CONTACT_MARK}
        aliases = {"biz": f"biz_{business_type}", "cta": "cta_contact" if contact is not None else "cta_nocontact"}
        expansion = Expansion(values=values, aliases=aliases, evasion_rate=rate, evader=self._evade)
        text = self._dialect.rewrite(self._grammar.expand(symbol, expansion))
        if contact is not None and _CONTACT_MARK not in text:  # every given contact must be in the text
            text += draw.choice(self._contact_joiners(blackgray, contact)) + _CONTACT_MARK
        self._skeletons[f"post:{symbol}"].add(hash((symbol, *expansion.skeleton)))
        # Slips go in before the contact, so a typo never corrupts the number the truth records.
        text = add_noise(text, draw, self.profile.noise_rate).replace(_CONTACT_MARK, shown_contact)
        return PostText(text, expansion.evaded > 0, tuple(expansion.terms), expansion.evaded)

    def account_profile(self, blackgray: bool, platform: str) -> tuple[str, str]:
        """(nickname, bio). Legitimate accounts that share the vocabulary come at the hard-negative rate."""
        if platform not in _PLATFORM_NAMES:
            raise ValidationError(f"unknown platform {platform!r}; expected one of {', '.join(_PLATFORM_NAMES)}")
        draw = self._draw
        if blackgray:
            prefix, rate = "blackgray", self.profile.evasion_rate
        elif draw.chance(self.profile.hard_negative_rate * 0.5):
            prefix, rate = "near", 0.0
        else:
            prefix, rate = "plain", 0.0
        values = {"bank": self.bank_name, "platform": _PLATFORM_NAMES[platform]}
        expansion = Expansion(values=values, evasion_rate=rate, evader=self._evade)
        nickname = self._grammar.expand(f"{prefix}_nickname", expansion)
        bio = self._dialect.rewrite(self._grammar.expand(f"{prefix}_bio", expansion))
        self._skeletons[f"account:{prefix}"].add(hash(tuple(expansion.skeleton)))
        return nickname, bio

    # ---- calls -------------------------------------------------------------------------------
    def transcript(self, s: CallScenario) -> list[UtteranceText]:
        turns, skeletons = self._transcripts.write(s)
        for kind, skeleton in skeletons:
            self._skeletons[f"utterance:{kind}"].add(skeleton)
        return turns

    # ---- complaints --------------------------------------------------------------------------
    def genuine_complaint(self, cause: str, customer_name: str, amount: float) -> str:
        text, skeleton = self._complaints.genuine(cause, customer_name, amount)
        self._skeletons[f"complaint:genuine_{cause}"].add(hash(skeleton))
        return text

    def complaint_template(self, gang_id: str) -> ComplaintTemplate:
        """A new template owned by ``gang_id``; a gang with several templates calls this several times."""
        template = self._complaints.template(gang_id)
        self._skeletons["complaint:gang_template"].add(hash(template.text))
        return template

    def render_complaint(self, template: ComplaintTemplate, customer_name: str, amount: float, bank_name: str) -> str:
        return self._complaints.render(template, customer_name, amount, bank_name)

    def distinct_template_counts(self) -> dict[str, int]:
        """Distinct skeletons (choices at the top two grammar levels) used so far, per kind of text."""
        return {kind: len(seen) for kind, seen in sorted(self._skeletons.items())}

    # ---- shared ------------------------------------------------------------------------------
    @staticmethod
    def _contact_joiners(blackgray: bool, contact: str) -> tuple[str, ...]:
        if blackgray:
            return _AD_JOINERS
        return _PLAIN_PHONE_JOINERS if classify_contact(contact)[0] == "phone" else _PLAIN_HANDLE_JOINERS

    def _evade(self, term: str) -> str:
        return evade(term, self._draw)
