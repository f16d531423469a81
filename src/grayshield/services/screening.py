"""Real-time screening of an incoming call for the IVR and the agent desktop.

Answers from memory: live tags are cached in-process and the cache asks the store at most every
``refresh_seconds`` whether anything changed (the newest ``tag_events`` id moves on every change, an indexed
lookup), then reloads only the tags that changed. A confirmed, rejected or expired tag is therefore seen within
one second, by every worker process alike, without a request ever waiting on more than that one cheap query.
With many workers, :class:`RedisMarker` lets them share that query through Redis.
"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import select

from grayshield.callers.numbers import NUMBER_TYPE_ZH, NumberType, classify_number
from grayshield.core.errors import NotFoundError, ValidationError
from grayshield.store import Database
from grayshield.store.clock import aware
from grayshield.store.models import Tag, TagEvent
from grayshield.tags.service import change_marker
from grayshield.tags.taxonomy import OPEN_STATES, SOURCE_ZH, STATE_ZH, TAG_TYPES

SCREENING_VERSION = "screen-2026.11-1"
_CALLED_LINE = re.compile(r"^[0-9A-Za-z_\-]{1,32}$")
_CUSTOMER_ID = re.compile(r"^[0-9A-Za-z_\-]{1,64}$")
HANDLING_ZH = {
    "specialist_team": "转专门团队（黑灰产应对组）处理",
    "mandatory_identity_verification": "强制完成客户身份核验后再办理业务",
    "consumer_protection_notice": "播报消费者权益保护提示（警惕代理维权/停息挂账骗局）",
    "standard": "按常规流程处理",
}
LEVEL_ZH = {"high": "高风险", "medium": "中风险", "low": "低风险"}
WITHHELD_MARKERS = frozenset({"", "withheld", "anonymous", "private", "restricted", "unknown", "unavailable",
                              "隐藏", "未知", "未知号码", "无主叫号码"})
"""How an IVR spells a caller number the network did not present (also: no caller at all)."""
WITHHELD_POLICY_POINTS = 1.5
"""A withheld number starts at medium risk: nothing about the line can be checked, so identity must be."""
WITHHELD_REASON = "来电号码隐藏，无法核对号码：须先完成客户身份核验再办理业务"
_TYPE_RISK = {NumberType.VIRTUAL: 1.0, NumberType.IOT: 1.0, NumberType.SERVICE_400: 1.0}


class CustomerDirectory(Protocol):
    """Who the bank's customers are and which phone each registered; a CRM lookup in production."""

    def registered_phone(self, customer_id: str) -> str | None:
        """The customer's registered phone (canonical); raises NotFoundError for an unknown customer."""
        ...


class MappingDirectory:
    """A directory held in memory, loaded once from the lake's customers table (or any mapping)."""

    def __init__(self, phones: dict[str, str | None]) -> None:
        self._phones = phones

    @classmethod
    def from_source(cls, source: Any) -> MappingDirectory:
        """From anything with ``table("customers")`` (a World or the Lake)."""
        frame = source.table("customers").select("customer_id", "registered_phone").to_pyarrow()
        return cls(dict(zip(frame["customer_id"].to_pylist(), frame["registered_phone"].to_pylist(), strict=True)))

    def registered_phone(self, customer_id: str) -> str | None:
        if customer_id not in self._phones:
            raise NotFoundError("客户不存在，请核对客户号")
        return self._phones[customer_id]


class ChangeMarker(Protocol):
    """Where a cache learns the newest tag-event id (it moves on every tag change)."""

    def current(self, database: Database) -> int: ...


class StoreMarker:
    """Each worker asks the store itself: one indexed query per refresh interval and worker."""

    def current(self, database: Database) -> int:
        with database.session() as session:
            return change_marker(session)


class RedisMarker:
    """Many workers share one store query per ``ttl_ms``: the marker is kept in Redis that long.

    Freshness stays within a second (refresh interval plus TTL). If Redis is unreachable the worker asks the
    store itself, so Redis is an optimisation for many workers, never a point of failure.
    """

    def __init__(self, url: str, key: str = "grayshield:tags:marker", ttl_ms: int = 400) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=0.05, socket_connect_timeout=0.05)
        self.key = key
        self.ttl_ms = ttl_ms
        self._errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)

    def current(self, database: Database) -> int:
        try:
            cached = self.client.get(self.key)
            if cached is not None:
                return int(cached)  # type: ignore[arg-type]
            marker = StoreMarker().current(database)
            self.client.set(self.key, marker, px=self.ttl_ms)
            return marker
        except self._errors:
            return StoreMarker().current(database)


@dataclass(frozen=True)
class CachedTag:
    id: int
    tag_type: str
    state: str
    source: str
    confidence: float
    valid_until: datetime | None

    def live(self, now: datetime) -> bool:
        return self.state in OPEN_STATES and (self.valid_until is None or self.valid_until > now)


class TagCache:
    """Live tags by subject, refreshed incrementally when the store's change marker moves."""

    def __init__(self, database: Database, refresh_seconds: float = 0.5,
                 clock: Callable[[], float] = time.monotonic, marker: ChangeMarker | None = None) -> None:
        self.database = database
        self.refresh_seconds = refresh_seconds
        self.clock = clock
        self.marker = marker or StoreMarker()
        self._lock = threading.Lock()
        self._by_subject: dict[tuple[str, str], dict[int, CachedTag]] = defaultdict(dict)
        self._marker = -1
        self._checked = float("-inf")

    def tags(self, subject_type: str, subject_id: str) -> list[CachedTag]:
        self._maybe_refresh()
        return list(self._by_subject.get((subject_type, subject_id), {}).values())

    def _maybe_refresh(self) -> None:
        if self.clock() - self._checked < self.refresh_seconds:
            return
        with self._lock:
            if self.clock() - self._checked < self.refresh_seconds:
                return
            marker = self.marker.current(self.database)
            if marker != self._marker:
                with self.database.session() as session:
                    self._load(session, since=self._marker)
                self._marker = marker
            self._checked = self.clock()

    def _load(self, session: Any, since: int) -> None:
        query = select(Tag)
        if since >= 0:  # incremental: only the tags with events after the last marker
            changed = select(TagEvent.tag_id).where(TagEvent.id > since).distinct()
            query = query.where(Tag.id.in_(changed))
        else:
            query = query.where(Tag.state.in_(OPEN_STATES))
        for tag in session.scalars(query):
            key = (tag.subject_type, tag.subject_id)
            self._by_subject[key].pop(tag.id, None)
            if tag.state in OPEN_STATES:
                self._by_subject[key][tag.id] = CachedTag(tag.id, tag.tag_type, tag.state, tag.source,
                                                         tag.confidence, aware(tag.valid_until))


@dataclass
class ScreenResult:
    """What the IVR and the agent desktop show; every point of risk has a reason."""

    caller: str
    number_type: str
    risk_level: str
    risk_score: float
    tags: list[dict[str, Any]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    handling: list[dict[str, str]] = field(default_factory=list)
    version: str = SCREENING_VERSION

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "risk_level_zh": LEVEL_ZH[self.risk_level]}


class Screener:
    """Caller number + line + claimed customer -> risk level, tags, reasons and suggested handling."""

    def __init__(self, tags: TagCache, customers: CustomerDirectory, high: float = 3.0, medium: float = 1.5) -> None:
        self.tag_cache = tags
        self.customers = customers
        self.high = high
        self.medium = medium

    def screen(self, caller: str | None, called_line: str, claimed_customer_id: str | None = None,
               now: datetime | None = None) -> ScreenResult:
        """Screen one call; a withheld caller (``None``, empty, 'anonymous', ...) gets the withheld policy.

        Withheld is a business case, not bad input: the IVR must still route the call. Nothing about the line
        can be checked, so the call starts at medium risk with mandatory identity verification, and the
        claimed customer's own tags still count. Only a number that is presented but malformed is refused.
        """
        when = now or datetime.now(UTC)
        withheld = caller is None or caller.strip().lower() in WITHHELD_MARKERS
        number, number_type = (None, None) if withheld else classify_number(caller or "")
        if not withheld and number is None:
            raise ValidationError("来电号码格式不正确（应为手机号、固话、400 或 95 短号；号码隐藏时传空字符串或 null）")
        if not _CALLED_LINE.fullmatch(called_line or ""):
            raise ValidationError("被叫线路格式不正确（1-32 位字母、数字、下划线或连字符）")
        score, reasons, tags = 0.0, [], []
        subjects: list[tuple[str, str]] = []
        if number is None or number_type is None:
            score += WITHHELD_POLICY_POINTS
            reasons.append(WITHHELD_REASON)
        else:
            type_risk = _TYPE_RISK.get(number_type, 0.0)
            if type_risk:
                score += type_risk
                reasons.append(f"来电号码为{NUMBER_TYPE_ZH[number_type]}")
            subjects.append(("number", number))
        if claimed_customer_id is not None:
            if not _CUSTOMER_ID.fullmatch(claimed_customer_id):
                raise ValidationError("客户号格式不正确（1-64 位字母、数字、下划线或连字符）")
            registered = self.customers.registered_phone(claimed_customer_id)
            subjects.append(("customer", claimed_customer_id))
            if number is not None and registered is not None and registered != number:
                score += 1.0
                reasons.append("来电号码不是客户预留手机号（可能为他人代为来电）")
        for subject_type, subject_id in subjects:
            for tag in self.tag_cache.tags(subject_type, subject_id):
                if not tag.live(when):
                    continue
                kind = TAG_TYPES.get(tag.tag_type) if tag.tag_type in TAG_TYPES else None
                risk = float(kind.risk if kind else 1)
                weight = 1.0 if tag.state == "confirmed" else 0.5 * tag.confidence
                score += risk * weight
                label = kind.label_zh if kind else tag.tag_type
                tags.append({"id": tag.id, "subject_type": subject_type, "tag_type": tag.tag_type,
                             "label_zh": label, "state": tag.state, "confidence": tag.confidence,
                             "source": tag.source})
                reasons.append(f"{'来电号码' if subject_type == 'number' else '所称客户'}带有标签「{label}」"
                               f"（{STATE_ZH[tag.state]}，来源{SOURCE_ZH.get(tag.source, tag.source)}）")
        level = "high" if score >= self.high else "medium" if score >= self.medium else "low"
        if number is None and level == "low":  # a reassuring customer tag never waives the withheld policy
            level = "medium"
        return ScreenResult(number or "", number_type.value if number_type else WITHHELD_TYPE, level,
                            round(score, 3), tags, reasons, _handling(level, withheld=number is None))


WITHHELD_TYPE = "withheld"


def _handling(level: str, withheld: bool = False) -> list[dict[str, str]]:
    codes = {"high": ["specialist_team", "mandatory_identity_verification", "consumer_protection_notice"],
             "medium": ["mandatory_identity_verification", "consumer_protection_notice"],
             "low": ["standard"]}[level]
    if withheld and "mandatory_identity_verification" not in codes:
        codes = ["mandatory_identity_verification", *codes]
    return [{"code": c, "text": HANDLING_ZH[c]} for c in codes]
