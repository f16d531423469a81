"""Benchmark: raw JSON lines (MediaCrawler's Douyin ``contents`` records) to scored accounts, streamed.

The account model is trained once on a cached simulated world; the stream then replays that world's post
texts under fresh post ids, spread over ``--accounts`` authors, as JSON text lines. Timed: JSON parsing, the
MediaCrawler field mapping, the text engine (normalise, lexicon, contacts, post classifier), per-account
aggregation, profile scoring and the account model with reasons. Line assembly (string concatenation) is
inside the timing too, so the figure is if anything pessimistic. Throughput is per core (posts divided by
this process's CPU seconds). Targets (issue 8): >= 10,000 posts/s per core; 10 million posts with peak memory
<= 4 GB.

    .venv/bin/python bench/social.py [--posts 200000] [--accounts 50000] [--json] [--no-record]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import cached_world, peak_rss_mb, record  # noqa: E402
from grayshield.lake import open_world  # noqa: E402
from grayshield.social.evaluation import read_social, train_on  # noqa: E402
from grayshield.social.importers import crawler_records, json_lines  # noqa: E402
from grayshield.social.stream import score_stream  # noqa: E402
from grayshield.text.engine import TextEngine  # noqa: E402

TARGET_RATE = 10_000
TARGET_RSS_MB = 4_096


def raw_lines(texts: list[str], count: int, accounts: int) -> Iterator[str]:
    """``count`` Douyin content records as JSON text, the fields MediaCrawler writes, texts cycled."""
    encoded = [json.dumps(t, ensure_ascii=False) for t in texts]
    head = '{"aweme_id": "'
    for i in range(count):
        author = i * 7_919 % accounts
        yield (f'{head}{i}", "aweme_type": "0", "title": {encoded[i % len(encoded)]}, '
               f'"desc": {encoded[i % len(encoded)]}, "create_time": {1_714_521_600 + i % 15_552_000}, '
               f'"user_id": "u{author}", "sec_uid": "MS4w{author}", "nickname": "用户{author}", '
               f'"user_signature": "", "liked_count": "{i % 997}", "collected_count": "{i % 31}", '
               f'"comment_count": "{i % 89}", "share_count": "{i % 13}", "ip_location": "广东", '
               f'"last_modify_ts": 1730000000000, "aweme_url": "https://www.douyin.com/video/{i}"}}')


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000_000)
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-record", action="store_true", help="Do not rewrite docs/benchmarks.md.")
    args, _ = parser.parse_known_args(argv)  # make bench passes one BENCH_ARGS to every script

    world = cached_world(3_000, 6, args.seed)
    engine = TextEngine()
    started = time.perf_counter()
    model = train_on(world, engine)
    train_seconds = time.perf_counter() - started
    texts = read_social(open_world(world)).posts["text"].astype(str).tolist()

    lines = raw_lines(texts, args.posts, args.accounts)
    records = crawler_records(json_lines(lines), "douyin", "contents", "bench")
    wall, cpu = time.perf_counter(), time.process_time()
    scored, stats = score_stream(records, model, engine, batch_size=args.batch)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    result = {
        "posts": stats.posts, "accounts_scored": len(scored), "accounts_flagged": int(scored["flagged"].sum()),
        "rejected": stats.rejected, "cpu_seconds": round(cpu, 1), "wall_seconds": round(wall, 1),
        "posts_per_cpu_second": round(stats.posts / cpu), "target_posts_per_cpu_second": TARGET_RATE,
        "rate_met": stats.posts / cpu >= TARGET_RATE, "peak_rss_mb": round(peak_rss_mb(include_children=False)),
        "target_peak_rss_mb": TARGET_RSS_MB, "memory_met": peak_rss_mb(include_children=False) <= TARGET_RSS_MB,
        "train_seconds": round(train_seconds, 1),
    }
    if args.json:
        print(json.dumps(result))
    full = args.posts >= 10_000_000
    lines_md = [
        f"- stream: **{stats.posts:,}** Douyin content records as raw JSON lines, {args.accounts:,} authors, "
        f"batches of {args.batch:,}" + ("" if full else " (quick run: the memory target is for 10,000,000 posts)"),
        f"- scored accounts: {len(scored):,} ({result['accounts_flagged']:,} flagged), rejected lines: {stats.rejected}",
        f"- JSON -> scored accounts: {cpu:.1f} CPU s, {wall:.1f} wall s -> **{result['posts_per_cpu_second']:,} "
        f"posts per CPU-second** (target >= {TARGET_RATE:,}): {'met' if result['rate_met'] else 'NOT met'}",
        f"- peak RSS of the process: **{result['peak_rss_mb']:,} MiB** (target <= {TARGET_RSS_MB:,}): "
        f"{'met' if result['memory_met'] else 'NOT met'}; includes training the model first "
        f"({train_seconds:.0f} s on a 3,000-customer world)",
    ]
    if not args.no_record:
        record("social", "Public-opinion monitoring: raw JSON lines to scored accounts (bench/social.py)", lines_md)
    elif not args.json:
        print("\n".join(lines_md))
    return result


if __name__ == "__main__":
    main()
