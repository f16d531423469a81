"""Benchmark: transcript QA of 1,000,000 utterances (target <= 120 s) and conformance checking of 100,000
complaint cases (target <= 300 s), on this machine.

The inputs are a simulated world's transcripts and complaint log tiled under fresh call and case ids up to
the wanted size (transcripts are a small share of a world, so simulating a million utterances would take far
longer than the QA). The breach classifier and the normal process are learnt on the original world first;
only QA (fold, rules, classifier, missing items, scores) and conformance are timed. ``--scale 0.1`` runs a
tenth of both sizes for a quick look.

    .venv/bin/python bench/compliance.py [--scale 1.0] [--customers 5000] [--json] [--no-record]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import cached_world, peak_rss_mb, record  # noqa: E402
from grayshield.compliance.evaluation import fit_world  # noqa: E402
from grayshield.compliance.process import check  # noqa: E402
from grayshield.compliance.qa import run_qa  # noqa: E402
from grayshield.compliance.rules import load_rulebook  # noqa: E402
from grayshield.compliance.worlds import call_keys, complaint_log, world_utterances  # noqa: E402
from grayshield.lake import open_world  # noqa: E402

QA_TARGET_S, CONFORMANCE_TARGET_S = 120.0, 300.0
UTTERANCES, CASES = 1_000_000, 100_000


def tile(frame: pd.DataFrame, key: str, wanted_keys: int) -> pd.DataFrame:
    """Copies of ``frame`` with ``key`` suffixed per copy, cut to ``wanted_keys`` distinct keys."""
    keys = frame[key].unique()
    copies = -(-wanted_keys // max(len(keys), 1))
    parts = [frame.assign(**{key: frame[key] + f"~{i}"}) for i in range(copies)]
    tiled = pd.concat(parts, ignore_index=True)
    kept = tiled[key].drop_duplicates().iloc[:wanted_keys]
    return tiled[tiled[key].isin(set(kept))].reset_index(drop=True)


def tile_rows(frame: pd.DataFrame, key: str, wanted_rows: int) -> pd.DataFrame:
    per_key = len(frame) / max(frame[key].nunique(), 1)
    tiled = tile(frame, key, int(wanted_rows / per_key) + 1)
    return tiled.iloc[:wanted_rows]


def run(scale: float, customers: int) -> dict[str, Any]:
    world_path = cached_world(customers, 6, seed=3)
    world = open_world(world_path)
    book = load_rulebook()
    started = time.perf_counter()
    qa_model, process, _ = fit_world(world_path, book)
    fit_s = time.perf_counter() - started

    utterances = tile_rows(world_utterances(world), "call_id", int(UTTERANCES * scale))
    calls = tile(call_keys(world), "call_id", call_keys(world)["call_id"].nunique())
    started, cpu = time.perf_counter(), time.process_time()
    result = run_qa(book, utterances, calls, qa_model)
    agents = result.scores("agent_id")
    qa_s, qa_cpu = time.perf_counter() - started, time.process_time() - cpu

    events = tile(complaint_log(world), "case_id", int(CASES * scale))
    started, cpu = time.perf_counter(), time.process_time()
    cases = check(process, events)
    conformance_s, conformance_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "scale": scale, "world": world.identity().get("name", str(world_path.name)), "fit_s": round(fit_s, 1),
        "utterances": len(utterances), "agent_utterances": int((utterances["speaker"] == "agent").sum()),
        "calls_scored": len(result.calls), "agents_scored": len(agents), "findings": len(result.findings),
        "qa_s": round(qa_s, 1), "qa_cpu_s": round(qa_cpu, 1),
        "qa_per_s": round(len(utterances) / max(qa_s, 1e-9)),
        "cases": int(events["case_id"].nunique()), "events": len(events), "case_alerts": int(cases["alert"].sum()),
        "conformance_s": round(conformance_s, 1), "conformance_cpu_s": round(conformance_cpu, 1),
        "peak_rss_mb": round(peak_rss_mb(), 0),
    }


def lines(r: dict[str, Any]) -> list[str]:
    qa_limit, cf_limit = QA_TARGET_S * r["scale"], CONFORMANCE_TARGET_S * r["scale"]
    size = "full size" if r["scale"] == 1.0 else f"scale {r['scale']} (targets scaled alike)"
    return [
        f"Source: transcripts and complaint log of a simulated world ({r['world']}) tiled to {size}; classifier "
        f"and normal process learnt first ({r['fit_s']} s, not timed).",
        "",
        f"- transcript QA: {r['utterances']:,} utterances ({r['agent_utterances']:,} agent turns, "
        f"{r['calls_scored']:,} calls, {r['agents_scored']} agents) in **{r['qa_s']} s** "
        f"({r['qa_per_s']:,} utterances/s; CPU {r['qa_cpu_s']} s; target <= {qa_limit:.0f} s): "
        f"{'met' if r['qa_s'] <= qa_limit else 'NOT met'}",
        f"- conformance: {r['cases']:,} complaint cases ({r['events']:,} events, {r['case_alerts']:,} alerts) in "
        f"**{r['conformance_s']} s** (CPU {r['conformance_cpu_s']} s; target <= {cf_limit:.0f} s): "
        f"{'met' if r['conformance_s'] <= cf_limit else 'NOT met'}",
        f"- peak RSS: {r['peak_rss_mb']:.0f} MiB",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="Share of the full sizes (1M utterances, 100k cases).")
    parser.add_argument("--customers", type=int, default=5_000, help="Size of the simulated source world.")
    parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
    parser.add_argument("--no-record", action="store_true", help="Do not write docs/benchmarks.md.")
    args = parser.parse_args()
    if not 0 < args.scale <= 10:
        parser.error("--scale must be in (0, 10]")
    result = run(args.scale, args.customers)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    if not args.no_record:
        record("compliance", "Compliance: transcript QA and conformance checking (bench/compliance.py)", lines(result))
    elif not args.json:
        print("\n".join(lines(result)))


if __name__ == "__main__":
    main()
