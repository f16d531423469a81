"""Logging that never writes customer PII.

Every record passes through :class:`PiiScrubbingFilter`, which masks anything shaped like a phone
number, resident ID, bank card or e-mail address before a handler sees it. Code should log
identifiers (customer_id, call_id) and counts, never values; the filter is the safety net.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

# Long digit runs cover mobiles (11), landlines (10-12), IDs (15/18, last may be X) and cards (16-19);
# internal identifiers in GrayShield always carry a letter prefix (C000123, CALL-...), so they survive, and so
# do the digits of a decimal fraction (a metric such as 0.9998817827166332 is not an ID), but "tel.138..." is not.
_PII_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<![A-Za-z0-9_-])(?<!\d\.)\+?\d[\d \-]{8,22}\d[Xx]?(?![A-Za-z0-9_])"), "[数字已脱敏]"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[邮箱已脱敏]"),
)


def scrub(text: str) -> str:
    """Mask PII-shaped substrings in ``text``."""
    for pattern, replacement in _PII_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class PiiScrubbingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = scrub(message)
        record.args = None
        return True


def configure_logging(level: str = "INFO") -> None:
    """Install the scrubbing filter on a stderr handler for the ``grayshield`` logger tree."""
    logger = logging.getLogger("grayshield")
    logger.setLevel(level)
    if not any(isinstance(h, _GrayShieldHandler) for h in logger.handlers):
        handler = _GrayShieldHandler()
        handler.addFilter(PiiScrubbingFilter())
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)


class _GrayShieldHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time of the record, not the stream at set-up: a replaced
    stream (a test runner's capture, a daemon's redirect) must never leave the handler writing to a closed file."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def get_logger(name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    if not any(isinstance(f, PiiScrubbingFilter) for f in logger.filters):
        logger.addFilter(PiiScrubbingFilter())
    return logger
