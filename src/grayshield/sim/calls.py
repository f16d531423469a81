"""Calls to and from the call centre, their transcripts, voiceprints and truth.

Groups of calls are drawn vectorised (service, self-negotiation, relatives of elderly customers, gang proxy
calls, coached customers, collection calls); only calls the bank transcribes get text, which keeps the
Python-level text generation to a small share of all calls (plus every gang call, the ones detectors need).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from grayshield.contract.truth import MANDATORY_ITEMS
from grayshield.sim.content import CallScenario
from grayshield.sim.context import BlockContext
from grayshield.sim.ledger import AGENCIES, LedgerResult
from grayshield.sim.population import Population
from grayshield.sim.recruitment import Roles
from grayshield.sim.util import NDArray, where_set
from grayshield.sim.voice import MODEL_VERSION

SERVICE_LINE, COLLECTION_LINE = "95528", "COLL-OUT-01"
PERSONAS = ("customer_impersonation", "relative", "lawyer", "legal_company")
PERSONA_ROLE = {"customer_impersonation": "posing_as_customer", "relative": "relative", "lawyer": "lawyer",
                "legal_company": "legal_affairs_company"}
PERSONA_RELATION = {"customer_impersonation": "self", "relative": "spouse", "lawyer": "lawyer",
                    "legal_company": "agency"}
COLLECTION_BREACHES = ("threat", "abusive_language", "improper_third_party_contact", "third_party_disclosure",
                       "unauthorised_promise")
SERVICE_BREACHES = ("third_party_disclosure", "unauthorised_promise")
# Where the caller's voice comes from: nobody (unanswered), the customer, their relative, a known person.
NO_VOICE, CUSTOMER_VOICE, RELATIVE_VOICE, KNOWN_VOICE = 0, 1, 2, 3
FIELDS = ("cust", "time", "direction", "caller_number", "customer_number", "called_line", "queue", "relation",
          "verified", "agent", "claimed", "is_proxy", "gang", "proxy_role", "speaker", "voice", "scenario",
          "persona", "escalation", "coached", "transcribe", "ivr", "action", "result")


@dataclass
class CallLog:
    """What the staff log and complaints need to know about a block's agent-handled calls."""

    call_id: NDArray
    cust: NDArray
    time: NDArray
    agent: NDArray
    verified: NDArray
    is_proxy: NDArray
    gang: NDArray
    direction: NDArray


def run_calls(ctx: BlockContext, pop: Population, roles: Roles, ledger: LedgerResult) -> CallLog:
    groups = [
        _service_calls(ctx, pop, ledger),
        _self_negotiation_calls(ctx, pop, roles),
        _helper_calls(ctx, pop, roles),
        _proxy_calls(ctx, pop, roles),
        _collection_calls(ctx, pop, roles, ledger),
    ]
    calls = {k: np.concatenate([g[k] for g in groups]) for k in FIELDS}
    order = np.lexsort((calls["cust"], calls["time"]))
    calls = {k: v[order] for k, v in calls.items()}
    n = len(order)
    call_id = np.asarray(ctx.mint.take("CL", n).to_pylist(), dtype=object)
    duration, missing = _transcripts(ctx, pop, calls, call_id)
    _emit_calls(ctx, pop, calls, call_id, duration, missing)
    _emit_collection_actions(ctx, pop, ledger, calls, call_id)
    _emit_voiceprints(ctx, calls, call_id)
    handled = np.flatnonzero(calls["agent"] != None)  # noqa: E711 (object array comparison)
    return CallLog(call_id[handled], calls["cust"][handled], calls["time"][handled], calls["agent"][handled],
                   calls["verified"][handled], calls["is_proxy"][handled], calls["gang"][handled],
                   calls["direction"][handled])


def _group(n: int, **values: Any) -> dict[str, NDArray]:
    """A group of ``n`` calls: given columns broadcast, everything else at its neutral value."""
    neutral: dict[str, Any] = {
        "cust": -1, "direction": "inbound", "caller_number": None, "customer_number": None,
        "called_line": SERVICE_LINE, "queue": None, "relation": None, "verified": False, "agent": None,
        "claimed": True, "is_proxy": False, "gang": -1, "proxy_role": "none", "speaker": "", "voice": NO_VOICE,
        "scenario": None, "persona": None, "escalation": False, "coached": False, "transcribe": False,
        "ivr": None, "action": -1, "result": None,
    }
    neutral.update(values)
    out: dict[str, NDArray] = {}
    for key in FIELDS:
        value = neutral.get(key, np.full(n, np.datetime64("NaT"), dtype="datetime64[ms]"))
        arr = np.asarray(value)
        if arr.ndim == 0:
            arr = np.full(n, value, dtype=object if isinstance(value, str) or value is None else arr.dtype)
        out[key] = arr.astype(object) if arr.dtype.kind in "UO" else arr
    return out


def _pick(ctx: BlockContext, roles: tuple[str, ...], n: int) -> NDArray:
    pool = ctx.staff.staff_id[ctx.staff.of_role(*roles)]
    return ctx.rng.choice(pool, n).astype(object) if n else np.zeros(0, dtype=object)


def _customer_speaker(pop: Population, cust: NDArray) -> NDArray:
    return np.char.add("PC", np.asarray(pop.cust_id.take(cust).to_pylist(), dtype=str)).astype(object)


def _service_calls(ctx: BlockContext, pop: Population, ledger: LedgerResult) -> dict[str, NDArray]:
    rng, p = ctx.rng, ctx.params
    rate = p.service_call_rate * (1 + 0.6 * (ledger.exposure.bucket > 0) + 2 * ledger.exposure.service_failure
                                  + 2 * ledger.exposure.dispute)
    counts = rng.poisson(rate)
    cust, month = np.nonzero(counts)
    cust, month = np.repeat(cust, counts[cust, month]), np.repeat(month, counts[cust, month])
    n = cust.size
    ivr_only = rng.random(n) < 0.05
    vip = np.isin(pop.segment[cust], ("vip", "private"))
    queue = np.where(ivr_only, "ivr_only", np.where(vip, "vip", rng.choice(
        np.array(["general_service", "card_service", "fraud"]), n, p=[0.55, 0.4, 0.05])))
    agent = where_set(~ivr_only, _pick(ctx, ("service_agent",), n))
    own = np.asarray(pop.own_phone.take(cust).to_pylist(), dtype=object)
    return _group(
        n, cust=cust, time=ctx.cal.times_in_month(rng, month, n, office_hours=True),
        caller_number=where_set(rng.random(n) >= 0.03, own), queue=queue, relation="self",
        verified=rng.random(n) < 0.93, agent=agent, speaker=_customer_speaker(pop, cust), voice=CUSTOMER_VOICE,
        scenario="service_inbound", transcribe=~ivr_only & (rng.random(n) < p.transcribe_share),
        ivr=rng.choice(np.array(["M>1>2", "M>2>1", "M>3", "M>1>4>0", "M>9"]), n),
    )


def _self_negotiation_calls(ctx: BlockContext, pop: Population, roles: Roles) -> dict[str, NDArray]:
    """Customers asking for a negotiated plan themselves: legitimate, and worded like gang calls."""
    rng = ctx.rng
    cust = np.flatnonzero(roles.self_negotiator >= 0)
    cust = np.repeat(cust, 1 + rng.poisson(0.5, cust.size))
    month = np.minimum(roles.self_negotiator[cust] + rng.integers(0, 2, cust.size), ctx.cal.months - 1)
    n = cust.size
    return _group(
        n, cust=cust, time=ctx.cal.times_in_month(rng, month, n, office_hours=True),
        caller_number=np.asarray(pop.own_phone.take(cust).to_pylist(), dtype=object), queue="collection",
        relation="self", verified=rng.random(n) < 0.95, agent=_pick(ctx, ("collector", "service_agent"), n),
        speaker=_customer_speaker(pop, cust), voice=CUSTOMER_VOICE, scenario="negotiation_genuine",
        transcribe=rng.random(n) < 0.5, ivr="M>4>1",
    )


def _helper_calls(ctx: BlockContext, pop: Population, roles: Roles) -> dict[str, NDArray]:
    """Sons and daughters calling for elderly parents: third parties, but genuine."""
    rng = ctx.rng
    counts = rng.poisson(0.25 * ctx.cal.months, pop.n) * roles.elderly_helper
    cust = np.repeat(np.arange(pop.n), counts)
    n = cust.size
    return _group(
        n, cust=cust, time=ctx.cal.times_in_month(rng, rng.integers(0, ctx.cal.months, n), n, office_hours=True),
        caller_number=np.asarray(pop.relative_phone.take(cust).to_pylist(), dtype=object),
        queue=np.where(pop.segment[cust] == "senior", "general_service", "card_service"),
        relation=rng.choice(np.array(["child", "child", "spouse", "relative"]), n),
        verified=rng.random(n) < 0.6, agent=_pick(ctx, ("service_agent",), n),
        speaker=np.char.add("PR", np.asarray(pop.cust_id.take(cust).to_pylist(), dtype=str)).astype(object),
        voice=RELATIVE_VOICE, scenario="relative_genuine", transcribe=rng.random(n) < 0.5, ivr="M>1>2",
    )


def _proxy_calls(ctx: BlockContext, pop: Population, roles: Roles) -> dict[str, NDArray]:
    """Gang operators calling for recruited customers, plus aware customers calling on a gang's script."""
    rng, p, cal = ctx.rng, ctx.params, ctx.cal
    recruited = np.flatnonzero(roles.recruited)
    start_month = cal.month_of(roles.recruited_time[recruited])
    active_months = cal.months - start_month
    counts = rng.poisson(p.proxy_call_rate * active_months)
    cust = np.repeat(recruited, counts)
    month = start_month.repeat(counts) + (rng.random(cust.size) * active_months.repeat(counts)).astype(np.int64)
    time = np.maximum(cal.times_in_month(rng, month, cust.size, office_hours=True),
                      roles.recruited_time[cust] + np.timedelta64(3_600_000, "ms"))
    n = cust.size
    gang = roles.caller_gang[cust]
    persona = np.asarray(PERSONAS, dtype=object)[rng.choice(4, n, p=[0.4, 0.25, 0.2, 0.15])]
    number = np.empty(n, dtype=object)
    speaker = np.empty(n, dtype=object)
    agent = _pick(ctx, ("service_agent",), n)
    for i in range(n):
        g = ctx.gangs[gang[i]]
        pool = g.habitual() if rng.random() < p.gang_number_reuse else g.rotating()
        number[i] = g.use(pool[int(rng.integers(len(pool)))])
        speaker[i] = g.operators[min(int(rng.geometric(0.5)) - 1, len(g.operators) - 1)]
        if g.inside_agent is not None and rng.random() < 0.6:
            agent[i] = g.inside_agent
    relation = np.vectorize(PERSONA_RELATION.__getitem__, otypes=[object])(persona) if n else persona
    relation[(persona == "relative") & (rng.random(n) < 0.5)] = "child"
    proxy = _group(
        n, cust=cust, time=time, caller_number=number,
        queue=rng.choice(np.array(["collection", "card_service", "complaint"]), n, p=[0.5, 0.3, 0.2]),
        relation=relation, verified=(persona == "customer_impersonation") & (rng.random(n) < 0.55), agent=agent,
        is_proxy=True, gang=gang,
        proxy_role=np.vectorize(PERSONA_ROLE.__getitem__, otypes=[object])(persona) if n else persona,
        speaker=speaker, voice=KNOWN_VOICE, scenario="proxy_inbound", persona=persona,
        escalation=rng.random(n) < 0.55, transcribe=True, ivr="M>4>2",
    )
    coached_cust = recruited[roles.aware[recruited] & (rng.random(recruited.size) < 0.5)]
    m = coached_cust.size
    coached_month = np.minimum(cal.month_of(roles.recruited_time[coached_cust]) + rng.integers(0, 2, m),
                               cal.months - 1)
    coached = _group(
        m, cust=coached_cust,
        time=np.maximum(cal.times_in_month(rng, coached_month, m, office_hours=True),
                        roles.recruited_time[coached_cust] + np.timedelta64(3_600_000, "ms")),
        caller_number=np.asarray(pop.own_phone.take(coached_cust).to_pylist(), dtype=object),
        queue="collection", relation="self", verified=rng.random(m) < 0.95,
        agent=_pick(ctx, ("collector", "service_agent"), m), speaker=_customer_speaker(pop, coached_cust),
        voice=CUSTOMER_VOICE, scenario="negotiation_genuine", coached=True, escalation=rng.random(m) < 0.5,
        transcribe=True, ivr="M>4>1",
    )
    return {k: np.concatenate([proxy[k], coached[k]]) for k in FIELDS}


def _collection_calls(
    ctx: BlockContext, pop: Population, roles: Roles, ledger: LedgerResult,
) -> dict[str, NDArray]:
    """Outbound collection calls; a hijacked mobile is answered by the gang, not the customer."""
    rng = ctx.rng
    actions = ledger.collection
    kinds = actions["type"]
    rows = np.flatnonzero(np.isin(kinds, ("call", "outsourced_call")))
    acc = actions["acc"][rows]
    cust = pop.acc_cust[acc]
    time = actions["time"][rows]
    n = rows.size
    dialled = roles.mobile_at(pop, cust, time)
    hijacked = ~np.isnat(roles.hijack_time[cust]) & (roles.hijack_time[cust] <= time)
    result = rng.choice(
        np.array(["no_answer", "promise_to_pay", "refused", "paid", "wrong_number", "third_party_answered",
                  "dispute_raised"]), n, p=[0.4, 0.22, 0.1, 0.06, 0.04, 0.08, 0.1]).astype(object)
    result[hijacked] = rng.choice(np.array(["third_party_answered", "dispute_raised", "refused"], dtype=object),
                                  hijacked.sum(), p=[0.6, 0.25, 0.15])
    answered = ~np.isin(result, ("no_answer", "wrong_number"))
    third = result == "third_party_answered"
    outsourced = kinds[rows] == "outsourced_call"
    agent = np.where(outsourced, _pick(ctx, ("outsourced_agent",), n), _pick(ctx, ("collector",), n))
    speaker = np.where(answered, _customer_speaker(pop, cust), "")
    voice = np.where(answered, CUSTOMER_VOICE, NO_VOICE)
    speaker[third & ~hijacked] = np.char.add(
        "PR", np.asarray(pop.cust_id.take(cust[third & ~hijacked]).to_pylist(), dtype=str)).astype(object)
    voice[third & ~hijacked] = RELATIVE_VOICE
    gang = np.where(hijacked, roles.caller_gang[cust], -1)
    persona = np.full(n, None, dtype=object)
    proxy_role = np.full(n, "none", dtype=object)
    gang_answer = np.flatnonzero(hijacked & answered)
    for i in gang_answer:
        g = ctx.gangs[gang[i]]
        speaker[i] = g.operators[min(int(rng.geometric(0.5)) - 1, len(g.operators) - 1)]
        persona[i] = "customer_impersonation" if rng.random() < 0.5 else "legal_company"
        proxy_role[i] = PERSONA_ROLE[persona[i]]
    voice[gang_answer] = KNOWN_VOICE
    return _group(
        n, cust=cust, time=time, direction="outbound", customer_number=dialled, called_line=COLLECTION_LINE,
        queue="collection", relation=where_set(answered, np.where(third, "unknown", "self")),
        verified=answered & ~third & (rng.random(n) < 0.8), agent=agent, is_proxy=hijacked & answered,
        gang=np.where(answered, gang, -1), proxy_role=proxy_role, speaker=speaker, voice=voice,
        scenario=where_set(answered, "collection_outbound"), persona=persona,
        escalation=hijacked & answered & (rng.random(n) < 0.5),
        # Gang-answered collection calls are many (collectors keep dialling); a sample is enough to learn from.
        transcribe=answered & (rng.random(n) < np.where(hijacked, 0.15, ctx.params.transcribe_share)), action=rows,
        result=result,
    )


def _transcripts(
    ctx: BlockContext, pop: Population, calls: dict[str, NDArray], call_id: NDArray,
) -> tuple[NDArray, NDArray]:
    """Text for transcribed calls; returns durations (s) and missing mandatory items for every call."""
    rng, p, staff = ctx.rng, ctx.params, ctx.staff
    n = len(call_id)
    answered = calls["speaker"] != ""
    duration = np.where(answered, rng.lognormal(4.9, 0.6, n), rng.integers(0, 30, n)).astype(np.int64)
    duration[calls["queue"] == "ivr_only"] = rng.integers(20, 120, int((calls["queue"] == "ivr_only").sum()))
    missing = np.full(n, "", dtype=object)
    staff_pos = {s: i for i, s in enumerate(staff.staff_id)}
    owner: list[int] = []
    turns: list[Any] = []
    for i in np.flatnonzero(calls["transcribe"] & (calls["agent"] != None)):  # noqa: E711
        agent = str(calls["agent"][i])
        collection = calls["scenario"][i] == "collection_outbound"
        chance = p.breach_rate * staff.breach_propensity[staff_pos[agent]]
        breaches: tuple[str, ...] = ()
        if rng.random() < chance:
            options = COLLECTION_BREACHES if collection else SERVICE_BREACHES
            breaches = (str(options[int(rng.integers(len(options)))]),)
        omitted = tuple(item for item in MANDATORY_ITEMS
                        if rng.random() < p.missing_item_rate / len(MANDATORY_ITEMS))
        persona = calls["persona"][i]
        scenario = CallScenario(
            kind=str(calls["scenario"][i]), persona=None if persona is None else str(persona),
            customer_name=pop.name[calls["cust"][i]], agent_name=staff.names[agent], breaches=breaches,
            missing_items=omitted, escalation=bool(calls["escalation"][i]), coached=bool(calls["coached"][i]),
        )
        said = ctx.gen.transcript(scenario)
        owner.extend([int(i)] * len(said))
        turns.extend(said)
        missing[i] = "|".join(omitted)
    # Timing, vectorised: ~180-280 ms per character, a pause between turns.
    owner_arr = np.asarray(owner, dtype=np.int64)
    texts = [u.text for u in turns]
    length = (np.fromiter(map(len, texts), np.int64, len(texts)) * rng.uniform(180, 280, len(texts))).astype(np.int64)
    step = length + rng.integers(200, 1_500, len(texts))
    first = np.r_[True, owner_arr[1:] != owner_arr[:-1]] if len(texts) else np.zeros(0, bool)
    seq = np.arange(len(texts)) - np.maximum.accumulate(np.where(first, np.arange(len(texts)), 0))
    end_of_turn = np.cumsum(step)
    start = end_of_turn - step - (end_of_turn - step)[np.maximum.accumulate(np.where(first, np.arange(len(texts)),
                                                                                      0))]
    np.maximum.at(duration, owner_arr, (start + length) // 1000 + 1)
    ids_ = call_id[owner_arr]
    ctx.sink.emit("call_utterances", {"call_id": ids_, "seq": seq, "speaker": [u.speaker for u in turns],
                                      "start_ms": start, "end_ms": start + length, "text": texts})
    ctx.sink.emit("utterances", {"call_id": ids_, "seq": seq, "label": [u.label or "ordinary" for u in turns],
                                 "breach_type": [u.breach or "none" for u in turns]}, truth=True)
    return np.minimum(duration, 86_400), missing


def _emit_calls(
    ctx: BlockContext, pop: Population, calls: dict[str, NDArray], call_id: NDArray, duration: NDArray,
    missing: NDArray,
) -> None:
    claimed = where_set(calls["claimed"], np.asarray(pop.cust_id.take(calls["cust"]).to_pylist(), dtype=object))
    ctx.sink.emit("calls", {
        "call_id": call_id, "caller_number": pa.array(calls["caller_number"], pa.string()),
        "called_line": calls["called_line"], "direction": calls["direction"], "start_time": calls["time"],
        "duration_s": duration, "ivr_path": pa.array(calls["ivr"], pa.string()),
        "agent_id": pa.array(calls["agent"], pa.string()), "queue": pa.array(calls["queue"], pa.string()),
        "claimed_customer_id": pa.array(claimed, pa.string()),
        "caller_relation": pa.array(calls["relation"], pa.string()),
        "identity_verified": calls["verified"].astype(bool),
        "customer_number": pa.array(calls["customer_number"], pa.string()),
    })
    gang_ids = np.array([g.gang_id for g in ctx.gangs] + [None], dtype=object)
    ctx.sink.emit("calls", {
        "call_id": call_id, "is_proxy": calls["is_proxy"].astype(bool),
        "gang_id": pa.array(np.where(calls["is_proxy"].astype(bool), gang_ids[calls["gang"].astype(int)], None),
                            pa.string()),
        "proxy_role": calls["proxy_role"], "speaker_person_id": calls["speaker"], "missing_mandatory": missing,
    }, truth=True)


def _emit_collection_actions(
    ctx: BlockContext, pop: Population, ledger: LedgerResult, calls: dict[str, NDArray], call_id: NDArray,
) -> None:
    rng = ctx.rng
    actions = ledger.collection
    n = len(actions["acc"])
    kinds = actions["type"]
    result = np.where(rng.random(n) < 0.95, "delivered", "failed").astype(object)
    visit = kinds == "visit"
    result[visit] = rng.choice(np.array(["promise_to_pay", "refused", "no_answer"], dtype=object), visit.sum())
    action_call = np.full(n, None, dtype=object)
    agent = np.full(n, None, dtype=object)
    linked = calls["action"] >= 0
    rows = calls["action"][linked].astype(np.int64)
    action_call[rows] = call_id[linked]
    result[rows] = calls["result"][linked]
    agent[rows] = calls["agent"][linked]
    outsourced = np.isin(kinds, ("outsourced_call", "visit"))
    agent[visit] = _pick(ctx, ("outsourced_agent",), int(visit.sum()))
    agency = np.where(outsourced | (actions["bucket"] >= 4),
                      AGENCIES[pop.acc_cust[actions["acc"]] % len(AGENCIES)], "internal")
    agency = np.where(kinds == "call", "internal", agency)
    ctx.sink.emit("collection_actions", {
        "action_id": ctx.mint.take("CA", n), "account_id": pop.acc_id.take(actions["acc"]),
        "customer_id": pop.cust_id.take(pop.acc_cust[actions["acc"]]), "action_time": actions["time"],
        "action_type": kinds, "agency": agency, "agent_id": pa.array(agent, pa.string()),
        "call_id": pa.array(action_call, pa.string()), "result": result,
        "delinquency_bucket": np.array(["M0", "M1", "M2", "M3", "M4", "M5", "M6+"])[actions["bucket"]],
    })


def _emit_voiceprints(ctx: BlockContext, calls: dict[str, NDArray], call_id: NDArray) -> None:
    """Both sides of answered inbound calls an agent handled, as far as the voiceprint system covers them.

    Like most banks' deployments the system listens on the inbound lines only, so whether a call has a
    voiceprint says nothing about who answered an outbound one.
    """
    rng, voices = ctx.rng, ctx.voices
    n = len(call_id)
    rows = np.flatnonzero((calls["voice"] != NO_VOICE) & (calls["agent"] != None)  # noqa: E711
                          & (calls["direction"] == "inbound") & (rng.random(n) < ctx.params.voiceprint_share))
    if not rows.size:
        return
    centroid = np.zeros((rows.size, voices.dim), dtype=np.float32)
    voice = calls["voice"][rows]
    for code, person_key in ((CUSTOMER_VOICE, 0), (RELATIVE_VOICE, 1)):
        pick = voice == code
        centroid[pick] = ctx.block_voices[person_key][calls["cust"][rows[pick]]]
    known = voice == KNOWN_VOICE
    centroid[known] = voices.centroids(calls["speaker"][rows[known]])
    agent_centroid = voices.centroids(np.char.add("P", calls["agent"][rows].astype(str)))
    ids_ = np.concatenate([call_id[rows], call_id[rows]])
    side = np.repeat(np.array(["caller", "agent"], dtype=object), rows.size)
    embedding = np.concatenate([voices.embed(centroid, rng), voices.embed(agent_centroid, rng)])
    ctx.sink.emit("voiceprints", {"call_id": ids_, "side": side, "embedding": embedding,
                                  "model_version": np.full(ids_.size, MODEL_VERSION, dtype=object)})
