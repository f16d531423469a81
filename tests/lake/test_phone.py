from __future__ import annotations

import random

import pyarrow as pa
import pytest

from grayshield.lake.phone import is_business_line, is_service_number, normalise_phone, normalise_phone_array

CASES = [
    ("13812345678", "+8613812345678"),
    ("+86 138 1234 5678", "+8613812345678"),
    ("0086-138-1234-5678", "+8613812345678"),
    ("(021) 6123-4567", "+862161234567"),
    ("（021）61234567", "+862161234567"),
    ("010-12345678", "+861012345678"),
    ("95588", "95588"),
    ("955880", "955880"),
    ("12315", "12315"),
    ("+14155552671", "+14155552671"),
    ("12345678901", None),  # 11 digits but no such mobile range
    ("1381234567", None),  # one digit short
    ("138123456789", None),
    ("not a phone", None),
    ("", None),
    ("   ", None),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_normalise_phone(text: str, expected: str | None) -> None:
    assert normalise_phone(text) == expected


def test_vectorised_agrees_with_scalar_on_cases_and_random_numbers() -> None:
    rng = random.Random(7)
    numbers = [text for text, _ in CASES] + [None]
    numbers += [f"1{rng.randint(30, 99)}{rng.randint(0, 99_999_999):08d}" for _ in range(500)]
    numbers += [f"0{rng.randint(10, 999)}{rng.randint(0, 99_999_999):08d}" for _ in range(100)]
    vectorised = normalise_phone_array(pa.array(numbers, pa.string())).to_pylist()
    assert vectorised == [None if n is None else normalise_phone(n) for n in numbers]


def test_public_lines_are_typed_once_for_every_engine() -> None:
    """Service numbers and 400/800 lines are told apart from people's phones in their canonical form."""
    assert is_business_line(normalise_phone("400-123-4567") or "")
    assert is_business_line("+868001234567")
    assert not is_business_line("+8613812345678")
    assert not is_business_line("4001234567")  # not canonical: callers normalise first
    assert is_service_number(normalise_phone("95588") or "")
    assert not is_service_number("+864001234567")
