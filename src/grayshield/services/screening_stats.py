"""Screened calls counted per (hour, risk level) in memory and flushed to ``screening_counts`` in the background.

Call screening answers the IVR in a few milliseconds at 1,000 calls/s, so it must not write a row per call.
:meth:`ScreeningStats.count` only bumps an in-process counter under a lock (about a microsecond); a daemon
thread adds the counts to the store every ``interval_s`` seconds, and :meth:`ScreeningStats.close` flushes what
is left on shutdown. Only the hour and the risk level are kept: no number, no customer, nothing to mask.
Several processes may flush into the same rows: each flush *adds* its counts in one transaction.
A crash loses at most the last interval's counts, which the overview can live with.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grayshield.core.clock import BANK_TZ
from grayshield.core.logging import get_logger
from grayshield.store import Database
from grayshield.store.clock import aware
from grayshield.store.models import ScreeningCount

log = get_logger(__name__)
RISK_LEVELS = ("high", "medium", "low")
# Days are the bank's days (core.clock.BANK_TZ); hours are stored in UTC.
Key = tuple[datetime, str]


def hour_of(moment: datetime) -> datetime:
    """The UTC hour a moment falls in (the counters' grain)."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


class ScreeningStats:
    """In-process counters of screened calls with a periodic, additive flush to the store."""

    def __init__(self, db: Database, interval_s: float = 5.0) -> None:
        self.db, self.interval_s = db, interval_s
        self._counts: Counter[tuple[int, str]] = Counter()  # (hours since the epoch, level)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def count(self, risk_level: str, when: datetime | None = None) -> None:
        """Count one screened call; never touches the store (the hot path of every IVR call: about a
        microsecond, so the hour is an integer here and becomes a datetime only when flushed)."""
        hour = int((when.timestamp() if when is not None else time.time()) // 3600)
        with self._lock:
            self._counts[(hour, risk_level)] += 1
            if self._thread is None:
                self._start()

    def pending(self) -> dict[Key, int]:
        """Counts not yet flushed, so a page in the same process can show them too."""
        with self._lock:
            return _as_keys(self._counts)

    def _start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="screening-stats", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.flush()
            except Exception as exc:  # the store may be briefly away: keep counting, retry next round
                log.warning("screening counts not flushed (%s); retrying", type(exc).__name__)

    def flush(self) -> int:
        """Add the pending counts to the store; returns how many calls were written. On failure they are kept."""
        with self._lock:
            batch, self._counts = self._counts, Counter()
        if not batch:
            return 0
        try:
            for attempt in range(3):
                try:
                    with self.db.session() as session:
                        add_counts(session, _as_keys(batch).items())
                    break
                except IntegrityError:  # another process created a row in between: its update path now applies
                    if attempt == 2:
                        raise
        except Exception:
            with self._lock:
                self._counts.update(batch)
            raise
        return sum(batch.values())

    def close(self) -> None:
        """Stop the flusher and write what is left (the app's shutdown calls this)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=self.interval_s + 5)
        self.flush()


def _as_keys(counts: Counter[tuple[int, str]]) -> dict[Key, int]:
    out: dict[Key, int] = {}
    for (hour, level), calls in counts.items():
        key = (datetime.fromtimestamp(hour * 3600, UTC), level)
        out[key] = out.get(key, 0) + calls
    return out


def add_counts(session: Session, counts: Iterable[tuple[Key, int]]) -> None:
    """Add counts to their (hour, level) rows, creating rows as needed; portable across SQLite and PostgreSQL.

    A concurrent insert of the same row raises ``IntegrityError``; :meth:`ScreeningStats.flush` retries.
    """
    for (hour, level), calls in counts:
        changed = session.execute(update(ScreeningCount).where(
            ScreeningCount.hour == hour, ScreeningCount.risk_level == level,
        ).values(calls=ScreeningCount.calls + calls))
        if not getattr(changed, "rowcount", 0):
            session.add(ScreeningCount(hour=hour, risk_level=level, calls=calls))
            session.flush()


def daily_counts(session: Session, start: date, end: date,
                 pending: dict[Key, int] | None = None) -> dict[date, dict[str, int]]:
    """Screened calls per bank day (UTC+8) in ``[start, end]`` and risk level, plus ``pending`` (unflushed) counts."""
    low = datetime.combine(start, clock_time(), tzinfo=BANK_TZ)
    high = datetime.combine(end + timedelta(days=1), clock_time(), tzinfo=BANK_TZ)
    out: dict[date, dict[str, int]] = {}
    rows = session.execute(select(ScreeningCount.hour, ScreeningCount.risk_level, ScreeningCount.calls).where(
        ScreeningCount.hour >= low, ScreeningCount.hour < high))
    merged = [((aware(hour) or hour, level), calls) for hour, level, calls in rows]
    merged += [(key, calls) for key, calls in (pending or {}).items() if low <= key[0] < high]
    for (hour, level), calls in merged:
        day = out.setdefault(hour.astimezone(BANK_TZ).date(), dict.fromkeys(RISK_LEVELS, 0))
        day[level] = day.get(level, 0) + calls
    return out
