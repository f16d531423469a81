"""Operators: what replaces a hit. Each operator is its own validated config model with an ``apply`` method.

The policy file names an operator per entity (``operator = "mask"``) and that operator's own fields; unknown
fields are refused, so a typo in a policy never silently falls back to showing the data.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from grayshield.core.errors import ConfigError
from grayshield.pii import entities as E
from grayshield.pii import validators as V
from grayshield.pii.entities import ENTITY_TYPES, Hit
from grayshield.pii.recognisers import admin_prefix_length

_DIGIT_ENTITIES = frozenset({E.ID_CARD, E.BANK_CARD, E.BANK_ACCOUNT, E.PHONE})


class _Operator(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Mask(_Operator):
    """Display masking (JR/T 0171-2020 Annex A): keep a few leading/trailing characters, hide the rest.

    Separators (spaces, dashes, dots) stay where they are and are not counted, so ``138 0013 8000`` becomes
    ``138 **** 8000``. ``keep_from`` keeps everything from a character on (``@`` for e-mail domains);
    ``keep_admin`` keeps an address's province/city/district.
    """

    operator: Literal["mask"] = "mask"
    keep_first: int = Field(default=0, ge=0)
    keep_last: int = Field(default=0, ge=0)
    mask_char: str = Field(default="*", min_length=1, max_length=1)
    keep_from: str | None = Field(default=None, min_length=1, max_length=1)
    keep_admin: bool = False

    def apply(self, hit: Hit, key: bytes | None) -> str:
        value = hit.text
        if (
            not (self.keep_from or self.keep_admin) and value.isalnum()
        ):  # the common case: plain digits, names
            size = len(value)
            first = self.keep_first if self.keep_first < size else size
            last = self.keep_last if self.keep_last < size - first else size - first
            return value[:first] + self.mask_char * (size - first - last) + value[size - last :]
        tail = ""
        if self.keep_from and self.keep_from in value:
            cut = value.index(self.keep_from)
            value, tail = value[:cut], value[cut:]
        head = ""
        if self.keep_admin:
            cut = admin_prefix_length(value)
            head, value = value[:cut], value[cut:]
        if value.isalnum():  # no separators to preserve: slice instead of walking the characters
            size = len(value)
            first = min(self.keep_first, size)
            last = min(self.keep_last, size - first)
            return head + value[:first] + self.mask_char * (size - first - last) + value[size - last :] + tail
        significant = [i for i, c in enumerate(value) if c.isalnum()]  # one hit's characters, not the text
        hidden = significant[self.keep_first : max(self.keep_first, len(significant) - self.keep_last)]
        chars = list(value)
        for i in hidden:
            chars[i] = self.mask_char
        return head + "".join(chars) + tail


class Redact(_Operator):
    """Remove the value entirely (or put a fixed string in its place)."""

    operator: Literal["redact"] = "redact"
    replacement: str = ""

    def apply(self, hit: Hit, key: bytes | None) -> str:
        return self.replacement


class Placeholder(_Operator):
    """A category label such as ``[身份证号]``: readers know what was there, not what it was."""

    operator: Literal["placeholder"] = "placeholder"
    template: str = "[{label}]"

    def apply(self, hit: Hit, key: bytes | None) -> str:
        return _placeholder(self.template, hit.entity)


class Token(_Operator):
    """Keyed deterministic pseudonym (HMAC-SHA256): the same value gives the same token, so masked tables join.

    The value is normalised first (separators, ``+86``, Chinese numerals), so ``138 0013 8000`` and
    ``13800138000`` get one token. Without the key the token cannot be reversed or recomputed.
    """

    operator: Literal["token"] = "token"
    length: int = Field(default=16, ge=8, le=64)
    template: str = "[{label}:{token}]"

    def apply(self, hit: Hit, key: bytes | None) -> str:
        if not key:
            raise ConfigError("the token operator needs a key: set pii_token_key in the GrayShield settings")
        digest = hmac.new(
            key, f"{hit.entity}:{normalise_for_token(hit)}".encode(), hashlib.sha256
        ).hexdigest()
        return self.template.format(
            label=ENTITY_TYPES[hit.entity].label, entity=hit.entity, token=digest[: self.length]
        )


class Keep(_Operator):
    """Leave the value as it is (for entities a use case is allowed to see)."""

    operator: Literal["keep"] = "keep"

    def apply(self, hit: Hit, key: bytes | None) -> str:
        return hit.text


Operator = Annotated[Mask | Redact | Placeholder | Token | Keep, Field(discriminator="operator")]


@cache
def _placeholder(template: str, entity: str) -> str:
    """A placeholder depends only on the template and the entity: rendered once, not once per hit."""
    return template.format(label=ENTITY_TYPES[entity].label, entity=entity)


def normalise_for_token(hit: Hit) -> str:
    if hit.entity in _DIGIT_ENTITIES:
        return V.strip_country_code(V.normalise_digits(hit.text))
    return "".join(hit.text.split()).upper()
