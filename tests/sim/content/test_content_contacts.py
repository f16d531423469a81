"""How posts spell contacts: kinds read from canonical forms, disguises that keep every digit."""

from __future__ import annotations

import re

import numpy as np
import pytest

from grayshield.sim.content import classify_contact
from grayshield.sim.content.contacts import obfuscate_contact
from grayshield.sim.content.draw import Draw
from grayshield.sim.content.evasion import DIGIT_STYLES


@pytest.mark.parametrize(("contact", "expected"), [
    ("+8613812345678", ("phone", "13812345678")),
    ("16212345678", ("phone", "16212345678")),
    ("+864001234567", ("phone", "4001234567")),
    ("4001234567", ("phone", "4001234567")),
    ("95528", ("phone", "95528")),
    ("+862164001234", ("phone", "02164001234")),
    ("wechat:g001_1_fw", ("wechat", "g001_1_fw")),
    ("qq:101001", ("qq", "101001")),
    ("phone:13812345678", ("phone", "13812345678")),
    ("123456", ("qq", "123456")),
    ("debt_help88", ("wechat", "debt_help88")),
])
def test_contact_kinds(contact: str, expected: tuple[str, str]) -> None:
    assert classify_contact(contact) == expected


def _digits_back(text: str) -> str:
    """Undo the digit styles, so a test can check no digit was lost or invented."""
    table = {char: str(i) for style in DIGIT_STYLES.values() for i, char in enumerate(style)}
    return "".join(table.get(char, char) for char in text if char in table or char.isdigit())


@pytest.mark.parametrize("contact", ["13812345678", "4001234567", "qq:100003", "02164001234"])
def test_disguised_numbers_keep_every_digit_in_order(contact: str) -> None:
    draw = Draw(np.random.default_rng(3))
    value = classify_contact(contact)[1]
    spellings = {obfuscate_contact(contact, draw, evade=True) for _ in range(300)}
    assert len(spellings) > 50
    for spelled in spellings:
        assert value in _digits_back(spelled), spelled
        assert not re.search(r"[-—_.]\s*$", spelled), spelled  # no dangling group separator


def test_plain_contacts_show_the_value_verbatim() -> None:
    draw = Draw(np.random.default_rng(4))
    for contact in ("13812345678", "wechat:g001_1_fw", "qq:100003"):
        assert classify_contact(contact)[1] in obfuscate_contact(contact, draw, evade=False)
