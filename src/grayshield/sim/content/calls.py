"""Call transcripts: agent, caller and IVR turns with their semantic and compliance truth."""

from __future__ import annotations

from dataclasses import dataclass

from grayshield.contract.truth import BREACH_TYPES, MANDATORY_ITEMS
from grayshield.core.errors import ValidationError
from grayshield.sim.content.dialect import Dialect
from grayshield.sim.content.draw import Draw
from grayshield.sim.content.grammar import Expansion, Grammar
from grayshield.sim.content.noise import add_noise

CALL_KINDS = ("service_inbound", "proxy_inbound", "relative_genuine", "collection_outbound", "negotiation_genuine")
PROXY_PERSONAS = ("customer_impersonation", "relative", "lawyer", "legal_company")
RELATIONS = ("儿子", "女儿", "老婆", "老公", "哥哥", "姐姐", "弟弟", "妹妹", "表哥", "侄子", "外甥女")
_ELDER_RELATIONS = ("儿子", "女儿", "儿媳", "女婿", "孙子", "外孙女")


@dataclass(frozen=True)
class UtteranceText:
    """One turn. ``label`` is set on caller turns only, ``breach`` and ``mandatory_item`` on agent turns."""

    speaker: str
    text: str
    label: str | None
    breach: str = "none"
    mandatory_item: str | None = None


@dataclass(frozen=True)
class CallScenario:
    """What the simulator decided about a call; the transcript is written to match it."""

    kind: str
    persona: str | None
    customer_name: str
    agent_name: str
    breaches: tuple[str, ...] = ()
    missing_items: tuple[str, ...] = ()
    escalation: bool = False
    coached: bool = False

    def __post_init__(self) -> None:
        if self.kind not in CALL_KINDS:
            raise ValidationError(f"unknown call kind {self.kind!r}; expected one of {', '.join(CALL_KINDS)}")
        if self.kind == "proxy_inbound" and self.persona not in PROXY_PERSONAS:
            raise ValidationError(f"a proxy call needs a persona among {', '.join(PROXY_PERSONAS)}, got {self.persona!r}")
        unknown = [b for b in self.breaches if b not in BREACH_TYPES or b == "none"]
        unknown += [m for m in self.missing_items if m not in MANDATORY_ITEMS]
        if unknown:
            raise ValidationError(f"unknown breach or mandatory item in call scenario: {', '.join(unknown)}")


_BREACH_SYMBOL = {
    "threat": "breach_threat",
    "abusive_language": "breach_abusive",
    "improper_third_party_contact": "breach_third_party_contact",
    "unauthorised_promise": "breach_promise",
    "third_party_disclosure": "breach_disclosure",
}
_PROXY_OPEN = {
    "customer_impersonation": ("impersonation_claim", "ordinary"),
    "relative": ("relative_proxy_claim", "proxy_representation"),
    "lawyer": ("lawyer_claim", "proxy_representation"),
    "legal_company": ("company_claim", "proxy_representation"),
}


_SPOKEN_OPENERS = ("嗯，", "那个，", "喂，", "就是，", "我跟你说，", "哎，", "你好，", "呃，", "是这样，", "对，")
_PUNCTUATION = str.maketrans("", "", "，。？！、；：")
_END_MARKS = "。。？！…"


class TranscriptWriter:
    """Strings grammar turns into a call following the scenario; one writer per content generator.

    Caller turns read like speech-recognition output: openers (嗯，那个), and at the noise rate no
    punctuation at all, so a detector cannot lean on written style.
    """

    def __init__(self, grammar: Grammar, draw: Draw, bank_name: str, noise_rate: float,
                 hard_negative_rate: float, dialect: Dialect) -> None:
        self._grammar = grammar
        self._dialect = dialect
        self.draw = draw
        self._bank = bank_name
        self._noise_rate = noise_rate
        self.hard_negative_rate = hard_negative_rate

    def write(self, s: CallScenario) -> tuple[list[UtteranceText], list[tuple[str, int]]]:
        """The turns, and per turn its kind and skeleton (for the distinct-template counts)."""
        draw = self.draw
        relations = _ELDER_RELATIONS if s.kind == "relative_genuine" else RELATIONS
        values = {
            "bank": self._bank, "agent": s.agent_name, "workid": f"{draw.between(1000, 99999)}",
            "customer": s.customer_name, "honorific": draw.choice(("先生", "女士", "")),
            "amount": f"{draw.between(500, 98000)}", "days": f"{draw.between(3, 190)}",
            "last4": f"{draw.between(0, 9999):04d}", "relation": draw.choice(relations),
        }
        call = _Call(self, s, values)
        call.build()
        return call.turns, call.skeletons

    def text(self, symbol: str, values: dict[str, str], spoken: bool) -> tuple[str, int]:
        expansion = Expansion(values=values)
        text = self._dialect.rewrite(self._grammar.expand(symbol, expansion))
        if spoken:
            if self.draw.chance(0.35):
                text = self.draw.choice(_SPOKEN_OPENERS) + text
            if text[-1] not in _END_MARKS:
                text += self.draw.choice(_END_MARKS)
            if self.draw.chance(self._noise_rate * 3):
                text = text.translate(_PUNCTUATION)
        return add_noise(text, self.draw, self._noise_rate), hash((symbol, *expansion.skeleton))


class _Call:
    """One call being written: the flow per kind, with missing items left out and breaches woven in."""

    def __init__(self, writer: TranscriptWriter, s: CallScenario, values: dict[str, str]) -> None:
        self.writer = writer
        self.s = s
        self.values = values
        self.turns: list[UtteranceText] = []
        self.skeletons: list[tuple[str, int]] = []
        self._pending_breaches = list(s.breaches)

    def _say(self, speaker: str, symbol: str, label: str | None, breach: str = "none",
             mandatory: str | None = None) -> None:
        text, skeleton = self.writer.text(symbol, self.values, spoken=speaker == "caller")
        self.turns.append(UtteranceText(speaker, text, label, breach, mandatory))
        self.skeletons.append((label or (breach if breach != "none" else mandatory) or speaker, skeleton))

    def agent(self, symbol: str, mandatory: str | None = None) -> None:
        if mandatory is None or mandatory not in self.s.missing_items:
            self._say("agent", symbol, None, "none", mandatory)

    def caller(self, symbol: str, label: str) -> None:
        self._say("caller", symbol, label)

    def breach(self, wanted: tuple[str, ...] | None = None) -> None:
        """Say the pending breaches (all, or those in ``wanted``) at this point of the call."""
        for breach in list(self._pending_breaches):
            if wanted is None or breach in wanted:
                self._pending_breaches.remove(breach)
                self._say("agent", _BREACH_SYMBOL[breach], None, breach)

    def hard_negative(self) -> None:
        """A legitimate caller who uses the black/gray vocabulary (asks about 停息挂账, mentions 委托)."""
        if self.writer.draw.chance(self.writer.hard_negative_rate):
            self.caller("hard_negative_caller", "ordinary")

    def build(self) -> None:
        s = self.s
        draw = self.writer.draw
        if s.kind == "collection_outbound":
            self.agent("outbound_greeting", "greeting_identification")
            self.agent("recording", "recording_notice")
            self.agent("verify_outbound", "identity_verification")
            self.caller("verify_answer", "ordinary")
            self.agent("collection_notice")
            self.agent("risk", "risk_disclosure")
            self.caller("collection_coached" if s.coached else "collection_reply",
                        "coached_customer" if s.coached else "ordinary")
            self.breach(("threat", "abusive_language", "improper_third_party_contact"))
            if s.escalation:
                self.caller("collection_escalation", "escalation_threat")
            self.hard_negative()
            self.caller("collection_reply", "ordinary")
            self.breach()
        else:
            if draw.chance(0.8):
                self._say("ivr", "ivr", None)
            self.agent("greeting", "greeting_identification")
            self.agent("recording", "recording_notice")
            self._inbound_body()
        self.agent("closing")
        self.caller("caller_bye", "ordinary")

    def _inbound_body(self) -> None:
        s = self.s
        if s.kind == "service_inbound":
            self.caller("service_request", "ordinary")
            self.agent("verify", "identity_verification")
            self.caller("verify_answer", "ordinary")
            self.agent("agent_answer")
            self.agent("risk", "risk_disclosure")
            self._customer_demands()
            self.hard_negative()
            self.caller("service_followup", "ordinary")
            self.breach()
        elif s.kind == "negotiation_genuine":
            self.caller("genuine_hardship", "ordinary")
            self.agent("verify", "identity_verification")
            self.caller("verify_answer", "ordinary")
            self.agent("agent_policy")
            self.agent("risk", "risk_disclosure")
            self.hard_negative()
            self._customer_demands()
            self.caller("genuine_follow", "ordinary")
            self.breach()
        elif s.kind == "relative_genuine":
            self.caller("relative_genuine_open", "ordinary")
            self.breach(("third_party_disclosure",))
            self.agent("verify", "identity_verification")
            self.caller("relative_genuine_follow", "ordinary")
            self.hard_negative()
            self.agent("agent_answer")
            self.agent("risk", "risk_disclosure")
            self.breach()
        else:
            symbol, label = _PROXY_OPEN[s.persona or "relative"]
            self.caller(symbol, label)
            self.agent("verify", "identity_verification")
            if s.persona == "customer_impersonation":
                self.caller("impersonation_verify", "ordinary")
            else:
                self.breach(("third_party_disclosure",))
                self.agent("agent_third_party_refuse")
            # Someone posing as the customer speaks in the first person, i.e. reads the script.
            if s.coached or s.persona == "customer_impersonation":
                self.caller("coached_script", "coached_customer")
            else:
                self.caller("proxy_demand", "proxy_representation")
            self.agent("agent_policy")
            self.agent("risk", "risk_disclosure")
            self._customer_demands()
            self.breach()

    def _customer_demands(self) -> None:
        """Scripted demands (coached callers) and threats to go to the regulator, as the scenario says."""
        s = self.s
        if s.coached and s.kind != "proxy_inbound":  # a proxy's demand turn already read the script
            self.caller("coached_script", "coached_customer")
        if s.escalation:
            self.caller("escalation", "escalation_threat")
            self.agent("agent_policy")
            if self.writer.draw.chance(0.5):
                self.caller("escalation", "escalation_threat")
