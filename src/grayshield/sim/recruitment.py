"""Who the gangs recruit, whose contact numbers they take over, and the hard-negative roles.

Gangs recruit customers already at M2+ (the ones collections press hardest), preferring their home province;
data brokers collect a customer's data and resell it, so another gang makes the calls. Contact changes are
drawn here too: ordinary ones (moving house, a new phone) and hijacks to a gang number, often unverified.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from grayshield.sim.actors import Gang, Staff
from grayshield.sim.content import ContentGenerator
from grayshield.sim.ledger import Exposure
from grayshield.sim.params import WorldParams
from grayshield.sim.population import Population
from grayshield.sim.sink import WorldSink
from grayshield.sim.util import Calendar, IdMint, NDArray

NONE = -1


@dataclass
class Roles:
    """Per customer of a block: gang ties (index into the gang list, -1 for none) and hard-negative roles."""

    gang: NDArray  # gang that recruited the customer
    caller_gang: NDArray  # gang that acts for them (a buyer of the data when a broker recruited them)
    recruited_time: NDArray
    aware: NDArray
    hijack_time: NDArray  # NaT when the mobile was never taken over
    hijack_number: NDArray
    mobile_change_time: NDArray  # ordinary change to the spare number, NaT if none
    self_negotiator: NDArray  # month index the customer first asked for a plan, -1 if never
    elderly_helper: NDArray

    @property
    def recruited(self) -> NDArray:
        return np.asarray(self.gang >= 0)

    def mobile_at(self, pop: Population, cust: NDArray, times: NDArray) -> NDArray:
        """The mobile the bank has on file for ``cust`` at ``times`` (dialled by collectors)."""
        own = np.asarray(pop.own_phone.take(cust).to_pylist(), dtype=object)
        spare = np.asarray(pop.spare_phone.take(cust).to_pylist(), dtype=object)
        moved = ~np.isnat(self.mobile_change_time[cust]) & (self.mobile_change_time[cust] <= times)
        current = np.where(moved, spare, own)
        taken = ~np.isnat(self.hijack_time[cust]) & (self.hijack_time[cust] <= times)
        return np.where(taken, self.hijack_number[cust], current)


def assign_roles(
    params: WorldParams, rng: np.random.Generator, pop: Population, exp: Exposure, cal: Calendar,
    gangs: list[Gang],
) -> Roles:
    n, months = pop.n, cal.months
    gang = np.full(n, NONE)
    recruited_time = np.full(n, np.datetime64("NaT"), dtype="datetime64[ms]")
    weights = np.array([g.weight for g in gangs])
    homes = np.array([g.home_province for g in gangs], dtype=object)
    starts = np.array([g.start_day for g in gangs], dtype="datetime64[D]")
    for t in range(months):
        growth = 1 + 0.3 * params.drift * t / max(months - 1, 1)
        eligible = np.flatnonzero((exp.bucket[:, t] >= 2) & (gang == NONE))
        chosen = eligible[rng.random(eligible.size) < params.recruitment_rate * growth]
        active = starts <= cal.starts[t + 1]
        if not chosen.size or not active.any():
            continue
        affinity = weights * active * np.where(homes[None, :] == pop.province[chosen, None], 4.0, 1.0)
        cumulative = np.cumsum(affinity / affinity.sum(axis=1, keepdims=True), axis=1)
        gang[chosen] = np.minimum((cumulative < rng.random((chosen.size, 1))).sum(axis=1), len(gangs) - 1)
        recruited_time[chosen] = cal.times_in_month(rng, t, chosen.size, office_hours=False)
    recruited = gang >= 0
    caller_gang = gang.copy()
    brokers = np.array([g.kind == "data_broker" for g in gangs])
    buyers = np.flatnonzero(~brokers)
    resold = recruited & brokers[np.maximum(gang, 0)]
    if buyers.size:
        caller_gang[resold] = rng.choice(buyers, resold.sum())
    aware = recruited & (rng.random(n) >= params.unaware_rate)

    hijack_time = np.where(
        recruited & (rng.random(n) < params.contact_hijack_rate),
        recruited_time + rng.integers(1, 20 * 86_400_000, n).astype("timedelta64[ms]"),
        np.datetime64("NaT"),
    )
    hijack_time[hijack_time >= cal.end.astype("datetime64[ms]")] = np.datetime64("NaT")
    hijack_number = np.full(n, None, dtype=object)
    for i in np.flatnonzero(~np.isnat(hijack_time)):
        takeover = gangs[caller_gang[i]].takeover_numbers()
        hijack_number[i] = gangs[caller_gang[i]].use(takeover[int(rng.integers(len(takeover)))])

    mobile_change = cal.times_in_month(rng, rng.integers(0, months, n), n, office_hours=True)
    mobile_change[rng.random(n) >= 0.004 * months] = np.datetime64("NaT")
    ever_delinquent = (exp.bucket >= 1)
    asks = ever_delinquent & ~recruited[:, None] & (rng.random((n, months)) < params.self_negotiation_rate)
    self_negotiator = np.where(asks.any(axis=1), asks.argmax(axis=1), NONE)
    elderly = (pop.age >= 65) & (rng.random(n) < params.elderly_helper_rate) & ~recruited
    return Roles(gang, caller_gang, recruited_time, aware, hijack_time, hijack_number, mobile_change,
                 self_negotiator, elderly)


def emit_contact_changes(
    rng: np.random.Generator, pop: Population, roles: Roles, cal: Calendar, gangs: list[Gang], staff: Staff,
    gen: ContentGenerator, sink: WorldSink, mint: IdMint,
) -> dict[str, NDArray]:
    """Contact changes (ordinary and hijacks); returns the hotline/branch ones for the staff log."""
    n, months = pop.n, cal.months
    agents = staff.staff_id[staff.of_role("service_agent")]
    own = np.asarray(pop.own_phone.to_pylist(), dtype=object)
    spare = np.asarray(pop.spare_phone.to_pylist(), dtype=object)
    parts: list[dict[str, NDArray]] = []

    moved = np.flatnonzero(~np.isnat(roles.mobile_change_time))
    parts.append(_changes(rng, moved, roles.mobile_change_time[moved], "mobile", own[moved], spare[moved],
                          verified_share=0.97))
    hijacked = np.flatnonzero(~np.isnat(roles.hijack_time))
    before = np.where(~np.isnat(roles.mobile_change_time[hijacked])
                      & (roles.mobile_change_time[hijacked] < roles.hijack_time[hijacked]),
                      spare[hijacked], own[hijacked])
    parts.append(_changes(rng, hijacked, roles.hijack_time[hijacked], "mobile", before,
                          roles.hijack_number[hijacked], verified_share=0.35, hijack=True))
    # Gangs also replace the emergency contact, so collectors' fallback calls reach them too.
    emergency = hijacked[rng.random(hijacked.size) < 0.4]
    numbers = np.array([_any_number(rng, gangs[roles.caller_gang[i]]) for i in emergency], dtype=object)
    relative = np.asarray(pop.relative_phone.take(emergency).to_pylist(), dtype=object)
    parts.append(_changes(rng, emergency, roles.hijack_time[emergency] + np.timedelta64(600_000, "ms"),
                          "emergency_contact_phone", relative, numbers, verified_share=0.35, hijack=True))
    for field_name, rate in (("address", 0.004), ("email", 0.002), ("emergency_contact_phone", 0.002)):
        who = np.flatnonzero(rng.random(n) < rate * months)
        when = cal.times_in_month(rng, rng.integers(0, months, who.size), who.size, office_hours=True)
        if field_name == "address":
            old = np.array([gen.address(pop.province[i], pop.city[i]) for i in who], dtype=object)
            new = np.array([gen.address(pop.province[i], pop.city[i]) for i in who], dtype=object)
        elif field_name == "email":
            old = np.full(who.size, None, dtype=object)
            new = np.char.add(np.char.add("u", (pop.offset + who).astype(str)), "@mail.example.cn").astype(object)
        else:
            old = np.asarray(pop.relative_phone.take(who).to_pylist(), dtype=object)
            new = np.full(who.size, None, dtype=object)  # the contact removed
        parts.append(_changes(rng, who, when, field_name, old, new, verified_share=0.97))

    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    by_staff = np.isin(cols["channel"], ("hotline", "branch"))
    staff_ids = np.full(len(by_staff), None, dtype=object)
    staff_ids[by_staff] = rng.choice(agents, by_staff.sum()) if agents.size else None
    hijack_rows = np.flatnonzero(cols["hijack"] & by_staff)
    for row in hijack_rows:  # an inside agent processes their gang's takeovers
        inside = gangs[roles.caller_gang[cols["cust"][row]]].inside_agent
        if inside is not None and rng.random() < 0.7:
            staff_ids[row] = inside
    change_ids = mint.take("K", len(by_staff))
    sink.emit("contact_changes", {
        "change_id": change_ids, "customer_id": pop.cust_id.take(cols["cust"]), "change_time": cols["time"],
        "field": cols["field"], "old_value": pa.array(cols["old"], pa.string()),
        "new_value": pa.array(cols["new"], pa.string()), "channel": cols["channel"],
        "verified": cols["verified"], "staff_id": pa.array(staff_ids, pa.string()),
    })
    keep = np.flatnonzero(by_staff)
    return {"change_id": np.asarray(change_ids.to_pylist(), dtype=object)[keep], "cust": cols["cust"][keep],
            "time": cols["time"][keep], "staff": staff_ids[keep], "verified": cols["verified"][keep],
            "hijack": cols["hijack"][keep]}


def _changes(
    rng: np.random.Generator, cust: NDArray, when: NDArray, field_name: str, old: NDArray, new: NDArray,
    verified_share: float, hijack: bool = False,
) -> dict[str, NDArray]:
    channel = rng.choice(np.array(["app", "hotline", "branch", "online"]), cust.size,
                         p=[0.45, 0.45, 0.0, 0.1] if hijack else [0.55, 0.25, 0.15, 0.05])
    return {"cust": cust, "time": np.asarray(when, dtype="datetime64[ms]"), "field": np.full(cust.size, field_name),
            "old": np.asarray(old, dtype=object), "new": np.asarray(new, dtype=object), "channel": channel,
            "verified": rng.random(cust.size) < verified_share, "hijack": np.full(cust.size, hijack)}


def _any_number(rng: np.random.Generator, gang: Gang) -> str:
    return gang.use(gang.numbers[int(rng.integers(len(gang.numbers)))])
