"""Screening over the real store: tags change what the IVR hears within a second; bad input is refused clearly."""

from __future__ import annotations

import time

import pytest

from grayshield.core.errors import NotFoundError, ValidationError
from grayshield.services.screening import MappingDirectory, RedisMarker, Screener, StoreMarker, TagCache
from grayshield.store import Database
from grayshield.tags import TagProposal, TagService

AGENCY = "+8617012345678"
OWN = "+8613812345678"


@pytest.fixture
def screener(db: Database) -> Screener:
    return Screener(TagCache(db, refresh_seconds=0.2), MappingDirectory({"C1": OWN, "C2": None}))


def test_customer_on_own_phone_is_low_risk(screener: Screener) -> None:
    result = screener.screen("138 1234 5678", "95555", "C1")
    assert (result.risk_level, result.caller, result.number_type) == ("low", OWN, "mobile")
    assert result.handling[0]["code"] == "standard" and not result.tags


def test_tag_changes_are_seen_within_a_second(db: Database, screener: Screener) -> None:
    before = screener.screen(AGENCY, "95555", "C1")
    assert before.risk_level == "medium"  # a virtual segment and not the customer's registered phone
    with db.session() as s:
        tag_id = TagService(s, "model-run").propose(TagProposal(
            "blackgray_number", "number", AGENCY, "model", confidence=0.9, source_ref="callers/v0001")).id
    with db.session() as s:
        TagService(s, "wang").review(tag_id, "confirm", "多名客户反映该号码为代理机构")
    deadline = time.monotonic() + 1.0
    result = screener.screen(AGENCY, "95555", "C1")
    while result.risk_level != "high" and time.monotonic() < deadline:
        time.sleep(0.05)
        result = screener.screen(AGENCY, "95555", "C1")
    assert result.risk_level == "high", "a confirmed tag must reach screening within 1 s"
    assert [t["tag_type"] for t in result.tags] == ["blackgray_number"]
    assert {h["code"] for h in result.handling} == {"specialist_team", "mandatory_identity_verification",
                                                     "consumer_protection_notice"}
    assert any("黑灰产惯用号码" in r for r in result.reasons)
    with db.session() as s:
        TagService(s, "li").review(tag_id, "reject", "误报")
    time.sleep(0.3)
    assert screener.screen(AGENCY, "95555", "C1").risk_level == "medium"


def test_reassuring_tag_lowers_risk(db: Database, screener: Screener) -> None:
    lawyer = "+8613900000001"
    with db.session() as s:
        TagService(s, "zhao").propose(TagProposal("verified_representative", "number", lawyer, "analyst"),
                                      confirmed=True)
    time.sleep(0.3)
    assert screener.screen(lawyer, "95555", "C1").risk_score < 0


@pytest.mark.parametrize(("caller", "line", "customer", "error", "message"), [
    ("12ab", "95555", None, ValidationError, "来电号码格式不正确"),
    (OWN, "", None, ValidationError, "被叫线路"),
    (OWN, "95555; DROP", None, ValidationError, "被叫线路"),
    (OWN, "95555", "C999", NotFoundError, "客户不存在"),
    (OWN, "95555", "C 1", ValidationError, "客户号格式"),
])
def test_bad_input_is_refused_clearly(screener: Screener, caller: str, line: str, customer: str | None,
                                      error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        screener.screen(caller, line, customer)


def _redis_url() -> str:
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.2).ping()
    except (redis.RedisError, OSError) as exc:
        pytest.skip(f"Redis unreachable at {url}: {exc}")
    return url


def test_redis_marker_shares_the_store_poll_and_survives_redis_loss(db: Database) -> None:
    import uuid

    key = f"gs-test:{uuid.uuid4().hex}"
    marker = RedisMarker(_redis_url(), key=key, ttl_ms=300)
    screener = Screener(TagCache(db, refresh_seconds=0.1, marker=marker), MappingDirectory({"C1": OWN}))
    assert screener.screen(AGENCY, "95555").risk_level == "low"
    with db.session() as s:
        TagService(s, "zhao").propose(TagProposal("blackgray_number", "number", AGENCY, "analyst"), confirmed=True)
    deadline = time.monotonic() + 1.0
    while screener.screen(AGENCY, "95555").risk_level == "low" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert screener.screen(AGENCY, "95555").risk_level == "high"
    assert marker.client.get(key) is not None
    marker.client.delete(key)
    down = RedisMarker("redis://127.0.0.1:1/0", key=key)  # nothing listens there: falls back to the store
    assert down.current(db) == StoreMarker().current(db) > 0


@pytest.mark.parametrize("caller", [None, "", "  ", "anonymous", "Withheld", "未知号码"])
def test_withheld_caller_gets_the_identity_verification_policy(screener: Screener, caller: str | None) -> None:
    result = screener.screen(caller, "95555", "C1")
    assert (result.caller, result.number_type, result.risk_level) == ("", "withheld", "medium")
    assert result.handling[0]["code"] == "mandatory_identity_verification"
    assert "来电号码隐藏" in result.reasons[0]
    assert screener.screen(caller, "95555").risk_level == "medium"  # with no claimed customer too


def test_withheld_caller_still_refuses_bad_line_and_unknown_customer(screener: Screener) -> None:
    with pytest.raises(ValidationError, match="被叫线路"):
        screener.screen(None, "", None)
    with pytest.raises(NotFoundError, match="客户不存在"):
        screener.screen("", "95555", "C999")
