"""The card ledger month by month: statements, repayments, delinquency M0-M6+, collections, product events.

Vectorised over a block's accounts with one pass per month. Roll rates depend on the customer's latent risk
plus a macro trend (``drift``), so later months look different from earlier ones. Besides the tables, the
ledger returns per customer-month exposures (fees, collection pressure, service failures, ...) that drive
complaints and gang recruitment, and the collection actions whose calls are produced later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from grayshield.sim.params import WorldParams
from grayshield.sim.population import ANNUAL_FEE, Population
from grayshield.sim.sink import WorldSink
from grayshield.sim.util import Calendar, IdMint, NDArray, logit, sigmoid

# Name tables are object arrays: indexing them is cheap and they convert to Arrow strings in bulk.
STAGES = np.array(["none", "early_reminder", "internal_collection", "internal_collection", "outsourced",
                   "outsourced", "legal"], dtype=object)
BUCKET_NAMES = np.array(["M0", "M1", "M2", "M3", "M4", "M5", "M6+"], dtype=object)
AGENCIES = np.array(["AG01", "AG02", "AG03", "AG04"], dtype=object)  # outsourced collection agencies
SERVICE_FAILURES = np.array(["AUTO_DEBIT_FAILED", "APP_OUTAGE", "CARD_DECLINED_ERROR", "STATEMENT_ERROR",
                             "HOTLINE_UNREACHABLE"])
REPAY_CHANNELS = np.array(["auto_debit", "app", "bank_transfer", "third_party", "branch"], dtype=object)
# Collection contacts per delinquent account and month, by bucket: (action type, mean count per bucket 0..6).
COLLECTION_PLAN: tuple[tuple[str, tuple[float, ...]], ...] = (
    ("sms", (0, 2, 2, 2, 1.5, 1.5, 1)),
    ("app_push", (0, 1, 1, 0.5, 0.3, 0.3, 0.2)),
    ("call", (0, 0.8, 2.5, 3, 0.5, 0.3, 0.1)),
    ("outsourced_call", (0, 0, 0, 0.5, 3.5, 4, 3)),
    ("letter", (0, 0, 0.2, 0.4, 0.5, 0.5, 0.5)),
    ("email", (0, 0.3, 0.3, 0.2, 0.1, 0.1, 0.1)),
    ("visit", (0, 0, 0, 0, 0.08, 0.12, 0.15)),
    ("legal_notice", (0, 0, 0, 0, 0, 0.1, 0.3)),
)


@dataclass
class Exposure:
    """Per customer (rows) and month (columns): what the bank did to them and how they behaved."""

    bucket: NDArray
    overdue: NDArray
    fees: NDArray
    utilisation: NDArray
    contacts: NDArray
    harsh_contacts: NDArray
    service_failure: NDArray
    dispute: NDArray
    limit_down: NDArray
    blocked: NDArray
    instalment: NDArray

    @classmethod
    def zeros(cls, n: int, months: int) -> Exposure:
        return cls(*(np.zeros((n, months)) for _ in range(11)))


@dataclass
class LedgerResult:
    exposure: Exposure
    collection: dict[str, NDArray] = field(default_factory=dict)  # action columns, calls resolved later
    status: NDArray = field(default_factory=lambda: np.zeros(0))
    close_date: NDArray = field(default_factory=lambda: np.zeros(0))
    final_limit: NDArray = field(default_factory=lambda: np.zeros(0))


def run_ledger(
    params: WorldParams, rng: np.random.Generator, pop: Population, cal: Calendar, sink: WorldSink,
    mint: IdMint,
) -> LedgerResult:
    na, n, months = pop.n_accounts, pop.n, cal.months
    owner = pop.acc_cust
    risk = pop.risk[owner]
    revolver = rng.random(na) < sigmoid(-0.6 + 0.8 * risk)
    limit = pop.limit.copy()
    bal = np.where(pop.open_day < cal.starts[0], limit * rng.beta(1.2, 5, na), 0.0)
    minp = 0.1 * bal
    base = logit(params.delinquency_rate)
    m6_months = np.zeros(na, dtype=np.int64)
    bucket = _burn_in(rng, base, risk, pop.open_day < cal.starts[0])
    overdue = np.minimum(0.1 * bal * bucket, bal)
    blocked = bucket >= 2
    closed = np.zeros(na, dtype=bool)
    written_off = np.zeros(na, dtype=bool)
    close_date = np.full(na, np.datetime64("NaT"), dtype="datetime64[D]")
    exp = Exposure.zeros(n, months)
    actions: dict[str, list[Any]] = {k: [] for k in ("acc", "time", "type", "bucket")}
    open_month = (pop.open_day.astype("datetime64[M]").astype(np.int64) % 12)

    for t in range(months):
        sd = cal.starts[t] + (pop.stmt_day - 1).astype("timedelta64[D]")
        month_end = cal.starts[t + 1] - np.timedelta64(1, "D")
        activated = ~np.isnat(pop.activation) & (pop.activation <= sd)
        live = activated & ~closed & ~written_off
        macro = params.drift * 0.35 * t / max(months - 1, 1)
        prev_bucket = bucket.copy()
        owes = live & (bal > 1)
        # Roll rates: current accounts go delinquent; delinquent ones cure or roll forward.
        to_m1 = owes & (bucket == 0) & (rng.random(na) < sigmoid(base + 1.1 * risk + macro))
        cure = live & (bucket > 0) & (rng.random(na) < _cure_chance(risk, bucket, macro))
        roll = live & (bucket > 0) & ~cure
        bucket = np.where(to_m1, 1, np.where(cure, 0, np.where(roll, np.minimum(bucket + 1, 6), bucket)))
        m6_months = np.where(bucket == 6, m6_months + 1, 0)

        paid = np.zeros(na)
        stays_current = owes & (prev_bucket == 0) & (bucket == 0)
        paid[stays_current] = np.where(
            revolver[stays_current],
            minp[stays_current] + rng.random(stays_current.sum()) * 0.5 * (bal - minp)[stays_current],
            bal[stays_current],
        )
        partial = (to_m1 | roll) & (rng.random(na) < 0.25)
        paid[partial] = rng.uniform(0.05, 0.6, partial.sum()) * minp[partial]
        paid[cure] = (overdue + minp)[cure]
        paid = np.clip(paid, 0, np.maximum(bal, 0))

        can_spend = live & ~blocked & (bucket == 0)
        spend = np.where(can_spend & (rng.random(na) < 0.8), limit * rng.lognormal(-1.9, 0.8, na), 0.0)
        spend = np.minimum(spend, np.maximum(limit * 1.02 - (bal - paid), 0))
        cash = np.where(can_spend & (rng.random(na) < 0.03), limit * 0.1 * rng.random(na), 0.0)
        carried = np.maximum(bal - paid, 0)
        interest = np.where(live & (revolver | (bucket > 0)), 0.015 * carried, 0.0)
        late_fee = np.where(to_m1 | roll, 0.05 * np.maximum(minp - paid, 0), 0.0)
        cash_fee = np.where(cash > 0, np.maximum(cash * 0.01, 10.0), 0.0)
        annual_due = live & (open_month == (int(cal.starts[t].astype("datetime64[M]").astype(np.int64)) % 12))
        annual = np.where(annual_due & (rng.random(na) < 0.6),
                          np.vectorize(ANNUAL_FEE.__getitem__, otypes=[float])(pop.level), 0.0)
        fees = late_fee + cash_fee + annual
        new_bal = np.round(bal - paid + spend + cash + interest + fees, 2)
        overdue = np.where(bucket > 0, np.maximum(overdue + minp - paid, 0) + late_fee + interest, 0.0)
        overdue = np.minimum(overdue, np.maximum(new_bal, 0))
        minp = np.round(np.clip(0.1 * np.maximum(new_bal - overdue, 0) + overdue, 0, np.maximum(new_bal, 0)), 2)
        dpd = np.where(bucket == 0, 0, np.where(
            bucket < 6, 30 * (bucket - 1) + rng.integers(1, 31, na), 151 + 30 * (m6_months - 1)))

        on_statement = live & ((new_bal != 0) | (spend > 0) | (paid > 0) | (bucket > 0))
        s = np.flatnonzero(on_statement)
        sink.emit("statements", {
            "account_id": pop.acc_id.take(s), "customer_id": pop.cust_id.take(owner[s]),
            "statement_date": sd[s], "due_date": sd[s] + np.timedelta64(20, "D"),
            "statement_balance": new_bal[s], "minimum_due": minp[s], "spend_amount": np.round(spend[s], 2),
            "cash_advance_amount": np.round(cash[s], 2), "interest_charged": np.round(interest[s], 2),
            "fees_charged": np.round(fees[s], 2), "paid_amount": np.round(paid[s], 2),
            "days_past_due": dpd[s], "delinquency_bucket": BUCKET_NAMES[bucket[s]], "credit_limit": limit[s],
        })
        _emit_repayments(rng, pop, sink, mint, paid, sd, cure & (prev_bucket >= 3))

        changed = live & ((bucket > 0) | (prev_bucket > 0))
        d = np.flatnonzero(changed)
        stage = np.where(m6_months[d] >= 3, "written_off", STAGES[bucket[d]])
        sink.emit("delinquency", {
            "account_id": pop.acc_id.take(d), "customer_id": pop.cust_id.take(owner[d]),
            "snapshot_date": np.full(len(d), month_end), "days_past_due": dpd[d],
            "delinquency_bucket": BUCKET_NAMES[bucket[d]], "overdue_amount": np.round(overdue[d], 2),
            "collection_stage": stage,
        })
        contacts, harsh = _plan_collection(params, rng, cal, t, bucket * live, actions)

        events, closing, new_limit, flags = _product_events(rng, pop, cal, t, live, bucket, prev_bucket, blocked, closed, limit, risk,
                                 revolver, new_bal, late_fee, cash_fee, annual, interest, sd)
        sink.emit("product_events", {**events, "event_id": mint.take("E", len(events["account_id"]))})
        # State changes decided by the events above.
        newly_blocked = live & (bucket >= 2) & ~blocked
        unblocked = live & blocked & (bucket == 0)
        blocked = (blocked | newly_blocked) & ~unblocked
        writing_off = live & (m6_months == 3)
        close_date[closing | writing_off] = month_end
        closed |= closing
        written_off |= writing_off
        limit = new_limit

        np.maximum.at(exp.bucket[:, t], owner, bucket * live)
        np.add.at(exp.overdue[:, t], owner, overdue * live)
        np.add.at(exp.fees[:, t], owner, fees)
        np.maximum.at(exp.utilisation[:, t], owner, np.where(limit > 0, new_bal / limit, 0) * live)
        np.add.at(exp.contacts[:, t], owner, contacts)
        np.add.at(exp.harsh_contacts[:, t], owner, harsh)
        np.add.at(exp.blocked[:, t], owner, newly_blocked)
        for column, kind in ((exp.service_failure, "service_failure"), (exp.dispute, "transaction_dispute"),
                             (exp.limit_down, "limit_decrease"), (exp.instalment, "instalment_plan")):
            np.add.at(column[:, t], owner, flags[kind])
        bal = new_bal

    status = np.select(
        [written_off, closed, blocked, np.isnat(pop.activation) | (bal == 0)],
        ["written_off", "closed", "blocked", "dormant"], "active",
    )
    empty = {"acc": np.zeros(0, np.int64), "time": np.zeros(0, "datetime64[ms]"), "type": np.zeros(0, dtype=object),
             "bucket": np.zeros(0, np.int64)}
    collection = {k: np.concatenate(v) if v else empty[k] for k, v in actions.items()}
    return LedgerResult(exp, collection, status, close_date, limit)


def _cure_chance(risk: NDArray, bucket: NDArray, macro: float) -> NDArray:
    """Chance a delinquent account pays back to current: ~60% from M1, ~15% from M6+ at average risk."""
    return sigmoid(0.9 - 0.7 * risk - 0.45 * bucket - macro)


def _burn_in(rng: np.random.Generator, base: float, risk: NDArray, seasoned: NDArray, months: int = 18) -> NDArray:
    """Buckets at the window start: run the roll-rate chain on seasoned accounts so month one is not special."""
    bucket = np.zeros(len(risk), dtype=np.int64)
    at_m6 = np.zeros(len(risk), dtype=np.int64)
    for _ in range(months):
        to_m1 = seasoned & (bucket == 0) & (rng.random(len(risk)) < sigmoid(base + 1.1 * risk))
        cure = (bucket > 0) & (rng.random(len(risk)) < _cure_chance(risk, bucket, 0.0))
        bucket = np.where(to_m1, 1, np.where(cure, 0, np.where(bucket > 0, np.minimum(bucket + 1, 6), 0)))
        at_m6 = np.where(bucket == 6, at_m6 + 1, 0)
        bucket[at_m6 >= 3] = 0  # written off before the window: the book we see holds its successor account
    return bucket


def _emit_repayments(
    rng: np.random.Generator, pop: Population, sink: WorldSink, mint: IdMint, paid: NDArray, sd: NDArray,
    via_agency: NDArray,
) -> None:
    r = np.flatnonzero(paid > 0)
    split = rng.random(len(r)) < 0.15  # some pay in two instalments within the cycle
    rows = np.concatenate([r, r[split]])
    share = np.concatenate([np.where(split, 0.5, 1.0), np.full(split.sum(), 0.5)])
    when = (sd[rows].astype("datetime64[ms]")
            - rng.integers(1, 25 * 86_400_000, len(rows)).astype("timedelta64[ms]"))
    channel = REPAY_CHANNELS[rng.choice(5, len(rows), p=[0.35, 0.4, 0.1, 0.12, 0.03])]
    channel = np.where(via_agency[rows] & (rng.random(len(rows)) < 0.4), "collection_agency", channel)
    sink.emit("repayments", {
        "repayment_id": mint.take("R", len(rows)), "account_id": pop.acc_id.take(rows),
        "customer_id": pop.cust_id.take(pop.acc_cust[rows]), "paid_time": when,
        "amount": np.round(paid[rows] * share, 2), "channel": channel,
    })


def _plan_collection(
    params: WorldParams, rng: np.random.Generator, cal: Calendar, t: int, bucket: NDArray,
    actions: dict[str, list[Any]],
) -> tuple[NDArray, NDArray]:
    """Draw this month's collection actions; returns contacts and harsh contacts per account."""
    intensity = params.collection_intensity * (1 + 0.15 * params.drift * t / max(cal.months - 1, 1))
    contacts = np.zeros(len(bucket))
    harsh = np.zeros(len(bucket))
    delinquent = np.flatnonzero(bucket > 0)
    for kind, means in COLLECTION_PLAN:
        counts = rng.poisson(np.asarray(means)[bucket[delinquent]] * intensity)
        acc = np.repeat(delinquent, counts)
        if not acc.size:
            continue
        contacts[delinquent] += counts
        if kind in ("outsourced_call", "visit", "legal_notice"):
            harsh[delinquent] += counts
        office = kind not in ("sms", "app_push", "email")
        actions["acc"].append(acc)
        actions["time"].append(cal.times_in_month(rng, t, acc.size, office_hours=office))
        actions["type"].append(np.full(acc.size, kind, dtype=object))
        actions["bucket"].append(bucket[acc])
    return contacts, harsh


def _product_events(
    rng: np.random.Generator, pop: Population, cal: Calendar, t: int, live: NDArray, bucket: NDArray,
    prev_bucket: NDArray, blocked: NDArray, closed: NDArray, limit: NDArray, risk: NDArray,
    revolver: NDArray, bal: NDArray, late_fee: NDArray, cash_fee: NDArray, annual: NDArray,
    interest: NDArray, sd: NDArray,
) -> tuple[dict[str, Any], NDArray, NDArray, dict[str, NDArray]]:
    """The month's product events as columns, plus closures, new limits and per-kind flags for the ledger."""
    na = len(live)
    draws = rng.random((8, na))
    current = live & (bucket == 0)
    flags = {
        "annual_fee": annual > 0,
        "late_fee": late_fee > 0,
        "cash_advance_fee": cash_fee > 0,
        "interest_charge": (bucket > 0) & (interest > 0),  # penalty interest; ordinary interest is on statements
        "activation": ~np.isnat(pop.activation) & (pop.activation >= cal.starts[t])
        & (pop.activation < cal.starts[t + 1]),
        "instalment_plan": current & revolver & (bal > 3_000) & (draws[0] < 0.012),
        "limit_increase": current & (risk < 0.3) & (draws[1] < 0.01),
        "limit_decrease": live & (risk > 0.8) & (draws[1] < 0.02 + 0.05 * (bucket > 0)),
        "card_block": live & (bucket >= 2) & ~blocked,
        "card_unblock": live & blocked & (bucket == 0),
        "card_closure": current & (bal <= 1) & (draws[2] < 0.004) & ~closed,
        "card_replacement": live & (draws[3] < 0.002),
        "transaction_dispute": current & (draws[4] < 0.003),
        "service_failure": live & (draws[5] < 0.0025),
        "product_upgrade": current & (risk < 0) & (draws[6] < 0.001),
        "points_redemption": current & (draws[7] < 0.01),
    }
    new_limit = limit.copy()
    new_limit[flags["limit_increase"]] = np.round(limit[flags["limit_increase"]] * 1.3, -2)
    new_limit[flags["limit_decrease"]] = np.round(limit[flags["limit_decrease"]] * 0.7, -2)
    amounts = {
        "annual_fee": annual, "late_fee": late_fee, "cash_advance_fee": cash_fee, "interest_charge": interest,
        "instalment_plan": np.round(bal * 0.6, 2), "limit_increase": new_limit, "limit_decrease": new_limit,
        "transaction_dispute": np.round(rng.lognormal(6.5, 1.0, na), 2),
    }
    who = {"card_closure": "customer", "instalment_plan": "customer", "transaction_dispute": "customer",
           "points_redemption": "customer", "card_replacement": "customer", "activation": "customer",
           "limit_increase": "bank", "limit_decrease": "bank", "product_upgrade": "bank"}
    rows: dict[str, list[Any]] = {k: [] for k in ("acc", "type", "amount", "term", "by", "channel", "detail")}
    for kind, mask in flags.items():
        acc = np.flatnonzero(mask)
        rows["acc"].append(acc)
        rows["type"].append(np.full(acc.size, kind, dtype=object))
        rows["amount"].append(amounts[kind][acc] if kind in amounts else np.full(acc.size, np.nan))
        terms = rng.choice([3, 6, 12, 24], acc.size) if kind == "instalment_plan" else np.zeros(acc.size)
        rows["term"].append(terms)
        by = who.get(kind, "system")
        rows["by"].append(np.full(acc.size, by, dtype=object))
        channel = rng.choice(["app", "hotline", "branch"], acc.size, p=[0.6, 0.3, 0.1]) if by == "customer" \
            else np.full(acc.size, "system", dtype=object)
        rows["channel"].append(channel)
        detail = SERVICE_FAILURES[rng.integers(0, len(SERVICE_FAILURES), acc.size)] if kind == "service_failure" \
            else np.full(acc.size, None, dtype=object)
        rows["detail"].append(detail)
    acc = np.concatenate(rows["acc"])
    kinds = np.concatenate(rows["type"])
    day = sd[acc].astype("datetime64[ms]")
    time = day - rng.integers(0, 28 * 86_400_000, acc.size).astype("timedelta64[ms]")
    time = np.where(np.isin(kinds, ("annual_fee", "late_fee", "interest_charge", "cash_advance_fee")), day, time)
    time = np.maximum(time, cal.starts[t].astype("datetime64[ms]"))
    amount = np.concatenate(rows["amount"])
    term = np.concatenate(rows["term"]).astype(np.int64)
    columns = {
        "account_id": pop.acc_id.take(acc), "customer_id": pop.cust_id.take(pop.acc_cust[acc]),
        "event_time": time, "event_type": kinds,
        "amount": pa.array(np.round(amount, 2), mask=np.isnan(amount)),
        "term_months": pa.array(term, mask=term == 0), "initiated_by": np.concatenate(rows["by"]),
        "channel": np.concatenate(rows["channel"]), "detail": np.concatenate(rows["detail"]),
    }
    return columns, flags["card_closure"], new_limit, {k: v.astype(float) for k, v in flags.items()}
