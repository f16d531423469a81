"""Benchmark ``grayshield simulate``: wall time, CPU time and peak memory for a world of a given size.

    python bench/simulate.py --customers 50000 --months 12            # measure, then extrapolate
    python bench/simulate.py --customers 1000000 --months 12 --keep   # the target: <= 15 min, <= 8 GB

Peak memory is the process's maximum resident set size (``resource.getrusage``), which covers the Arrow
buffers as well as Python objects. The world goes to a temporary folder unless --out is given.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path

from grayshield.sim import WorldParams, simulate

TARGET_SECONDS = 15 * 60
TARGET_RSS_GB = 8.0
TARGET_CUSTOMERS, TARGET_MONTHS = 1_000_000, 12


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--profile", default="default")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chunk", type=int, default=None, help="Customers per block (default: the parameter's).")
    parser.add_argument("--out", type=Path, default=None, help="Keep the world here (default: a temp folder).")
    args = parser.parse_args()

    overrides = {"chunk_customers": args.chunk} if args.chunk else {}
    params = WorldParams.for_profile(args.profile, customers=args.customers, months=args.months, seed=args.seed,
                                     **overrides)
    scratch = Path(tempfile.mkdtemp(prefix="gs-bench-"))
    out = args.out or scratch / "world"
    started, cpu_started = time.perf_counter(), time.process_time()
    last = [started]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        print(f"  {done:>10,} / {total:,} customers  {now - started:7.1f}s  (+{now - last[0]:.1f}s)", flush=True)
        last[0] = now

    manifest = simulate(params, out, force=True, progress=progress)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    size_gb = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1024**3
    scale = (TARGET_CUSTOMERS * TARGET_MONTHS) / (args.customers * args.months)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    result = {
        "customers": args.customers, "months": args.months, "profile": args.profile,
        "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "peak_rss_gb": round(peak_gb, 2),
        "world_gb": round(size_gb, 2), "rows": sum(manifest["row_counts"].values()),
        "extrapolated_1m_x_12_wall_s": round(wall * scale, 0),
        "meets_target": wall * scale <= TARGET_SECONDS and peak_gb <= TARGET_RSS_GB,
        "calibration": report["calibration"], "keyword_baseline": report["keyword_baseline"],
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
