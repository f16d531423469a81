"""Benchmark: gang discovery at card-issuer scale, and complaint template grouping of a million complaints.

Simulating a million-customer world takes longer than the benchmark itself, so the observations are generated
here in the shape ``grayshield.graph.build`` produces from a world (same node kinds and relations): households
sharing an address and relatives' numbers that call for the customer and that the bank dials, customers' own
phones, genuine complaints, and planted gangs (numbers calling for recruited customers, hijacked contact
numbers, template complaints, social accounts advertising the gang's numbers and handles). The timed part is
exactly the production path: ``finish`` (aggregate observations into edges and drop hubs, in DuckDB through
Ibis, as for a world) and ``discover`` (weights, Leiden, evidence and scores). Planted gangs give a recovery check (ARI) on top of the timing.

Targets (issue 10): graph + communities for 1,000,000 customers (>= 10 million edges) <= 5 min and <= 8 GB
peak; MinHash grouping of 1,000,000 complaints <= 5 min.

    .venv/bin/python bench/graph.py [--scale 1.0] [--seed 1] [--json] [--no-record]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import peak_rss_mb, record  # noqa: E402
from grayshield.graph import DiscoveryConfig, GraphConfig, discover  # noqa: E402
from grayshield.graph.build import finish  # noqa: E402
from grayshield.graph.evaluation import adjusted_rand  # noqa: E402
from grayshield.graph.templates import template_clusters  # noqa: E402

FULL_CUSTOMERS = 1_000_000
FULL_COMPLAINTS = 1_000_000
TARGET_SECONDS, TARGET_MB, TARGET_EDGES = 300, 8 * 1024, 10_000_000
RECRUITED_SHARE, CUSTOMERS_PER_GANG = 0.02, 2_000


def _ids(prefix: str, values: np.ndarray) -> np.ndarray:
    return (prefix + pd.Series(values).astype(str)).to_numpy(dtype=object)


def _frame(src: np.ndarray, dst: np.ndarray, relation: str, n: np.ndarray | int = 1) -> pa.Table:
    """Observations as Arrow (compact strings, as an engine reads them from Parquet), not Python objects."""
    rows = len(src)
    return pa.table({
        "src": pa.array(src, pa.string()), "dst": pa.array(dst, pa.string()),
        "relation": pa.array([relation] * rows, pa.string()),
        "n": pa.array(np.broadcast_to(np.asarray(n, dtype=np.int64), rows)),
        "first_time": pa.array(np.full(rows, np.datetime64("2024-01-01", "us"))),
        "last_time": pa.array(np.full(rows, np.datetime64("2024-12-31", "us")))})


def observations(customers: int, seed: int) -> tuple[pa.Table, dict[str, str]]:
    """World-shaped observations and the planted gang of every gang customer, number and account."""
    rng = np.random.default_rng(seed)
    cust = np.arange(customers)
    customer = _ids("customer:C", cust)
    own = _ids("number:o", cust)
    couples = rng.random(customers) < 0.4  # 40% share a household (and its relatives' phones) with a spouse
    household = np.where(couples, cust // 2, customers + cust)
    parts = [_frame(customer, own, "registered"), _frame(own, customer, "calls_for", rng.poisson(1.0, customers) + 1),
             _frame(own, customer, "answered_for", rng.poisson(2.0, customers) + 1),
             _frame(customer, _ids("address:h", household), "lives_at")]
    for k in range(4):  # relatives' numbers: they call for the customer and the bank dials them
        relative = _ids(f"number:r{k}_", household)
        parts += [_frame(relative, customer, "calls_for"), _frame(relative, customer, "answered_for")]
    complainants = rng.choice(cust, size=customers // 20, replace=False)
    complaint = _ids("complaint:P", np.arange(len(complainants)))
    parts += [_frame(complaint, customer[complainants], "filed_for"), _frame(complaint, own[complainants], "callback")]

    truth: dict[str, str] = {}
    gangs = max(1, customers // CUSTOMERS_PER_GANG)
    recruited = rng.choice(cust, size=int(customers * RECRUITED_SHARE), replace=False)
    gang_of = rng.integers(0, gangs, len(recruited))
    numbers = gang_of[:, None] * 20 + rng.integers(0, 20, (len(recruited), 4))
    gang_number = np.vectorize(lambda x: f"number:g{x}", otypes=[object])(numbers)
    parts += [_frame(gang_number[:, i], customer[recruited], "calls_for") for i in range(3)]
    parts.append(_frame(customer[recruited], gang_number[:, 3], "unverified_change_to"))
    gang_complaint = _ids("complaint:G", np.arange(len(recruited)))
    template = _ids("template:", gang_of * 3 + rng.integers(0, 3, len(recruited)))
    parts += [_frame(gang_complaint, customer[recruited], "filed_for"),
              _frame(gang_complaint, template, "uses_template"), _frame(gang_complaint, gang_number[:, 0], "callback")]
    accounts = np.repeat(np.arange(gangs) * 5, 5) + np.tile(np.arange(5), gangs)
    account = _ids("account:douyin/a", accounts)
    for k in range(10):
        advertised = _ids("number:g", (accounts // 5) * 20 + (accounts + k) % 20)
        parts.append(_frame(account, advertised, "advertises"))
    parts.append(_frame(account, _ids("handle:wechat:g", accounts // 5), "advertises"))
    truth.update(zip(customer[recruited], (f"G{g}" for g in gang_of), strict=True))
    truth.update((f"number:g{x}", f"G{x // 20}") for x in range(gangs * 20))
    truth.update(zip(account, (f"G{a // 5}" for a in accounts), strict=True))
    return pa.concat_tables(parts), truth


def complaint_texts(count: int, seed: int) -> tuple[list[str], list[int]]:
    """A third from 300 gang templates (names and amounts filled in), the rest individual complaints."""
    rng = random.Random(seed)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 3500)]
    phrases = ["".join(rng.choice(chars) for _ in range(rng.randint(4, 12))) for _ in range(20_000)]
    templates = ["".join(rng.choice(chars) for _ in range(110)) for _ in range(300)]
    texts, labels = [], []
    for _ in range(count):
        if rng.random() < 1 / 3:
            t = rng.randrange(len(templates))
            body = templates[t]
            texts.append(f"委托人{rng.choice(chars)}{rng.choice(chars)}欠款{rng.randint(1000, 99999)}元，{body[:50]}，"
                         f"{rng.randint(2020, 2025)}年{rng.randint(1, 12)}月起{body[50:]}")
            labels.append(t)
        else:
            texts.append("，".join(rng.choice(phrases) for _ in range(rng.randint(6, 12))))
            labels.append(-1)
    return texts, labels


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="Share of the full size (1.0 = 1,000,000).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-record", action="store_true", help="Do not rewrite docs/benchmarks.md.")
    args, _ = parser.parse_known_args(argv)
    customers, complaints = int(FULL_CUSTOMERS * args.scale), int(FULL_COMPLAINTS * args.scale)

    start = time.perf_counter()
    raw, truth = observations(customers, args.seed)
    generated, cpu_start = time.perf_counter(), time.process_time()
    graph = finish(raw, GraphConfig())
    del raw
    built = time.perf_counter()
    found = discover(graph, DiscoveryConfig())
    discovered, cpu_seconds = time.perf_counter(), time.process_time() - cpu_start
    predicted = {k: v for k, v in found.gang_of().items() if k in truth or k.split(":", 1)[0] in
                 ("customer", "account") or k.startswith("number:g")}
    graph_rss = peak_rss_mb()

    texts, labels = complaint_texts(complaints, args.seed)
    text_start, text_cpu = time.perf_counter(), time.process_time()
    clusters = template_clusters(pd.Series(texts))
    grouped_seconds, grouped_cpu = time.perf_counter() - text_start, time.process_time() - text_cpu
    frame = pd.DataFrame({"label": labels, "cluster": clusters.to_numpy()})
    templated = frame[frame["label"] >= 0]
    majority = templated.groupby("label")["cluster"].agg(lambda s: s.value_counts().index[0] if s.notna().any()
                                                         else None)
    grouping = float((templated["cluster"] == templated["label"].map(majority)).mean())
    genuine_grouped = float(frame.loc[frame["label"] < 0, "cluster"].notna().mean())

    seconds = discovered - generated
    result = {
        "customers": customers, "edges": int(len(graph.edges)), "nodes": int(len(found.membership)),
        "generate_seconds": round(generated - start, 1), "graph_seconds": round(built - generated, 1),
        "communities_seconds": round(discovered - built, 1), "graph_and_communities_seconds": round(seconds, 1),
        "graph_and_communities_cpu_seconds": round(cpu_seconds, 1), "minhash_cpu_seconds": round(grouped_cpu, 1),
        "gangs_planted": len(set(truth.values())), "gangs_found": len(found.gangs),
        "ari_planted": adjusted_rand(truth, predicted), "graph_peak_rss_mb": round(graph_rss),
        "complaints": complaints, "minhash_seconds": round(grouped_seconds, 1),
        "template_grouping": round(grouping, 4), "individual_complaints_grouped": round(genuine_grouped, 4),
        "peak_rss_mb": round(peak_rss_mb()),
    }
    result["targets_met"] = bool(seconds <= TARGET_SECONDS and graph_rss <= TARGET_MB
                                 and grouped_seconds <= TARGET_SECONDS
                                 and (args.scale < 1 or result["edges"] >= TARGET_EDGES))
    if args.json:
        print(json.dumps(result))
    lines = [
        f"Synthetic world-shaped graph, {customers:,} customers (scale {args.scale}); production path "
        "`finish` + `discover` timed; generation not timed.",
        "",
        "| step | figure |",
        "| --- | ---: |",
        f"| edges after aggregation / nodes | {result['edges']:,} / {result['nodes']:,} |",
        f"| build graph (aggregate, drop hubs) | {result['graph_seconds']} s |",
        f"| Leiden + evidence + scores | {result['communities_seconds']} s |",
        f"| graph + communities, wall (target <= {TARGET_SECONDS} s) / CPU | "
        f"{result['graph_and_communities_seconds']} s / {result['graph_and_communities_cpu_seconds']} s |",
        f"| peak RSS after graph (target <= {TARGET_MB:,} MiB) | {result['graph_peak_rss_mb']:,} MiB |",
        f"| planted gangs found / planted, ARI | {result['gangs_found']} / {result['gangs_planted']}, "
        f"{result['ari_planted']} |",
        f"| MinHash-LSH grouping of {complaints:,} complaints, wall (target <= {TARGET_SECONDS} s) / CPU | "
        f"{result['minhash_seconds']} s / {result['minhash_cpu_seconds']} s |",
        f"| template complaints grouped with their template / individual complaints grouped | "
        f"{result['template_grouping']} / {result['individual_complaints_grouped']} |",
        "",
        f"Targets {'met' if result['targets_met'] else 'NOT met'} (wall clock; CPU seconds show the work on a "
        f"busy machine). Peak RSS of the whole run {result['peak_rss_mb']:,} MiB.",
    ]
    if not args.no_record:
        record("graph", "Gang discovery and complaint templates (bench/graph.py)", lines)
    elif not args.json:
        print("\n".join(lines))
    return result


if __name__ == "__main__":
    main()
