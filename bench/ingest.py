"""Ingest speed and memory: a generated calls CSV (5,000,000 rows by default) through ``Lake.ingest``.

Targets (issue 2): at least 200,000 rows/s on a 2-core machine, peak RSS at most 2 GB. The CSV is generated
with numpy/pyarrow in a temporary folder; the ingest runs in a child process so its peak memory is measured
alone (``getrusage(RUSAGE_CHILDREN)``), and the figures go to docs/benchmarks.md.

    python bench/ingest.py             # full size
    python bench/ingest.py --rows 200000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import record  # noqa: E402

TARGET_ROWS_PER_S = 200_000
TARGET_PEAK_MB = 2048
GENERATE_CHUNK = 500_000
MOBILE_PREFIXES = np.array([130, 131, 132, 135, 136, 137, 138, 139, 150, 151, 155, 158, 159, 176, 180, 186, 188, 189])
LANDLINES = [f"0{area}{n}" for area, n in (("21", 61234567), ("10", 62345678), ("755", 86123456))]


def _pick(rng: np.random.Generator, values: list[str], n: int) -> pa.Array:
    return pc.take(pa.array(values), pa.array(rng.integers(0, len(values), n)))


def _with_prefix(prefix: str, numbers: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(numbers), pa.string()), "")


def _calls_chunk(rng: np.random.Generator, first_id: int, n: int) -> pa.Table:
    mobiles = pc.cast(pa.array(rng.choice(MOBILE_PREFIXES, n) * 100_000_000 + rng.integers(0, 100_000_000, n)),
                      pa.string())
    kind = rng.random(n)
    caller = pc.if_else(pa.array(kind < 0.08), "", pc.if_else(pa.array(kind < 0.10), _pick(rng, LANDLINES, n),
                        pc.if_else(pa.array(kind < 0.12), "95555", mobiles)))
    outbound = pa.array(rng.random(n) < 0.3)
    seconds = pa.array(1_704_038_400 + rng.integers(0, 365 * 86_400, n), pa.timestamp("s"))
    return pa.table({
        "call_id": _with_prefix("CALL", np.arange(first_id, first_id + n)),
        "caller_number": caller,
        "called_line": _pick(rng, ["95555", "95588", "COLL01", "COMPL02"], n),
        "direction": pc.if_else(outbound, "outbound", "inbound"),
        "start_time": pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S"),
        "duration_s": pa.array(rng.integers(0, 3_600, n)),
        "ivr_path": _pick(rng, ["1>2", "1>3>1", "2", "", "9>0"], n),
        "agent_id": _with_prefix("A", rng.integers(0, 3_000, n)),
        "queue": _pick(rng, ["general_service", "card_service", "collection", "complaint", "vip", ""], n),
        "claimed_customer_id": _with_prefix("C", rng.integers(0, 1_000_000, n)),
        "caller_relation": _pick(rng, ["self", "spouse", "agency", "lawyer", "unknown", ""], n),
        "identity_verified": _pick(rng, ["true", "false", "1", "0", "是", "否"], n),
        "customer_number": pc.if_else(outbound, mobiles, ""),
    })


def generate(path: Path, rows: int, seed: int = 20240301) -> None:
    rng = np.random.default_rng(seed)
    with pcsv.CSVWriter(path, _calls_chunk(rng, 0, 1).schema,
                        write_options=pcsv.WriteOptions(quoting_style="none")) as writer:
        for first in range(0, rows, GENERATE_CHUNK):
            writer.write_table(_calls_chunk(rng, first, min(GENERATE_CHUNK, rows - first)))


def child(home: Path, csv_path: Path) -> None:
    """Runs in its own process: ingest and print timing as JSON on the last line."""
    from grayshield.core.settings import Settings
    from grayshield.lake import Lake

    # Warm-up on a 10-row copy in a throwaway lake: one-time imports and lookup tables are not throughput.
    warm = home.parent / "warm-up"
    warm.mkdir()
    with csv_path.open("rb") as fh:
        (warm / "calls.csv").write_bytes(b"".join(fh.readline() for _ in range(11)))
    Lake(Settings(home=warm / "home", environment="test")).ingest([warm / "calls.csv"])
    started, cpu_before = time.perf_counter(), _cpu_seconds()
    report = Lake(Settings(home=home, environment="test")).ingest([csv_path])
    elapsed, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_before
    print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "accepted": report.accepted,
                      "rejected": report.rejected}))


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # all threads of this process
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--child", nargs=2, metavar=("HOME", "CSV"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory(prefix="gs-bench-ingest-") as tmp:
        csv_path = Path(tmp) / "calls.csv"
        started = time.perf_counter()
        generate(csv_path, args.rows)
        generated_s = time.perf_counter() - started
        size_mb = csv_path.stat().st_size / 2**20
        run = subprocess.run([sys.executable, __file__, "--child", str(Path(tmp) / "home"), str(csv_path)],
                             capture_output=True, text=True, check=True)
        result = json.loads(run.stdout.strip().splitlines()[-1])
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the ingest child alone, MiB
    rate = args.rows / result["seconds"]
    cpu_rate = args.rows / result["cpu_seconds"]
    load = os.getloadavg()[0]
    if rate >= TARGET_ROWS_PER_S:
        speed = "met on wall time"
    elif cpu_rate >= TARGET_ROWS_PER_S:
        speed = (f"not met on wall time here (load average {load:.1f}: other work shares the cores), met per "
                 "CPU-second, so expected on a machine with one idle core (not measured here)")
    else:
        speed = "NOT met"
    record("ingest", "Ingest: calls CSV into the lake (`bench/ingest.py`)", [
        f"- rows: {args.rows:,} ({size_mb:,.0f} MiB CSV, generated in {generated_s:.1f} s)",
        f"- accepted / quarantined: {result['accepted']:,} / {result['rejected']:,}",
        f"- ingest wall time: {result['seconds']:.1f} s -> **{rate:,.0f} rows/s** (target >= {TARGET_ROWS_PER_S:,})",
        f"- CPU time of the timed ingest (all threads): {result['cpu_seconds']:.1f} s -> "
        f"**{cpu_rate:,.0f} rows per CPU-second**",
        f"- peak RSS of the ingest process: **{peak:,.0f} MiB** (target <= {TARGET_PEAK_MB:,}): "
        f"{'met' if peak <= TARGET_PEAK_MB else 'NOT met'}",
        f"- speed target: {speed}",
        "",
    ])


if __name__ == "__main__":
    main()
