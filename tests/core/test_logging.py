from __future__ import annotations

import logging

import pytest

from grayshield.core.logging import configure_logging, get_logger, scrub


@pytest.mark.parametrize(
    ("raw", "leak"),
    [
        ("customer phone 13812345678 called", "13812345678"),
        ("caller +86 138 1234 5678", "138 1234 5678"),
        ("id 11010519491231002X verified", "11010519491231002X"),
        ("card 6222 0212 3456 7890 123 blocked", "6222 0212 3456 7890 123"),
        ("mail zhang.san@example.com", "zhang.san@example.com"),
        ("tel.13812345678", "13812345678"),
        ("amount 12.5 then 13812345678", "13812345678"),
    ],
)
def test_scrub_masks_pii_shapes(raw: str, leak: str) -> None:
    assert leak not in scrub(raw)


def test_internal_identifiers_survive() -> None:
    assert scrub("customer C0001234 call CALL-20240101-000017 rows=250000") == (
        "customer C0001234 call CALL-20240101-000017 rows=250000"
    )


def test_decimal_fractions_survive() -> None:
    assert scrub("overall precision 0.9998817827166332 recall 0.99787") == (
        "overall precision 0.9998817827166332 recall 0.99787"
    )


def test_logger_never_emits_pii(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    log = get_logger("grayshield.test")
    with caplog.at_level(logging.INFO, logger="grayshield.test"):
        log.info("screened %s for customer %s", "13912345678", "C000001")
    assert "13912345678" not in caplog.text and "C000001" in caplog.text
    assert "13912345678" not in capsys.readouterr().err
