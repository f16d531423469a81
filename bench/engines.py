"""The complaint feature job on DuckDB and on Spark local[2], same world, same Ibis code (issue 12).

Prints both wall times and the ratio; the world (default 1,000,000 customers x 6 months) is cached in
bench/out/ and shared with bench/score.py.

    .venv/bin/python bench/engines.py [--customers 1000000] [--months 6]
"""

from __future__ import annotations

import argparse
import time

from _common import cached_world, record


def run(engine: str, world_path: str) -> tuple[float, int]:
    from grayshield.complaints.dataset import latest_scoring_date
    from grayshield.core.settings import Settings
    from grayshield.features import build_features, make_spine
    from grayshield.lake import open_world
    from grayshield.lake.engines import connect

    connection = connect(Settings(lake={"engine": engine}, environment="test"))
    world = open_world(world_path, connection)
    as_of = latest_scoring_date(open_world(world_path))
    started = time.perf_counter()
    rows = len(build_features(world, make_spine(world, [as_of])).to_pandas())
    return time.perf_counter() - started, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=6)
    args = parser.parse_args()
    path = str(cached_world(args.customers, args.months, 202))
    duck_s, duck_rows = run("duckdb", path)
    spark_s, spark_rows = run("spark", path)
    assert duck_rows == spark_rows
    record("engines", "Feature job on DuckDB vs Spark local[2] (bench/engines.py)", [
        f"- world: {args.customers:,} customers x {args.months} months; {duck_rows:,} customers featured "
        "(one scoring date, every catalogue feature)",
        f"- DuckDB (embedded, 2 threads): **{duck_s:.1f} s**",
        f"- Spark local[2] (session start-up excluded, first query included): **{spark_s:.1f} s**",
        f"- ratio Spark / DuckDB: **{spark_s / duck_s:.1f}x** — one machine favours DuckDB; Spark pays off when the "
        "data outgrows one machine (see docs/scale.md)",
    ])


if __name__ == "__main__":
    main()
