"""Complaint texts: genuine ones in customers' own words, and gang templates rendered near-identically."""

from __future__ import annotations

from dataclasses import dataclass

from grayshield.core.errors import ValidationError
from grayshield.sim.content.dialect import Dialect
from grayshield.sim.content.draw import Draw
from grayshield.sim.content.grammar import Expansion, Grammar
from grayshield.sim.content.noise import add_noise

COMPLAINT_CAUSES = (
    "fees_interest", "collection", "service", "transaction_dispute", "negotiated_repayment", "credit_report", "other",
)
# Placeholders kept in a template's text until it is rendered for one customer; control characters
# cannot occur in generated text, so replacing them cannot touch anything else.
_NAME, _AMOUNT, _BANK = "\x00N\x00", "\x00A\x00", "\x00B\x00"
# Re-used templates get small edits per clause-long stretch rather than per short sentence: gangs
# copy a file and touch it up, so renders stay over 90% alike (the published figure) at any noise.
_TEMPLATE_EDIT_CHARS = 80


@dataclass(frozen=True)
class ComplaintTemplate:
    """A gang's complaint text with the customer, amount and bank left open.

    ``label`` is the utterance label of texts rendered from it: ``coached_customer`` where the
    customer signs a scripted first-person text, ``proxy_representation`` where the gang writes
    as the customer's agent.
    """

    template_id: str
    gang_id: str
    text: str
    label: str


def format_amount(amount: float, draw: Draw) -> str:
    """Amounts the way people write them: 12345.67元, 12,345元, 1.2万."""
    roll = draw.random()
    if roll < 0.4:
        return f"{amount:.2f}"
    if roll < 0.7:
        return f"{round(amount):,}"
    if roll < 0.9 or amount < 10000:
        return f"{round(amount)}"
    return f"{amount / 10000:.1f}万"


class ComplaintWriter:
    """Writes genuine complaints and keeps each gang's templates."""

    def __init__(self, grammar: Grammar, draw: Draw, bank_name: str, noise_rate: float,
                 hard_negative_rate: float, dialect: Dialect) -> None:
        self._grammar = grammar
        self._dialect = dialect
        self._hard_negative_rate = hard_negative_rate
        self._draw = draw
        self._bank = bank_name
        self._noise_rate = noise_rate
        self._templates: dict[str, list[ComplaintTemplate]] = {}  # per gang, for ids that read G001-T02

    def genuine(self, cause: str, customer_name: str, amount: float) -> tuple[str, tuple[int, ...]]:
        """A customer's own complaint; at the hard-negative rate one that borrows the gangs' words."""
        if cause not in COMPLAINT_CAUSES:
            raise ValidationError(f"unknown complaint cause {cause!r}; expected one of {', '.join(COMPLAINT_CAUSES)}")
        values = {"name": _NAME, "amount": format_amount(amount, self._draw), "bank": self._bank,
                  "period": str(self._draw.between(2, 9))}
        expansion = Expansion(values=values)
        symbol = f"genuine_{cause}"
        if self._grammar.has(f"{symbol}_hard") and self._draw.chance(self._hard_negative_rate):
            symbol += "_hard"
        text = add_noise(self._dialect.rewrite(self._grammar.expand(symbol, expansion)), self._draw, self._noise_rate)
        return text.replace(_NAME, customer_name), tuple(expansion.skeleton)

    def template(self, gang_id: str) -> ComplaintTemplate:
        """A new template for the gang; call again for another (the simulator decides how many a gang owns)."""
        owned = self._templates.setdefault(gang_id, [])
        proxy = self._draw.chance(0.4)
        expansion = Expansion(values={"name": _NAME, "amount": _AMOUNT, "bank": _BANK})
        text = self._dialect.rewrite(self._grammar.expand("gang_proxy" if proxy else "gang_first_person", expansion))
        template = ComplaintTemplate(
            template_id=f"{gang_id}-T{len(owned) + 1:02d}", gang_id=gang_id, text=text,
            label="proxy_representation" if proxy else "coached_customer",
        )
        owned.append(template)
        return template

    def render(self, template: ComplaintTemplate, customer_name: str, amount: float, bank_name: str) -> str:
        # Edits first, then the customer's details: a touched-up copy never garbles the name or amount.
        text = add_noise(template.text, self._draw, self._noise_rate, _TEMPLATE_EDIT_CHARS)
        return text.replace(_NAME, customer_name).replace(_AMOUNT, f"{amount:.2f}").replace(_BANK, bank_name)
