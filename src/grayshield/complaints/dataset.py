"""Training and scoring frames: one row per (customer, scoring date) with features and, for history, targets.

Targets look forward from the scoring date: ``complaint_30d`` is a complaint on any channel in
``[as_of, as_of + 30 days)``; ``proxy_30d`` is that one of those complaints was gang-driven (ground truth of a
simulated world, or case verdicts on real data). Features look strictly backward (``grayshield.features``), so
the two never overlap.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

import ibis
import pandas as pd

from grayshield.features import build_features, make_spine
from grayshield.features.catalogue import TableSource

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from grayshield.lake import World

HORIZON_DAYS = 30
HISTORY_DAYS = 90
KEYS = ["customer_id", "as_of"]


def data_span(source: TableSource) -> tuple[date, date]:
    """First statement date and last day with any statement or complaint: the history a world covers."""
    statements = source.table("statements")
    complaints = source.table("complaints")
    first = statements.statement_date.min().execute()
    last_statement = statements.statement_date.max().execute()
    last_complaint = complaints.received_time.max().execute()
    if first is None or pd.isna(first):
        from grayshield.core.errors import ValidationError

        raise ValidationError("no statements: cannot place scoring dates (is the lake empty?)")
    last = max(d for d in (_as_date(last_statement), _as_date(last_complaint)) if d is not None)
    return _as_date(first) or last, last


def scoring_dates(source: TableSource, history_days: int = HISTORY_DAYS, horizon_days: int = HORIZON_DAYS,
                  labelled: bool = True) -> list[date]:
    """Month starts with ``history_days`` of history behind them and, when ``labelled``, a full horizon ahead.

    A span too short for even one such date (a three-month extract, say) is refused here with the days it
    has and needs, rather than as an empty spine that fails deep inside the feature query.
    """
    first, last = data_span(source)
    earliest = first + timedelta(days=history_days)
    latest = last - timedelta(days=horizon_days - 1) if labelled else last + timedelta(days=1)
    dates, current = [], date(earliest.year, earliest.month, 1)
    if current < earliest:
        current = _next_month(current)
    while current <= latest:
        dates.append(current)
        current = _next_month(current)
    if not dates:
        from grayshield.core.errors import ValidationError

        needed = history_days + (horizon_days if labelled else 0)
        purpose = f"{history_days} 天历史和 {horizon_days} 天观察期" if labelled else f"{history_days} 天历史"
        raise ValidationError(
            f"数据只覆盖 {first} 至 {last}（{(last - first).days + 1} 天），没有可用的评分日期："
            f"每个评分日期（月初）需要其前 {purpose}，至少约 {needed} 天且跨过一个月初")
    return dates


def latest_scoring_date(source: TableSource) -> date:
    """The newest month start the data reaches: the natural default for a daily or monthly run."""
    return scoring_dates(source, labelled=False)[-1]


def complaint_targets(source: TableSource, spine: ir.Table, truth: World | None = None,
                      horizon_days: int = HORIZON_DAYS) -> ir.Table:
    """(customer_id, as_of, complaint_30d, proxy_30d) for every spine row; proxy_30d is 0 without truth."""
    complaints = source.table("complaints").select("complaint_id", "customer_id", "received_time")
    if truth is not None and truth.has_truth("complaints"):
        verdicts = truth.truth("complaints").select("complaint_id", "is_proxy")
        joined_truth = complaints.left_join(verdicts, "complaint_id")
        complaints = joined_truth.select("customer_id", "received_time",
                                         is_proxy=joined_truth.is_proxy.fill_null(False))
    else:
        complaints = complaints.select("customer_id", "received_time", is_proxy=ibis.literal(False))
    window = spine.select(*KEYS, window_start=spine.as_of.cast("timestamp"))
    joined = window.join(
        complaints,
        [window.customer_id == complaints.customer_id, complaints.received_time >= window.window_start,
         complaints.received_time < window.window_start + ibis.interval(days=horizon_days)],
    )
    hits = joined.group_by(KEYS).aggregate(n=joined.count(), proxy=joined.is_proxy.cast("int64").max())
    out = window.left_join(hits, [window.customer_id == hits.customer_id, window.as_of == hits.as_of])
    return out.select(window.customer_id, window.as_of, complaint_30d=(out.n.fill_null(0) > 0).cast("int64"),
                      proxy_30d=out.proxy.fill_null(0))


def build_frame(source: TableSource, dates: Sequence[date], truth: World | None = None,
                labelled: bool = True) -> pd.DataFrame:
    """Features (and targets when ``labelled``) for every customer on book at each date, as pandas."""
    spine = make_spine(source, dates)
    features = build_features(source, spine)
    if labelled:
        targets = complaint_targets(source, spine, truth)
        features = features.join(targets, KEYS)
    frame: pd.DataFrame = features.order_by(KEYS).to_pandas()
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
    return frame


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def _as_date(value: object) -> date | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    return pd.Timestamp(value).date()  # type: ignore[arg-type]
