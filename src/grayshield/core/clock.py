"""The bank's clock: days, deadlines and naive source times are Beijing time.

A fixed UTC+8 offset rather than the ``Asia/Shanghai`` zone database: China has kept UTC+8 all year since 1991, so
the two agree on every date the platform sees, and the offset needs no tz data on the bank's machines.
"""

from __future__ import annotations

from datetime import timedelta, timezone

BANK_TZ = timezone(timedelta(hours=8))
