"""Turns the catalogue into Ibis queries: one range join and aggregate per (source, window).

Point-in-time correctness is structural: an event counts for a scoring date ``as_of`` only when its time
is in ``[as_of - window, as_of)``, so nothing on or after the scoring date can leak in, and current-state
columns of the extract (an account's limit or status today) are never read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import ibis

from grayshield.features.catalogue import (
    DerivedFeature,
    Feature,
    NetworkFeature,
    StaticFeature,
    TableSource,
    WindowFeature,
)
from grayshield.features.definitions import SOURCES, default_catalogue

if TYPE_CHECKING:
    import ibis.expr.types as ir

SPINE_KEYS = ("customer_id", "as_of")


def make_spine(source: TableSource, as_of_dates: Sequence[date]) -> ir.Table:
    """Every customer already on book at each scoring date."""
    customers = source.table("customers").select("customer_id", "onboard_date")
    dates = ibis.memtable({"as_of": list(as_of_dates)}, schema={"as_of": "date"})
    spine = customers.cross_join(dates)
    return spine.filter(spine.onboard_date < spine.as_of).select(*SPINE_KEYS)


def _window_group(source: TableSource, spine: ir.Table, source_name: str, window: int,
                  features: list[WindowFeature]) -> ir.Table:
    spec = SOURCES[source_name]
    events = spec.prepare(source)
    events = events.mutate(_key=events[spec.key], _t=events[spec.time].cast("timestamp"))
    events = events.drop(*[c for c in (spec.key, spec.time) if c in events.columns and c not in ("_key", "_t")])
    joined = spine.join(
        events,
        [
            spine.customer_id == events._key,
            events._t < spine.as_of_ts,
            events._t >= spine.as_of_ts - ibis.interval(days=window),
        ],
    )
    return joined.group_by(list(SPINE_KEYS)).aggregate(**{f.name: f.aggregate(joined) for f in features})


def build_features(source: TableSource, spine: ir.Table, catalogue: Sequence[Feature] | None = None) -> ir.Table:
    """One row per (customer_id, as_of) of ``spine`` with every feature of ``catalogue``, in its order."""
    catalogue = list(catalogue or default_catalogue())
    spine = spine.select(*SPINE_KEYS).mutate(as_of_ts=spine.as_of.cast("timestamp"))

    customers = source.table("customers")
    base = spine.left_join(customers, spine.customer_id == customers.customer_id)
    statics = [f for f in catalogue if isinstance(f, StaticFeature)]
    result = base.select(*SPINE_KEYS, "as_of_ts", **{f.name: f.compute(base) for f in statics})

    groups: dict[tuple[str, int], list[WindowFeature]] = defaultdict(list)
    for f in catalogue:
        if isinstance(f, WindowFeature):
            groups[(f.source, f.window_days)].append(f)
    for (source_name, window), feats in groups.items():
        agg = _window_group(source, spine, source_name, window, feats)
        joined = result.left_join(agg, [result.customer_id == agg.customer_id, result.as_of == agg.as_of])
        result = joined.select(
            *[joined[c] for c in result.columns],
            **{f.name: joined[f.name].cast("float64").fill_null(f.fill) if f.fill is not None
               else joined[f.name].cast("float64") for f in feats},
        )

    for net in (f for f in catalogue if isinstance(f, NetworkFeature)):
        values = net.compute(source, spine, net.window_days)
        joined = result.left_join(values, [result.customer_id == values.customer_id, result.as_of == values.as_of])
        result = joined.select(*[joined[c] for c in result.columns],
                               **{net.name: joined.value.cast("float64").fill_null(0.0)})

    derived = [f for f in catalogue if isinstance(f, DerivedFeature)]
    if derived:
        result = result.mutate(
            **{f.name: f.compute(*[result[i] for i in f.inputs]).cast("float64") for f in derived}
        )
    return result.select(*SPINE_KEYS, *[f.name for f in catalogue])


def feature_names(catalogue: Sequence[Feature] | None = None) -> list[str]:
    return [f.name for f in (catalogue or default_catalogue())]


def categorical_features(catalogue: Sequence[Feature] | None = None) -> list[str]:
    return [f.name for f in (catalogue or default_catalogue()) if isinstance(f, StaticFeature) and f.categorical]
