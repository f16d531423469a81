"""Screened-call counters: counted in memory, added to the store on flush (never per call), shown on the overview."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from grayshield.core.clock import BANK_TZ
from grayshield.core.settings import Settings
from grayshield.services.screening_stats import ScreeningStats, daily_counts, hour_of
from grayshield.store import Database
from grayshield.store.models import ScreeningCount

ClientFor = Callable[[str | None], TestClient]


def _rows(db: Database) -> dict[tuple[datetime, str], int]:
    with db.session() as session:
        return {(r.hour.replace(tzinfo=UTC), r.risk_level): r.calls for r in session.scalars(select(ScreeningCount))}


def test_counts_stay_in_memory_until_flushed_and_flushes_add(console_settings: Settings) -> None:
    db = Database(console_settings.db_url)
    stats = ScreeningStats(db, interval_s=3600)  # the background flush never fires during the test
    now = datetime(2026, 11, 25, 15, 59, 59, tzinfo=UTC)  # 23:59 in Beijing: still 25 November there
    for level in ("high", "low", "low"):
        stats.count(level, now)
    assert _rows(db) == {}
    assert stats.pending() == {(hour_of(now), "high"): 1, (hour_of(now), "low"): 2}
    assert stats.flush() == 3 and stats.pending() == {} and stats.flush() == 0
    stats.count("low", now)
    stats.count("medium", now + timedelta(seconds=1))  # 00:00 on the 26th in Beijing
    stats.close()  # shutdown writes what is left
    assert _rows(db) == {(hour_of(now), "high"): 1, (hour_of(now), "low"): 3,
                         (hour_of(now + timedelta(seconds=1)), "medium"): 1}
    with db.session() as session:
        days = daily_counts(session, now.astimezone(BANK_TZ).date(), now.astimezone(BANK_TZ).date() + timedelta(1),
                            pending={(hour_of(now), "high"): 10})
    assert days == {now.astimezone(BANK_TZ).date(): {"high": 11, "medium": 0, "low": 3},
                    (now + timedelta(seconds=1)).astimezone(BANK_TZ).date(): {"high": 0, "medium": 1, "low": 0}}
    db.dispose()


def test_screening_api_counts_calls_for_the_overview(client_for: ClientFor, app: FastAPI) -> None:
    client = client_for("analyst")
    for caller in ("13800001111", "+86 170 0000 0000", "4008001234"):
        assert client.post("/api/v1/screen/call", json={"caller": caller, "called_line": "95555"}).status_code == 200
    assert client.post("/api/v1/screen/call", json={"caller": "1" * 40, "called_line": "95555"}).status_code == 422
    today = client.get("/api/v1/overview").json()["screened_today"]
    assert sum(today.values()) == 3  # unflushed counts of this process are shown
    assert app.state.screening_stats.flush() == 3
    assert sum(client.get("/api/v1/overview").json()["screened_today"].values()) == 3  # not counted twice
    assert sum(_rows(app.state.db).values()) == 3
    page = client.get("/").text
    assert "今日来电筛查" in page and "chart-data-screened" in page and "chart-data-reports" in page


def test_flushes_add_to_the_same_rows_on_every_backend(db: Database) -> None:
    when = datetime(2026, 11, 25, 3, 30, tzinfo=UTC)
    first, second = ScreeningStats(db, interval_s=3600), ScreeningStats(db, interval_s=3600)  # two workers
    for _ in range(2):
        first.count("high", when)
    second.count("high", when + timedelta(minutes=10))
    second.count("medium", when)
    assert first.flush() == 2 and second.flush() == 2
    first.count("high", when)
    first.close()
    assert _rows(db) == {(hour_of(when), "high"): 4, (hour_of(when), "medium"): 1}
    with db.session() as session:
        day = when.astimezone(BANK_TZ).date()
        assert daily_counts(session, day, day) == {day: {"high": 4, "medium": 1, "low": 0}}
