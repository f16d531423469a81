"""How a number behaves towards the bank, as Ibis expressions over the contract tables (DuckDB here, Spark later).

Everything is point in time: a number is described at ``as_of`` from events in ``[as_of - window, as_of)``, so
the same code scores today's numbers and rebuilds a training set for any past date without leaking the future.
An agency's habitual number calls about many customers, on their behalf (caller not the number on file), often
for customers already in collections, fails identity checks, and is the number those customers recently moved
their contact details to; its customers are also called about from the agency's other numbers (graph links).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from grayshield.features.catalogue import TableSource

WINDOWS = (30, 90)
THIRD_PARTY_RELATIONS = ("lawyer", "agency", "friend", "other", "relative")
COLLECTION_STAGES = ("internal_collection", "outsourced", "legal", "written_off")
CONTACT_FIELDS = ("mobile", "home_phone", "work_phone", "emergency_contact_phone")
BUSY_CUSTOMERS = 3
"""A number calling about this many distinct customers in a window is 'busy'; links to busy numbers count."""

CALL_COLUMNS = (
    "call_id", "caller_number", "claimed_customer_id", "start_time", "duration_s", "queue", "caller_relation",
    "identity_verified", "caller_is_registered", "caller_withheld", "hour", "is_night", "third_party_relation",
)


def _ts(day: date) -> ir.Scalar:
    return ibis.literal(datetime(day.year, day.month, day.day)).cast("timestamp")


WITHHELD_MARKERS = ("", "withheld", "anonymous", "private", "restricted", "unknown", "unavailable", "隐藏",
                    "未知", "未知号码", "无主叫号码")
"""How telephony exports spell a caller number that was not presented (besides NULL)."""


def presented_number(number: ir.StringValue) -> ir.StringValue:
    """The caller number, or NULL when the network withheld it (empty, 'anonymous', 'withheld', ...)."""
    cleaned = number.strip()
    return ibis.ifelse(cleaned.lower().isin(WITHHELD_MARKERS), ibis.null().cast("string"), cleaned)


def inbound_calls(source: TableSource, start: date, end: date, withheld: bool = False) -> ir.Table:
    """Inbound calls in ``[start, end)``, with call-level facts the features need.

    Number behaviour needs a number: by default calls whose number was withheld are left out. The per-call
    proxy question asks about them too (``withheld=True``): their ``caller_number`` is NULL.
    """
    calls = source.table("calls")
    calls = calls.mutate(caller_number=presented_number(calls.caller_number))
    calls = calls.filter(
        (calls.direction == "inbound") & (calls.caller_number.notnull() | ibis.literal(withheld))
        & (calls.start_time >= _ts(start)) & (calls.start_time < _ts(end))
    )
    customers = source.table("customers").select(cust_id="customer_id", registered_phone="registered_phone")
    joined = calls.left_join(customers, calls.claimed_customer_id == customers.cust_id)
    hour = joined.start_time.hour()
    return joined.select(
        "call_id", "caller_number", "claimed_customer_id", "start_time", "duration_s", "queue", "caller_relation",
        "identity_verified",
        caller_is_registered=(joined.caller_number == joined.registered_phone).fill_null(False),
        caller_withheld=joined.caller_number.isnull().cast("float64"),
        hour=hour,
        is_night=(hour >= 21) | (hour < 8),
        third_party_relation=joined.caller_relation.isin(THIRD_PARTY_RELATIONS).fill_null(False),
    )


def customer_state(source: TableSource, as_of: date, lookback_days: int = 180) -> ir.Table:
    """Per customer at ``as_of``: worst days past due and whether the account sat in collections lately."""
    snaps = source.table("delinquency")
    start = as_of - timedelta(days=lookback_days)
    snaps = snaps.filter((snaps.snapshot_date >= start) & (snaps.snapshot_date < as_of))
    return snaps.group_by(state_customer_id=snaps.customer_id).aggregate(
        max_dpd=snaps.days_past_due.max(),
        in_collection=snaps.collection_stage.isin(COLLECTION_STAGES).any(),
    )


def contact_moves(source: TableSource, start: date, end: date) -> ir.Table:
    """(customer, new number) pairs where the customer moved a phone contact to that number in the window."""
    changes = source.table("contact_changes")
    changes = changes.filter(
        changes.field.isin(CONTACT_FIELDS) & changes.new_value.notnull()
        & (changes.change_time >= _ts(start)) & (changes.change_time < _ts(end))
    )
    return changes.select(move_customer_id=changes.customer_id, number=changes.new_value,
                          move_verified=changes.verified).distinct()


def _window_aggregates(calls: ir.Table, state: ir.Table, window: int) -> ir.Table:
    joined = calls.left_join(state, calls.claimed_customer_id == state.state_customer_id)
    claimed = joined.claimed_customer_id.notnull()
    delinquent_customer = ibis.ifelse(joined.max_dpd.fill_null(0) > 0, joined.claimed_customer_id, ibis.null())
    collection_customer = ibis.ifelse(joined.in_collection.fill_null(False), joined.claimed_customer_id,
                                      ibis.null())
    distinct = joined.claimed_customer_id.nunique()
    n = joined.count()
    s = f"_{window}d"
    return joined.group_by(number=joined.caller_number).aggregate(**{
        f"calls{s}": n,
        f"active_days{s}": joined.start_time.date().nunique(),
        f"calls_per_day{s}": n.cast("float64") / window,
        f"distinct_customers{s}": distinct,
        f"night_share{s}": joined.is_night.cast("float64").mean(),
        f"morning_share{s}": ((joined.hour >= 8) & (joined.hour < 12)).cast("float64").mean(),
        f"afternoon_share{s}": ((joined.hour >= 12) & (joined.hour < 18)).cast("float64").mean(),
        f"not_registered_share{s}": ibis.ifelse(claimed, (~joined.caller_is_registered).cast("float64"),
                                                ibis.null()).mean(),
        f"verify_fail_share{s}": (~joined.identity_verified).cast("float64").mean(),
        f"third_party_share{s}": joined.third_party_relation.cast("float64").mean(),
        f"collection_queue_share{s}": (joined.queue == "collection").cast("float64").fill_null(0).mean(),
        f"complaint_queue_share{s}": (joined.queue == "complaint").cast("float64").fill_null(0).mean(),
        f"delinquent_customer_share{s}": delinquent_customer.nunique().cast("float64")
        / ibis.greatest(distinct, 1),
        f"collection_customer_share{s}": collection_customer.nunique().cast("float64")
        / ibis.greatest(distinct, 1),
        f"mean_duration{s}": joined.duration_s.cast("float64").mean(),
    })


def graph_links(calls: ir.Table) -> ir.Table:
    """Per number: other numbers calling about the same customers, and how many of those are busy numbers.

    The number-customer graph is bipartite; two numbers are linked when they speak for a common customer.
    An agency rotates numbers over a shared customer book, so its numbers link to each other and to busy ones.
    """
    edges = calls.filter(calls.claimed_customer_id.notnull()).select(
        number="caller_number", customer="claimed_customer_id").distinct()
    reach = edges.group_by("number").aggregate(reach=edges.customer.nunique())
    other = edges.join(reach, "number").select(other_number="number", other_customer="customer",
                                               other_reach="reach")
    pairs = edges.join(other, (edges.customer == other.other_customer) & (edges.number != other.other_number))
    pairs = pairs.select("number", "other_number", "other_reach").distinct()
    return pairs.group_by("number").aggregate(
        linked_numbers=pairs.other_number.nunique(),
        linked_busy_numbers=ibis.ifelse(pairs.other_reach >= BUSY_CUSTOMERS, pairs.other_number,
                                        ibis.null()).nunique(),
    )


def number_features(source: TableSource, as_of: date, windows: Sequence[int] = WINDOWS) -> ir.Table:
    """One row per caller number seen in the longest window, with every behaviour feature at ``as_of``."""
    longest = max(windows)
    state = customer_state(source, as_of)
    calls_long = inbound_calls(source, as_of - timedelta(days=longest), as_of)
    result = calls_long.select("caller_number").distinct().rename(number="caller_number")
    for window in sorted(windows):
        calls = calls_long.filter(calls_long.start_time >= _ts(as_of - timedelta(days=window)))
        agg = _window_aggregates(calls, state, window)
        result = result.left_join(agg, "number").drop("number_right")
    moves = contact_moves(source, as_of - timedelta(days=longest), as_of)
    moved = moves.group_by("number").aggregate(
        moved_to_customers=moves.move_customer_id.nunique(),
        moved_unverified_customers=ibis.ifelse(~moves.move_verified, moves.move_customer_id,
                                               ibis.null()).nunique(),
    )
    result = result.left_join(moved, "number").drop("number_right")
    result = result.left_join(graph_links(calls_long), "number").drop("number_right")
    numeric = [c for c in result.columns if c != "number"]
    return result.mutate(**{c: result[c].cast("float64").fill_null(0.0) for c in numeric})


def call_frame(source: TableSource, start: date, end: date) -> ir.Table:
    """Per inbound call in ``[start, end)``: its own facts plus the claimed customer's state and contact moves
    in the 90 days before the call (point in time per call, not per window). Calls with a withheld number are
    included (``caller_withheld`` 1, ``caller_number`` NULL): the proxy question is asked of every call."""
    calls = inbound_calls(source, start, end, withheld=True)
    snaps = source.table("delinquency")
    lagged = calls.left_join(
        snaps,
        (calls.claimed_customer_id == snaps.customer_id)
        & (snaps.snapshot_date.cast("timestamp") < calls.start_time)
        & (snaps.snapshot_date.cast("timestamp") >= calls.start_time - ibis.interval(days=180)),
    )
    state = lagged.group_by("call_id").aggregate(
        customer_max_dpd=lagged.days_past_due.max().fill_null(0).cast("float64"),
        customer_in_collection=lagged.collection_stage.isin(COLLECTION_STAGES).any().fill_null(False)
        .cast("float64"),
    )
    changes = source.table("contact_changes")
    changes = changes.filter(changes.field.isin(CONTACT_FIELDS))
    moved = calls.left_join(
        changes,
        (calls.claimed_customer_id == changes.customer_id) & (changes.change_time < calls.start_time)
        & (changes.change_time >= calls.start_time - ibis.interval(days=90)),
    )
    moves = moved.group_by("call_id").aggregate(
        customer_contact_changes_90d=moved.change_id.nunique().cast("float64"),
        caller_is_new_contact=(moved.new_value == moved.caller_number).any().fill_null(False).cast("float64"),
    )
    return calls.join(state, "call_id").join(moves, "call_id")
