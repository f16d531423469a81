"""The staff operation log: ordinary work around calls, contact changes and complaints, plus anomalies.

Anomalous staff show one habit each (bulk look-ups with an export, look-ups outside their queue, off-hours
sessions, remote logins from unusual addresses, waivers without identity checks); inside agents keep
serving their gang's numbers. Every operation carries its anomaly in ``truth/staff_operations``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from grayshield.sim.actors import Gang, Staff
from grayshield.sim.calls import CallLog
from grayshield.sim.complaints import ComplaintLog
from grayshield.sim.context import BlockContext
from grayshield.sim.population import Population
from grayshield.sim.sink import WorldSink
from grayshield.sim.util import Calendar, IdMint, NDArray, where_set

SITE_LOCATIONS = {"SH01": "上海张江", "SH02": "上海浦东", "CD01": "成都高新", "WH01": "武汉光谷", "XA01": "西安高新"}
_MINUTE = np.timedelta64(60_000, "ms")


class OpBuffer:
    """Collects operations of a block as column pieces; truth anomaly kept alongside each row."""

    def __init__(self) -> None:
        self.parts: list[dict[str, NDArray]] = []

    def add(self, staff: NDArray, time: NDArray, operation: str | NDArray, anomaly: str | NDArray,
            **optional: NDArray) -> None:
        n = len(staff)
        part = {"staff": np.asarray(staff, dtype=object), "time": np.asarray(time, dtype="datetime64[ms]"),
                "operation": np.broadcast_to(np.asarray(operation, dtype=object), (n,)),
                "anomaly": np.broadcast_to(np.asarray(anomaly, dtype=object), (n,))}
        for key in ("cust", "call", "complaint", "amount", "in_queue", "remote"):
            default: Any = {"cust": -1, "amount": np.nan, "in_queue": None, "remote": False}.get(key)
            value = optional.get(key)
            part[key] = np.asarray(value) if value is not None else np.full(n, default, dtype=object if default
                                                                             is None else type(default))
        self.parts.append(part)


def inside_agents(gangs: Sequence[Gang]) -> dict[str, set[int]]:
    """Agent → indices of the gangs it serves from inside; one agent may be the contact of several gangs."""
    inside: dict[str, set[int]] = {}
    for i, gang in enumerate(gangs):
        if gang.inside_agent is not None:
            inside.setdefault(gang.inside_agent, set()).add(i)
    return inside


def collusion_calls(inside: dict[str, set[int]], agents: NDArray, gangs: NDArray) -> NDArray:
    """Calls an agent took for a gang it serves from inside."""
    return np.array([g in inside.get(a, ()) for a, g in zip(agents, gangs, strict=True)], bool)


def run_staff_operations(
    ctx: BlockContext, pop: Population, calls: CallLog, contact: dict[str, NDArray], complaints: ComplaintLog,
    share: float,
) -> None:
    rng, staff = ctx.rng, ctx.staff
    ops = OpBuffer()
    inside = inside_agents(ctx.gangs)
    collusion = collusion_calls(inside, calls.agent, calls.gang) & calls.is_proxy
    tag = np.where(collusion, "gang_collusion", "none")
    ops.add(calls.agent, calls.time + _MINUTE / 2, "customer_lookup", tag, cust=calls.cust, call=calls.call_id,
            in_queue=np.ones(len(calls.agent), bool))
    v = np.flatnonzero(calls.verified)
    ops.add(calls.agent[v], calls.time[v] + _MINUTE, "identity_verification", tag[v], cust=calls.cust[v],
            call=calls.call_id[v], in_queue=np.ones(v.size, bool))
    d = np.flatnonzero(rng.random(len(calls.agent)) < 0.4)
    ops.add(calls.agent[d], calls.time[d] + 2 * _MINUTE, "view_card_details", tag[d], cust=calls.cust[d],
            call=calls.call_id[d], in_queue=np.ones(d.size, bool))
    _call_waivers(ctx, pop, calls, ops, tag)
    c = np.flatnonzero(contact["staff"] != None)  # noqa: E711
    inside_change = contact["hijack"][c] & np.isin(contact["staff"][c], list(inside))
    ops.add(contact["staff"][c], contact["time"][c], "contact_change",
            np.where(inside_change, "gang_collusion", "none"), cust=contact["cust"][c],
            in_queue=np.ones(c.size, bool))
    ops.add(complaints.handler, complaints.received + 86_400_000 * np.timedelta64(1, "ms"), "complaint_update",
            "none", cust=complaints.cust, complaint=complaints.complaint_id, in_queue=np.ones(len(complaints.cust),
                                                                                             bool))
    done = np.flatnonzero(~np.isnat(complaints.closed))
    ops.add(complaints.handler[done], complaints.closed[done], "complaint_close", "none",
            cust=complaints.cust[done], complaint=complaints.complaint_id[done],
            in_queue=np.ones(done.size, bool))
    _anomalies(ctx, pop, ops, share)
    _emit(ctx, pop, staff, ops)


def _call_waivers(ctx: BlockContext, pop: Population, calls: CallLog, ops: OpBuffer, tag: NDArray) -> None:
    """Waivers granted on calls: gang pressure wins some; a waiver on an unverified call is an anomaly."""
    rng = ctx.rng
    chance = np.where(calls.is_proxy, 0.12, 0.015) * (calls.direction == "inbound")
    w = np.flatnonzero(rng.random(len(calls.agent)) < chance)
    kind = np.where(rng.random(w.size) < 0.5, "fee_waiver", "interest_waiver")
    amount = np.round(rng.lognormal(5.5, 0.8, w.size), 2)
    anomaly = np.where(tag[w] != "none", tag[w], np.where(calls.verified[w], "none", "waiver_without_verification"))
    ops.add(calls.agent[w], calls.time[w] + 3 * _MINUTE, kind, anomaly, cust=calls.cust[w], call=calls.call_id[w],
            amount=amount, in_queue=np.ones(w.size, bool))
    first_account = np.searchsorted(pop.acc_cust, calls.cust[w])
    ctx.sink.emit("product_events", {
        "event_id": ctx.mint.take("EW", w.size), "account_id": pop.acc_id.take(first_account),
        "customer_id": pop.cust_id.take(calls.cust[w]), "event_time": calls.time[w] + 3 * _MINUTE,
        "event_type": kind, "amount": amount,
        "initiated_by": np.where(calls.is_proxy[w], "third_party", "customer"),
        "channel": np.full(w.size, "hotline"), "detail": np.full(w.size, "call_waiver"),
    })


def _anomalies(ctx: BlockContext, pop: Population, ops: OpBuffer, share: float) -> None:
    """Each anomalous staff member's habit, scaled to this block's share of the book."""
    rng, cal, staff = ctx.rng, ctx.cal, ctx.staff
    for s in np.flatnonzero(staff.anomaly != "none"):
        habit = str(staff.anomaly[s])
        sessions = rng.poisson(0.6 * cal.months * share)
        for _ in range(sessions):
            month = int(rng.integers(cal.months))
            start = cal.times_in_month(rng, month, 1, office_hours=habit != "off_hours_access")[0]
            if habit == "off_hours_access":
                start = start.astype("datetime64[D]").astype("datetime64[ms]") + np.timedelta64(
                    int(rng.integers(0, 5 * 3_600_000)), "ms")
            size = int(rng.integers(60, 250)) if habit == "bulk_lookup" else int(rng.integers(3, 15))
            cust = rng.integers(0, pop.n, size)
            times = start + np.sort(rng.integers(0, 3_600_000, size)).astype("timedelta64[ms]")
            who = np.full(size, staff.staff_id[s], dtype=object)
            remote = np.full(size, habit == "unusual_location")
            if habit in ("off_hours_access", "unusual_location"):
                ops.add(who[:1], times[:1] - _MINUTE, "login", habit, remote=remote[:1])
            if habit == "waiver_without_verification":
                ops.add(who, times, "fee_waiver", habit, cust=cust, amount=np.round(rng.lognormal(6, 0.7, size), 2),
                        in_queue=np.ones(size, bool))
                continue
            ops.add(who, times, "customer_lookup", habit, cust=cust, in_queue=np.zeros(size, bool), remote=remote)
            if habit == "bulk_lookup":
                ops.add(who[:1], times[-1:] + _MINUTE, "export_customer_list", habit)


def _workplaces(staff: Staff) -> tuple[NDArray, NDArray]:
    """Each staff member's own terminal IP and site location, indexed like ``staff.staff_id``."""
    k = np.arange(len(staff.staff_id))
    terminal = np.char.add(np.char.add("10.", (k // 250 % 250 + 1).astype(str)),
                           np.char.add(".", np.char.add((k % 250 + 1).astype(str), ".10"))).astype(object)
    return terminal, np.array([SITE_LOCATIONS[s] for s in staff.site], dtype=object)


SHIFT_START_HOUR = {"day": 8.5, "evening": 14.0, "night": 22.0, "flexible": 10.0}


def emit_logins(rng: np.random.Generator, staff: Staff, cal: Calendar, sink: WorldSink, mint: IdMint) -> None:
    """One login per working day and staff member at the start of their shift: the baseline for off-hours."""
    days = np.arange(cal.starts[0], cal.end, dtype="datetime64[D]")
    weekdays = days[np.is_busday(days)]
    n_staff, n_days = len(staff.staff_id), len(weekdays)
    present = rng.random((n_staff, n_days)) < 0.9
    who, day = np.nonzero(present)
    start = np.vectorize(SHIFT_START_HOUR.__getitem__, otypes=[float])(staff.shift)[who]
    jitter_h = np.where(staff.shift[who] == "flexible", rng.uniform(-2, 4, who.size), rng.normal(0, 0.25, who.size))
    when = weekdays[day].astype("datetime64[ms]") + ((start + jitter_h) * 3_600_000).astype("timedelta64[ms]")
    ids_ = mint.take("OL", who.size)
    terminal, site_name = _workplaces(staff)
    sink.emit("staff_operations", {
        "op_id": ids_, "staff_id": staff.staff_id.astype(object)[who], "op_time": when,
        "operation": np.full(who.size, "login", dtype=object), "terminal_ip": terminal[who],
        "location": site_name[who],
    })
    sink.emit("staff_operations", {"op_id": ids_, "anomaly": np.full(who.size, "none", dtype=object)}, truth=True)


def _emit(ctx: BlockContext, pop: Population, staff: Staff, ops: OpBuffer) -> None:
    cols = {k: np.concatenate([p[k] for p in ops.parts]) for k in ops.parts[0]}
    n = len(cols["staff"])
    index = np.searchsorted(staff.staff_id, cols["staff"].astype(str))  # staff ids are issued in sorted order
    terminal, site_name = _workplaces(staff)
    remote = cols["remote"].astype(bool)
    ip = terminal[index]
    ip[remote] = [f"113.87.{b}.7" for b in ctx.rng.integers(1, 255, int(remote.sum()))]
    location = np.where(remote, "remote", site_name[index])
    cust = cols["cust"].astype(np.int64)
    has_cust = cust >= 0
    cust_ids = where_set(has_cust, np.asarray(pop.cust_id.take(np.maximum(cust, 0)).to_pylist(), dtype=object))
    first_account = np.searchsorted(pop.acc_cust, np.maximum(cust, 0))
    with_account = has_cust & np.isin(cols["operation"], ("view_card_details", "fee_waiver", "interest_waiver"))
    acc_ids = where_set(with_account, np.asarray(pop.acc_id.take(first_account).to_pylist(), dtype=object))
    amount = cols["amount"].astype(float)
    op_ids = ctx.mint.take("OP", n)
    ctx.sink.emit("staff_operations", {
        "op_id": op_ids, "staff_id": cols["staff"], "op_time": cols["time"], "operation": cols["operation"],
        "customer_id": pa.array(cust_ids, pa.string()), "account_id": pa.array(acc_ids, pa.string()),
        "call_id": pa.array(cols["call"], pa.string()), "complaint_id": pa.array(cols["complaint"], pa.string()),
        "amount": pa.array(amount, mask=np.isnan(amount)), "terminal_ip": ip, "location": location,
        "in_queue": pa.array(cols["in_queue"], pa.bool_()),
    })
    ctx.sink.emit("staff_operations", {"op_id": op_ids, "anomaly": cols["anomaly"]}, truth=True)
