"""The complaint early-warning feature catalogue: four dimensions across the card lifecycle.

Each feature is data: its dimension, its window, its source table, an Ibis aggregation and the business
Chinese that explains it to an agent (used for alert reasons). ``docs/features.md`` is rendered from this
module, and the builder (``features.build``) turns the catalogue into one query per (source, window), so
adding a feature is adding one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import ibis.expr.types as ir

WINDOWS = (7, 30, 90, 180)


class Dimension(StrEnum):
    CUSTOMER_ATTRIBUTES = "customer_attributes"  # 客户属性
    CUSTOMER_BEHAVIOUR = "customer_behaviour"  # 客户行为
    PRODUCTS_SERVICES = "products_services"  # 产品服务
    BUSINESS_ACTIONS = "business_actions"  # 业务行为


DIMENSION_ZH = {
    Dimension.CUSTOMER_ATTRIBUTES: "客户属性",
    Dimension.CUSTOMER_BEHAVIOUR: "客户行为",
    Dimension.PRODUCTS_SERVICES: "产品服务",
    Dimension.BUSINESS_ACTIONS: "业务行为",
}


class TableSource(Protocol):
    """Anything that hands out contract tables as Ibis tables: the lake, or a world on disk."""

    def table(self, name: str) -> ir.Table: ...


@dataclass(frozen=True)
class EventSource:
    """An event table keyed to a customer and a time; ``prepare`` may derive columns from other tables."""

    name: str
    tables: tuple[str, ...]
    key: str
    time: str
    prepare: Callable[[TableSource], ir.Table]


@dataclass(frozen=True)
class WindowFeature:
    """An aggregate over a source's events in ``[as_of - window_days, as_of)``; null (no events) means 0."""

    name: str
    dimension: Dimension
    source: str
    window_days: int
    aggregate: Callable[[ir.Table], ir.Value]
    definition: str
    reason_zh: str
    fill: float | None = 0.0


@dataclass(frozen=True)
class DerivedFeature:
    """A feature computed from other features of the same row (ratios, growth)."""

    name: str
    dimension: Dimension
    inputs: tuple[str, ...]
    compute: Callable[..., ir.Value]
    definition: str
    reason_zh: str
    window_days: int | None = None


@dataclass(frozen=True)
class StaticFeature:
    """A customer attribute evaluated at the scoring date."""

    name: str
    dimension: Dimension
    compute: Callable[[ir.Table], ir.Value]  # over customers joined to the spine (has ``as_of``)
    definition: str
    reason_zh: str
    categorical: bool = False


@dataclass(frozen=True)
class NetworkFeature:
    """A feature that looks across customers: how many others share a number with this customer.

    ``compute(source, spine, window_days)`` returns ``(customer_id, as_of, value)`` rows; it must read only
    events in ``[as_of - window, as_of)`` for every customer involved, so the network seen at a scoring date
    is the one that existed then. Missing rows mean 0.
    """

    name: str
    dimension: Dimension
    tables: tuple[str, ...]
    window_days: int
    compute: Callable[[TableSource, ir.Table, int], ir.Table]
    definition: str
    reason_zh: str


Feature = WindowFeature | DerivedFeature | StaticFeature | NetworkFeature
