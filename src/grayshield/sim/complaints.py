"""Complaints: genuine ones that grow out of a customer's history, and gang template complaints.

Genuine complaint odds follow a logistic model over the four dimensions a complaint early-warning model
uses (customer attributes, behaviour, products and services, bank actions) plus an unpublished
temperament and monthly noise, so a model can learn them but never perfectly. Gang complaints reuse a few
templates per gang (>90% similar text), carry forged material with shared metadata fingerprints and
often go to the regulator in the name of customers who never knew.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from grayshield.sim.content import COMPLAINT_CAUSES
from grayshield.sim.context import BlockContext
from grayshield.sim.ledger import Exposure
from grayshield.sim.population import Population
from grayshield.sim.recruitment import Roles
from grayshield.sim.util import NDArray, logit, where_set

CAUSES = ("fees_interest", "collection", "service", "transaction_dispute", "negotiated_repayment",
          "credit_report", "product_terms", "marketing", "information_security", "other")
CHANNELS = np.array(["hotline", "app", "branch", "email", "letter", "regulator", "social_media", "online_portal"])
OTHER_CHANNEL_SHARES = np.array([0.45, 0.25, 0.1, 0.05, 0.03, 0.0, 0.02, 0.1])
# Chance a genuine complaint of each cause goes through the regulator rather than the bank's own channels.
REGULATOR_SHARE = {"negotiated_repayment": 0.45, "collection": 0.4, "fees_interest": 0.3, "credit_report": 0.3}
DEMANDS: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "fees_interest": (("fee_waiver", "interest_waiver", "negotiated_repayment", "refund", "explanation"),
                      (0.4, 0.2, 0.2, 0.1, 0.1)),
    "collection": (("stop_collection", "negotiated_repayment", "apology"), (0.45, 0.4, 0.15)),
    "service": (("apology", "compensation", "explanation"), (0.4, 0.3, 0.3)),
    "transaction_dispute": (("refund", "explanation"), (0.8, 0.2)),
    "negotiated_repayment": (("negotiated_repayment",), (1.0,)),
    "credit_report": (("credit_report_correction",), (1.0,)),
    "product_terms": (("explanation", "refund"), (0.6, 0.4)),
    "marketing": (("apology", "other"), (0.6, 0.4)),
    "information_security": (("apology", "compensation"), (0.5, 0.5)),
    "other": (("explanation", "other"), (0.5, 0.5)),
}
FORGED_TYPES = np.array(["hardship_certificate", "medical_record", "unemployment_proof", "power_of_attorney",
                         "id_copy"])
GENUINE_TYPES = np.array(["chat_screenshot", "bank_statement", "medical_record", "other"])
PHONE_CAMERAS = np.array(["iPhone 13", "HUAWEI P40", "Xiaomi 12", "OPPO Reno8", "vivo X80", "Microsoft Word"])
AGENCY_WORDS = ("法务咨询", "债务咨询", "信息咨询", "法律服务", "商务咨询")


@dataclass
class ComplaintLog:
    complaint_id: NDArray
    cust: NDArray
    received: NDArray
    handler: NDArray
    closed: NDArray  # NaT while pending
    is_proxy: NDArray


def run_complaints(ctx: BlockContext, pop: Population, roles: Roles, exp: Exposure) -> ComplaintLog:
    genuine = _genuine(ctx, pop, exp)
    gang = _gang(ctx, pop, roles)
    cols = {k: np.concatenate([genuine[k], gang[k]]) for k in genuine}
    order = np.lexsort((cols["cust"], cols["time"]))
    cols = {k: v[order] for k, v in cols.items()}
    n = len(order)
    complaint_id = np.asarray(ctx.mint.take("CP", n).to_pylist(), dtype=object)
    texts = _texts(ctx, pop, cols)
    rng, cal = ctx.rng, ctx.cal
    closed = cols["time"] + (rng.lognormal(2.2, 0.6, n) * 86_400_000).astype("timedelta64[ms]")
    pending = closed >= cal.end.astype("datetime64[ms]")
    closed[pending] = np.datetime64("NaT")
    outcome = np.where(pending, "pending", cols["outcome"])
    regulator = cols["channel"] == "regulator"
    day = np.datetime_as_string(cols["time"], unit="D")
    ref = where_set(regulator, [f"JR{d.replace('-', '')}{k:05d}" for d, k in zip(day, rng.integers(0, 99_999, n),
                                                                                   strict=True)])
    ctx.sink.emit("complaints", {
        "complaint_id": complaint_id, "customer_id": pop.cust_id.take(cols["cust"]),
        "received_time": cols["time"], "channel": cols["channel"], "regulator_ref": pa.array(ref, pa.string()),
        "category": cols["category"], "demand": cols["demand"], "text": texts,
        "contact_phone": pa.array(cols["phone"], pa.string()), "representative_type": cols["rep_type"],
        "representative_name": pa.array(cols["rep_name"], pa.string()), "material_count": cols["materials"],
        "closed_time": closed, "outcome": outcome,
    })
    gang_ids = np.array([g.gang_id for g in ctx.gangs] + [None], dtype=object)
    ctx.sink.emit("complaints", {
        "complaint_id": complaint_id, "is_proxy": cols["is_proxy"],
        "gang_id": pa.array(gang_ids[cols["gang"]], pa.string()),
        "template_id": pa.array(cols["template"], pa.string()), "forged_material": cols["materials_forged"],
        "customer_aware": cols["aware"], "label": cols["label"],
    }, truth=True)
    _materials(ctx, cols, complaint_id)
    handler = _pick_handlers(ctx, n)
    _events(ctx, complaint_id, cols, closed, outcome, handler)
    _resolutions(ctx, pop, cols, outcome, closed)
    return ComplaintLog(complaint_id, cols["cust"], cols["time"], handler, closed, cols["is_proxy"].astype(bool))


def complaint_logit(ctx: BlockContext, pop: Population, exp: Exposure) -> tuple[NDArray, dict[str, NDArray]]:
    """Log-odds of a genuine complaint per customer-month and the contribution of each cause."""
    p = ctx.params
    attributes = (0.35 * (pop.age >= 60) + 0.25 * (pop.age < 26) + 0.3 * (pop.education == "master_or_above")
                  + 0.25 * np.isin(pop.segment, ("vip", "private")) + 0.2 * (pop.income < 40_000))[:, None]
    behaviour = 0.45 * np.minimum(exp.bucket, 4) + 0.5 * (exp.utilisation > 0.9)
    fees = 0.5 * np.log1p(exp.fees / 100)
    products = fees + 1.8 * exp.service_failure + 2.0 * exp.dispute + 0.3 * exp.instalment
    bank = 0.15 * np.minimum(exp.contacts, 12) + 0.5 * np.minimum(exp.harsh_contacts, 3) \
        + 0.9 * exp.limit_down + 0.7 * exp.blocked
    months = exp.bucket.shape[1]
    trend = 0.2 * p.drift * np.arange(months) / max(months - 1, 1)
    noise = p.complaint_noise * pop.temperament[:, None] + ctx.rng.normal(0, 0.3, exp.bucket.shape)
    base = logit(0.0012) + np.log(max(p.complaint_propensity, 1e-9))
    total = base + attributes + behaviour + products + bank + trend + noise
    causes = {
        "fees_interest": fees + 0.15, "collection": bank + 0.05, "service": 1.8 * exp.service_failure + 0.3,
        "transaction_dispute": 2.0 * exp.dispute + 0.05, "negotiated_repayment": behaviour * 1.2,
        "credit_report": 0.1 + 0.1 * (exp.bucket > 0), "product_terms": 0.1 + 0.3 * exp.instalment,
        "marketing": 0.08 + 0 * fees, "information_security": 0.05 + 0 * fees, "other": 0.1 + 0 * fees,
    }
    return total, causes


def _genuine(ctx: BlockContext, pop: Population, exp: Exposure) -> dict[str, NDArray]:
    rng = ctx.rng
    total, causes = complaint_logit(ctx, pop, exp)
    cust, month = np.nonzero(rng.random(total.shape) < 1 / (1 + np.exp(-total)))
    n = cust.size
    scores = np.stack([np.log(causes[c][cust, month] + 1e-6) for c in CAUSES], axis=1)
    cause = np.asarray(CAUSES)[np.argmax(scores + rng.gumbel(size=scores.shape), axis=1)]
    to_regulator = rng.random(n) < np.vectorize(lambda c: REGULATOR_SHARE.get(c, 0.12), otypes=[float])(cause)
    channel = np.where(to_regulator, "regulator",
                       CHANNELS[rng.choice(8, n, p=OTHER_CHANNEL_SHARES / OTHER_CHANNEL_SHARES.sum())])
    demand = np.array([_draw(rng, *DEMANDS[c]) for c in cause], dtype=object)
    rep_type = np.where(pop.age[cust] >= 65, np.where(rng.random(n) < 0.5, "relative", "self"), "self")
    rep_type[rng.random(n) < 0.01] = "lawyer"
    amount = np.maximum(exp.overdue[cust, month], exp.fees[cust, month])
    materials = rng.choice(3, n, p=[0.6, 0.3, 0.1])
    outcome = rng.choice(np.array(["resolved_customer_favour", "resolved_bank_favour", "partially_upheld",
                                   "withdrawn"]), n, p=[0.35, 0.3, 0.28, 0.07])
    return _columns(
        n, cust=cust, time=ctx.cal.times_in_month(rng, month, n, office_hours=True), channel=channel,
        category=cause, demand=demand, phone=np.asarray(pop.own_phone.take(cust).to_pylist(), dtype=object),
        rep_type=rep_type, rep_name=where_set(rep_type == "self", np.asarray(pop.name, dtype=object)[cust]),
        materials=materials, outcome=outcome, amount=np.round(np.maximum(amount, 100), 2), is_proxy=False,
        gang=-1, template=None, materials_forged=False, aware=True, label="ordinary", template_index=-1,
    )


def _gang(ctx: BlockContext, pop: Population, roles: Roles) -> dict[str, NDArray]:
    rng, p, cal = ctx.rng, ctx.params, ctx.cal
    recruited = np.flatnonzero(roles.recruited)
    cust = np.repeat(recruited, rng.poisson(p.proxy_complaints_per_recruit, recruited.size))
    n = cust.size
    time = roles.recruited_time[cust] + (rng.uniform(3, 75, n) * 86_400_000).astype("timedelta64[ms]")
    keep = time < cal.end.astype("datetime64[ms]")
    cust, time, n = cust[keep], time[keep], int(keep.sum())
    gang = roles.caller_gang[cust]
    template_index = np.array([int(rng.integers(len(ctx.gangs[g].templates))) for g in gang], dtype=np.int64)
    chosen = [ctx.gangs[g].templates[k] for g, k in zip(gang, template_index, strict=True)]
    # A coached template is signed by the customer; the others are written as the customer's agent.
    is_coached = np.array([t.label == "coached_customer" for t in chosen], dtype=bool)
    rep_type = np.where(is_coached, "self", rng.choice(np.array(["agency", "lawyer", "self", "relative"]), n,
                                                          p=[0.35, 0.15, 0.4, 0.1]))
    rep_name = np.empty(n, dtype=object)
    phone = np.empty(n, dtype=object)
    template = np.array([t.template_id for t in chosen], dtype=object)
    labels = np.array([t.label for t in chosen], dtype=object)
    for i in range(n):
        g = ctx.gangs[gang[i]]
        kind = rep_type[i]
        rep_name[i] = (pop.name[cust[i]] if kind == "self" else
                       f"{ctx.gen.person_name()}律师" if kind == "lawyer" else
                       f"{pop.city[cust[i]]}{AGENCY_WORDS[int(rng.integers(len(AGENCY_WORDS)))]}有限公司"
                       if kind == "agency" else ctx.gen.person_name())
        numbers = g.habitual()
        # A customer who signs a scripted complaint themselves gives their own number; otherwise the gang's.
        phone[i] = pop.own_phone[int(cust[i])].as_py() if is_coached[i] and roles.aware[cust[i]] else g.use(
            numbers[int(rng.integers(len(numbers)))])
    forged = rng.random(n) < 0.9
    return _columns(
        n, cust=cust, time=time,
        channel=np.where(rng.random(n) < 0.75, "regulator", rng.choice(
            np.array(["hotline", "online_portal", "letter"]), n, p=[0.4, 0.4, 0.2])),
        category=rng.choice(np.array(["negotiated_repayment", "fees_interest", "collection"]), n,
                            p=[0.8, 0.1, 0.1]),
        demand=rng.choice(np.array(["negotiated_repayment", "interest_waiver", "stop_collection"]), n,
                          p=[0.88, 0.08, 0.04]),
        phone=phone, rep_type=rep_type, rep_name=rep_name,
        materials=np.where(forged, rng.integers(2, 5, n), rng.integers(0, 2, n)),
        outcome=rng.choice(np.array(["rejected_false_material", "partially_upheld", "resolved_customer_favour",
                                     "resolved_bank_favour", "withdrawn"]), n, p=[0.25, 0.35, 0.2, 0.15, 0.05]),
        amount=np.round(rng.lognormal(9.8, 0.8, n), 2), is_proxy=True, gang=gang, template=template,
        materials_forged=forged, aware=roles.aware[cust],
        label=labels, template_index=template_index,
    )


def _columns(n: int, **values: Any) -> dict[str, NDArray]:
    out = {}
    for key, value in values.items():
        arr = np.asarray(value)
        out[key] = np.full(n, value, dtype=object if arr.dtype.kind in "UO" or value is None else arr.dtype) \
            if arr.ndim == 0 else arr
    return out


def _draw(rng: np.random.Generator, options: tuple[str, ...], weights: tuple[float, ...]) -> str:
    return options[int(rng.choice(len(options), p=weights))]


def _texts(ctx: BlockContext, pop: Population, cols: dict[str, NDArray]) -> list[str]:
    texts = []
    for i in range(len(cols["cust"])):
        name = pop.name[cols["cust"][i]]
        amount = float(cols["amount"][i])
        if cols["is_proxy"][i]:
            template = ctx.gangs[cols["gang"][i]].templates[cols["template_index"][i]]
            texts.append(ctx.gen.render_complaint(template, name, amount, ctx.gen.bank_name))
        else:
            cause = str(cols["category"][i])
            texts.append(ctx.gen.genuine_complaint(cause if cause in COMPLAINT_CAUSES else "other", name, amount))
    return texts


def _materials(ctx: BlockContext, cols: dict[str, NDArray], complaint_id: NDArray) -> None:
    """Attachment metadata: a gang's forgeries share tools, authors and near-identical image hashes."""
    rng = ctx.rng
    owner = np.repeat(np.arange(len(complaint_id)), cols["materials"])
    m = owner.size
    forged = cols["materials_forged"][owner].astype(bool)
    kind = np.where(forged, FORGED_TYPES[rng.integers(0, len(FORGED_TYPES), m)],
                    GENUINE_TYPES[rng.integers(0, len(GENUINE_TYPES), m)])
    phash = rng.integers(0, 2**63, m, dtype=np.int64).astype(np.uint64)
    producer = PHONE_CAMERAS[rng.integers(0, len(PHONE_CAMERAS), m)].astype(object)
    author = np.full(m, None, dtype=object)
    for j in np.flatnonzero(forged):
        g = ctx.gangs[cols["gang"][owner[j]]]
        flips = rng.integers(0, 64, 3)  # a few bits differ: same picture, re-saved
        base = np.uint64(g.phash_base) ^ np.uint64(abs(hash_type(kind[j])) % 2**63)
        phash[j] = base ^ np.bitwise_or.reduce(np.left_shift(np.uint64(1), flips.astype(np.uint64)))
        producer[j] = g.forgery_tool
        author[j] = g.forger_alias if rng.random() < 0.7 else None
    created = cols["time"][owner] - (rng.uniform(0.02, 30, m) * 86_400_000).astype("timedelta64[ms]")
    extension = np.where(np.isin(kind, ("chat_screenshot", "id_copy")), ".jpg", ".pdf")
    digest = np.frombuffer(rng.bytes(32 * m), dtype=np.uint8).reshape(m, 32)
    sha = [bytes(row).hex() for row in digest]
    ctx.sink.emit("complaint_materials", {
        "material_id": ctx.mint.take("MT", m), "complaint_id": complaint_id[owner], "material_type": kind,
        "file_name": np.char.add(np.char.add(kind.astype(str), "_"),
                                 np.char.add(rng.integers(1, 999, m).astype(str), extension)),
        "file_size": rng.integers(40_000, 3_000_000, m), "sha256": sha,
        "perceptual_hash": [f"{int(h):016x}" for h in phash], "producer": producer,
        "author": pa.array(author, pa.string()), "created_time": created,
    })


def hash_type(kind: str) -> int:
    """A stable (process-independent) number per material type, unlike ``hash``."""
    return sum((i + 1) * ord(c) * 2_654_435_761 for i, c in enumerate(kind))


def _pick_handlers(ctx: BlockContext, n: int) -> NDArray:
    pool = ctx.staff.staff_id[ctx.staff.of_role("complaint_handler")]
    return ctx.rng.choice(pool, n).astype(object) if n else np.zeros(0, dtype=object)


def _events(
    ctx: BlockContext, complaint_id: NDArray, cols: dict[str, NDArray], closed: NDArray, outcome: NDArray,
    handler: NDArray,
) -> None:
    """The handling process per complaint; a few cases skip required steps (complaint_cases truth)."""
    rng, n = ctx.rng, len(complaint_id)
    supervisors = ctx.staff.staff_id[ctx.staff.of_role("supervisor")]
    sloppy = np.isin(handler, ctx.staff.staff_id[ctx.staff.anomaly != "none"])
    anomaly_chance = 0.03 + 0.3 * sloppy
    anomaly = np.where(rng.random(n) < anomaly_chance, rng.choice(np.array(
        ["closed_without_required_steps", "skipped_identity_verification", "approval_missing"]), n), "none")
    favourable = np.isin(outcome, ("resolved_customer_favour", "partially_upheld"))
    anomaly[(anomaly == "approval_missing") & ~favourable] = "none"
    anomaly[(anomaly != "none") & np.isnat(closed)] = "none"
    steps: list[tuple[str, NDArray, float]] = [
        ("received", np.ones(n, bool), 0.0), ("registered", np.ones(n, bool), 0.02),
        ("identity_verified", anomaly != "skipped_identity_verification", 0.1),
        ("assigned", np.ones(n, bool), 0.2),
        ("investigated", anomaly != "closed_without_required_steps", 1.5),
        ("customer_contacted", anomaly != "closed_without_required_steps", 2.5),
        ("escalated_to_regulator", (cols["channel"] != "regulator") & (rng.random(n) < 0.04), 3.0),
        ("resolution_proposed", outcome != "pending", 4.0),
        ("supervisor_approved", favourable & (anomaly != "approval_missing"), 4.5),
        ("resolution_accepted", favourable, 5.0),
    ]
    rows: dict[str, list[Any]] = {"id": [], "time": [], "activity": [], "staff": []}
    span = np.where(np.isnat(closed), (ctx.cal.end.astype("datetime64[ms]") - cols["time"]),
                    closed - cols["time"]).astype(np.int64)
    for activity, mask, fraction in steps:
        idx = np.flatnonzero(mask)
        at = cols["time"][idx] + (np.minimum(fraction / 6, 0.95) * span[idx]).astype("timedelta64[ms]")
        rows["id"].append(complaint_id[idx])
        rows["time"].append(at)
        rows["activity"].append(np.full(idx.size, activity))
        who = where_set(activity != "received", handler[idx])
        if activity == "supervisor_approved" and supervisors.size:
            who = rng.choice(supervisors, idx.size).astype(object)
        rows["staff"].append(who)
    done = np.flatnonzero(~np.isnat(closed))
    rows["id"].append(complaint_id[done])
    rows["time"].append(closed[done])
    rows["activity"].append(np.full(done.size, "closed"))
    rows["staff"].append(handler[done])
    total = sum(len(x) for x in rows["id"])
    ctx.sink.emit("complaint_events", {
        "event_id": ctx.mint.take("CE", total), "complaint_id": np.concatenate(rows["id"]),
        "event_time": np.concatenate(rows["time"]), "activity": np.concatenate(rows["activity"]),
        "staff_id": pa.array(np.concatenate(rows["staff"]), pa.string()),
    })
    ctx.sink.emit("complaint_cases", {"complaint_id": complaint_id, "anomaly": anomaly}, truth=True)


def _resolutions(
    ctx: BlockContext, pop: Population, cols: dict[str, NDArray], outcome: NDArray, closed: NDArray,
) -> None:
    """Favourable outcomes change the account: waivers and negotiated plans (a bank action in the data)."""
    kinds = {"fee_waiver": "fee_waiver", "interest_waiver": "interest_waiver",
             "negotiated_repayment": "negotiated_repayment_plan"}
    granted = np.flatnonzero(np.isin(outcome, ("resolved_customer_favour", "partially_upheld"))
                             & np.isin(cols["demand"], list(kinds)) & ~np.isnat(closed))
    first_account = np.searchsorted(pop.acc_cust, cols["cust"][granted])
    event = np.array([kinds[d] for d in cols["demand"][granted]], dtype=object)
    plan = event == "negotiated_repayment_plan"
    term = np.where(plan, ctx.rng.choice([12, 24, 36, 60], granted.size), 0)
    ctx.sink.emit("product_events", {
        "event_id": ctx.mint.take("EC", granted.size), "account_id": pop.acc_id.take(first_account),
        "customer_id": pop.cust_id.take(cols["cust"][granted]), "event_time": closed[granted],
        "event_type": event, "amount": np.round(cols["amount"][granted] * np.where(plan, 1.0, 0.3), 2),
        "term_months": pa.array(term, mask=term == 0),
        "initiated_by": np.where(cols["is_proxy"][granted].astype(bool), "third_party", "customer"),
        "channel": np.full(granted.size, "hotline"), "detail": np.full(granted.size, "complaint_resolution"),
    })
