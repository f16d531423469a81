"""Contact extraction on hand-written obfuscations, and the false positives it must not produce."""

from __future__ import annotations

from pathlib import Path

import pytest

from grayshield.text.contacts import extract_contacts

CASES = [
    line.split("\t")
    for line in (Path(__file__).parent / "data" / "contacts.tsv").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]
POSITIVE = [c for c in CASES if c[1]]
NEGATIVE = [c for c in CASES if not c[1]]


@pytest.mark.parametrize(("text", "kind", "value"), POSITIVE)
def test_obfuscated_contact_is_found(text: str, kind: str, value: str) -> None:
    found = [(c.kind, c.value) for c in extract_contacts(text)]
    assert (kind, value) in found


@pytest.mark.parametrize(("text", "kind", "value"), NEGATIVE)
def test_numbers_that_are_not_contacts_are_left_alone(text: str, kind: str, value: str) -> None:
    assert extract_contacts(text) == []


def test_spans_point_at_the_original_text() -> None:
    text = "详询 ①③⑧ 1234 5678，或薇 abc_12345"
    for contact in extract_contacts(text):
        assert text[contact.start : contact.end] == contact.surface
    assert [c.kind for c in extract_contacts(text)] == ["phone", "wechat"]
