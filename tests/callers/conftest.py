"""Fixtures for the caller engine: a small hand-made world where gangs call from habitual numbers with their
operators' voices, beside genuine relatives and a lawyer as hard negatives; transcripts, voiceprints, truth.

Written as Parquet in the world layout, so tests exercise the same reading path as real extracts.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from grayshield.callers.dataset import Frames, attach_truth, build_frames, world_end
from grayshield.callers.transcripts import LexiconUtteranceScorer
from grayshield.contract import TABLES, TRUTH_TABLES
from grayshield.contract.arrow import arrow_schema
from grayshield.lake import open_world

START = date(2024, 1, 1)
DAYS = 120
DIM = 16
PROXY_LINES = ["我是他委托的代理人，来协商还款", "我们公司受客户委托办理停息挂账", "我是他的律师，不解决就去银保监投诉"]
SELF_LINES = ["我想查一下账单", "我的卡怎么还款", "帮我查一下额度"]
RELATIVE_LINES = ["我是他女儿，帮我妈妈问一下账单", "我爸年纪大了，我替他问问"]


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _write(root: Path, name: str, rows: list[dict[str, Any]], truth: bool = False) -> None:
    contract = (TRUTH_TABLES if truth else TABLES)[name]
    schema = arrow_schema(contract)
    folder = root / ("truth/" + name if truth else name)
    folder.mkdir(parents=True, exist_ok=True)
    cols = {f.name: [r.get(f.name) for r in rows] for f in schema}
    table = pa.table(cols, schema=pa.schema([f.with_nullable(True) for f in schema]))
    pq.write_table(table, folder / "part-00000.parquet")


def make_world(root: Path, seed: int = 0, customers: int = 240, gangs: int = 3,
               withheld_share: float = 0.0) -> Path:
    rng = np.random.default_rng(seed)
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in (
        "customers", "calls", "call_utterances", "voiceprints", "contact_changes", "delinquency")}
    truth_numbers: dict[str, tuple[bool, str | None, str]] = {}
    truth_calls: list[dict[str, Any]] = []
    base = seed * 10_000_000
    phone = iter(range(base + 1, base + 9_000_000))

    def mobile(prefix: str = "138") -> str:
        return f"+86{prefix}{next(phone):08d}"

    gang_numbers = {g: [mobile(str(rng.choice(["170", "165", "138", "186"]))) for _ in range(3)]
                    for g in range(gangs)}
    gang_voices = {g: _unit(rng.standard_normal((2, DIM))) for g in range(gangs)}
    for g, nums in gang_numbers.items():
        for n in nums:
            truth_numbers[n] = (True, f"G{g}", "gang_habitual")
    lawyer = mobile("139")
    truth_numbers[lawyer] = (False, None, "lawyer")
    lawyer_voice = _unit(rng.standard_normal(DIM))
    call_no = 0
    hide = np.random.default_rng(seed + 10_000)

    def call(number: str | None, customer: str, day: int, relation: str, verified: bool, voice: np.ndarray,
             lines: list[str], proxy: bool, role: str, speaker: str, gang: str | None) -> None:
        nonlocal call_no
        call_no += 1
        cid = f"K{seed}{call_no:06d}"
        when = datetime.combine(START + timedelta(days=day), datetime.min.time()) + timedelta(
            hours=int(rng.integers(8, 22)), minutes=int(rng.integers(0, 60)))
        if withheld_share and hide.random() < withheld_share:  # own rng: the rest of the world is unchanged
            number = str(hide.choice(["", "anonymous", "withheld"])) if hide.random() < 0.5 else None
        out["calls"].append({
            "call_id": cid, "caller_number": number, "called_line": "95555", "direction": "inbound",
            "start_time": when, "duration_s": int(rng.integers(30, 600)), "queue": "card_service",
            "claimed_customer_id": customer, "caller_relation": relation, "identity_verified": verified,
            "agent_id": "S00001"})
        out["call_utterances"].append({"call_id": cid, "seq": 0, "speaker": "agent", "start_ms": 0,
                                       "end_ms": 1000, "text": "您好，请问有什么可以帮您"})
        out["call_utterances"].append({"call_id": cid, "seq": 1, "speaker": "caller", "start_ms": 1000,
                                       "end_ms": 3000, "text": str(rng.choice(lines))})
        emb = _unit(voice + 0.1 * rng.standard_normal(DIM) / np.sqrt(DIM) * 3)
        out["voiceprints"].append({"call_id": cid, "side": "caller", "embedding": emb.astype(np.float32).tolist(),
                                   "model_version": "toy"})
        truth_calls.append({"call_id": cid, "is_proxy": proxy, "gang_id": gang, "proxy_role": role,
                            "speaker_person_id": speaker, "missing_mandatory": ""})

    for i in range(customers):
        cust = f"C{seed}{i:05d}"
        own = mobile()
        truth_numbers[own] = (False, None, "customer_own")
        voice = _unit(rng.standard_normal(DIM))
        out["customers"].append({
            "customer_id": cust, "name": "张三", "id_number": "110101199001011234", "gender": "M",
            "birth_date": date(1990, 1, 1), "province": "广东省", "city": "深圳市", "registered_phone": own,
            "onboard_date": date(2020, 1, 1), "segment": "mass"})
        recruited = rng.random() < 0.2
        dpd = int(rng.choice([0, 35, 65])) if recruited else int(rng.choice([0, 0, 0, 35]))
        for m in range(4):
            out["delinquency"].append({
                "account_id": f"A{cust}", "customer_id": cust, "snapshot_date": START + timedelta(days=30 * m),
                "days_past_due": dpd, "delinquency_bucket": "M0" if dpd == 0 else "M2",
                "overdue_amount": float(dpd * 100), "collection_stage": "none" if dpd == 0 else "outsourced"})
        for _ in range(int(rng.integers(1, 4))):
            call(own, cust, int(rng.integers(0, DAYS)), "self", bool(rng.random() < 0.95), voice, SELF_LINES,
                 False, "none", f"P{cust}", None)
        if rng.random() < 0.15:  # a genuine relative helps out
            rel = mobile("186")
            truth_numbers[rel] = (False, None, "genuine_relative")
            rel_voice = _unit(rng.standard_normal(DIM))
            for _ in range(int(rng.integers(1, 3))):
                call(rel, cust, int(rng.integers(0, DAYS)), "child", bool(rng.random() < 0.6), rel_voice,
                     RELATIVE_LINES, False, "none", f"R{cust}", None)
        if rng.random() < 0.03:
            call(lawyer, cust, int(rng.integers(0, DAYS)), "lawyer", True, lawyer_voice, ["我是客户的律师，咨询账单"],
                 False, "none", "LAWYER", None)
        if recruited:
            g = int(rng.integers(0, gangs))
            number = str(rng.choice(gang_numbers[g]))
            day = int(rng.integers(10, DAYS))
            if rng.random() < 0.4:
                out["contact_changes"].append({
                    "change_id": f"X{cust}", "customer_id": cust, "change_time": datetime.combine(
                        START + timedelta(days=day - 5), datetime.min.time()), "field": "mobile",
                    "old_value": own, "new_value": number, "channel": "app", "verified": False})
            op = gang_voices[g][int(rng.integers(0, 2))]
            for k in range(int(rng.integers(1, 4))):
                relation = str(rng.choice(["self", "agency", "lawyer", "relative"]))
                call(number, cust, min(DAYS - 1, day + k), relation, bool(rng.random() < 0.3), op, PROXY_LINES,
                     True, "posing_as_customer" if relation == "self" else "lawyer", f"OP{g}", f"G{g}")

    for name, rows in out.items():
        _write(root, name, rows)
    _write(root, "numbers", [{"number": n, "is_blackgray": t[0], "gang_id": t[1], "kind": t[2]}
                             for n, t in truth_numbers.items()], truth=True)
    _write(root, "calls", truth_calls, truth=True)
    (root / "world.json").write_text(json.dumps({"generator": "callers-toy", "seed": seed, "profile": "toy"}),
                                     encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def toy_worlds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A training and a held-out toy world (different seeds), built once per test session."""
    root = tmp_path_factory.mktemp("caller-worlds")
    return make_world(root / "train", seed=1, customers=160), make_world(root / "test", seed=2, customers=160)


@pytest.fixture(scope="session")
def frames(toy_worlds: tuple[Path, Path]) -> Frames:
    """The training toy world's number and call frames with their truth (read-only: copy before changing)."""
    world = open_world(toy_worlds[0])
    return attach_truth(build_frames(world, world_end(world), LexiconUtteranceScorer()), world)


@pytest.fixture(scope="session")
def withheld_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A held-out toy world where 40% of calls, proxies included, come with the number withheld."""
    return make_world(tmp_path_factory.mktemp("caller-withheld") / "world", seed=5, customers=160,
                      withheld_share=0.4)
