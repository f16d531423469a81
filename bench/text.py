"""Benchmark: the text engine's batch path (normalise + lexicon match + contacts + classify) against a
keyword-only baseline (plain ``in`` over the clean lexicon terms), timed in the same run.

Short texts are assembled here from hand-written pieces (ads with evasion spellings, consumer talk, news),
so the benchmark needs no world. Throughput is per core: texts divided by the CPU seconds of this one
process, so a busy machine slows the wall clock but not the figure. Target: >= 20,000 texts/s/core.

    .venv/bin/python bench/text.py [--texts 100000] [--seed 1] [--json] [--no-record]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import peak_rss_mb, record  # noqa: E402
from grayshield.text import CharNgramClassifier, TextEngine  # noqa: E402
from grayshield.text.engine import LoadedModel  # noqa: E402

TARGET = 20_000
AD_TERMS = ["停息挂账", "协商还款", "个性化分期", "债务优化", "征信修复", "反催收", "逾期铲单", "零元销卡"]
EVASIONS: list[Callable[[str, random.Random], str]] = [
    lambda t, r: t,
    lambda t, r: r.choice([" ", "✖", "\u200b", "🔥", "·", "/"]).join(t),
    lambda t, r: t.translate(str.maketrans("账还务优复协个", "賬還務優復協個")),
    lambda t, r: {"停息挂账": "亭息挂帐", "协商还款": "xie商还款", "个性化分期": "gxh分期"}.get(t, t[0] + "*" + t[1:]),
    lambda t, r: {"停息挂账": "tx挂账", "征信修复": "zx修复", "反催收": "反cui收"}.get(t, " ".join(t)),
]
AD_FRAMES = ["专业{t}，{c}", "{t}找我们，不成功不收费", "信用卡逾期？{t}了解一下 {c}", "{t}｜{t2}，私信",
             "带你上岸：{t}、{t2}"]
CONTACTS = ["薇：shangan{n}", "电话 138 {n} 5678", "vx {n}", "扣扣 {n}{n}", "幺三八{n}五六七八"]
TALK = ["有人办过{t}吗？靠谱吗", "千万别信{t}中介，交了钱就跑", "我自己跟银行协商的，没花钱", "逾期三个月了好焦虑",
        "今天去银行办了分期", "{t}是骗局吗，求大神解答", "还清信用卡了，开心"]
NEWS = ["警方打掉以{t}为名的诈骗团伙", "监管提示：警惕{t}类骗局", "银行开展金融知识宣传周活动",
        "人民银行：{t}是骗局，征信不存在付费修复"]


def make_texts(count: int, seed: int) -> tuple[list[str], list[str], list[bool]]:
    """(texts, labels, evasive) with about a third ads, a third talk, a third news."""
    rng = random.Random(seed)
    texts, labels, evasive = [], [], []
    for _ in range(count):
        kind = rng.random()
        term, other = rng.choice(AD_TERMS), rng.choice(AD_TERMS)
        if kind < 0.34:
            style = rng.randrange(len(EVASIONS))
            contact = rng.choice(CONTACTS).format(n=rng.randrange(1000, 9999))
            frame = rng.choice(AD_FRAMES)
            texts.append(frame.format(t=EVASIONS[style](term, rng), t2=EVASIONS[style](other, rng), c=contact))
            labels.append("blackgray_ad")
            evasive.append(style > 0)
        else:
            pool, label = (TALK, "consumer_discussion") if kind < 0.67 else (NEWS, "news_official")
            texts.append(rng.choice(pool).format(t=term))
            labels.append(label)
            evasive.append(False)
    return texts, labels, evasive


def timed(work: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.process_time() - cpu, time.perf_counter() - wall


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-record", action="store_true", help="Do not rewrite docs/benchmarks.md.")
    args, _ = parser.parse_known_args(argv)  # make bench passes one BENCH_ARGS to every script

    engine = TextEngine()
    train_texts, train_labels, _ = make_texts(3000, args.seed + 1000)
    classifier = CharNgramClassifier("posts").fit(
        engine.analyse_many(train_texts), train_labels, list(engine.lexicon.categories))
    engine.models["posts"] = LoadedModel(classifier, "bench", {})
    texts, labels, evasive = make_texts(args.texts, args.seed)
    engine.predict(texts[:2000], "posts")  # warm the lazily filled character tables, as a running service has

    clean_terms = [t.text for t in engine.lexicon.terms if t.signal == "blackgray_ad"]
    keyword_hits, keyword_cpu, keyword_wall = timed(lambda: [any(k in t for k in clean_terms) for t in texts])
    (analyses, proba), engine_cpu, engine_wall = timed(lambda: engine.predict(texts, "posts"))

    predicted = [classifier.labels[i] for i in proba.argmax(axis=1)]
    ads = [i for i, label in enumerate(labels) if label == "blackgray_ad"]
    evasive_ads = [i for i in ads if evasive[i]]
    result = {
        "texts": len(texts),
        "mean_chars": sum(map(len, texts)) / len(texts),
        "engine_texts_per_cpu_second": len(texts) / engine_cpu,
        "engine_wall_seconds": engine_wall,
        "keyword_texts_per_cpu_second": len(texts) / keyword_cpu,
        "keyword_wall_seconds": keyword_wall,
        "engine_cost_vs_keyword": engine_cpu / keyword_cpu,
        "target_texts_per_cpu_second": TARGET,
        "target_met": len(texts) / engine_cpu >= TARGET,
        "evasive_ad_recall_keyword": sum(keyword_hits[i] for i in evasive_ads) / max(len(evasive_ads), 1),
        "evasive_ad_recall_engine": sum(predicted[i] == "blackgray_ad" for i in evasive_ads) / max(len(evasive_ads), 1),
        "peak_rss_mb": peak_rss_mb(),
    }
    if args.json:
        print(json.dumps(result))
    lines = [
        f"{result['texts']:,} short texts (mean {result['mean_chars']:.0f} characters), one process, batch API.",
        "",
        "| path | texts / CPU-second | wall s | recall on evasive ads |",
        "| --- | ---: | ---: | ---: |",
        f"| text engine: normalise + match + contacts + classify | {result['engine_texts_per_cpu_second']:,.0f} | "
        f"{engine_wall:.2f} | {result['evasive_ad_recall_engine']:.3f} |",
        f"| keyword baseline: `in` over {len(clean_terms)} clean terms | {result['keyword_texts_per_cpu_second']:,.0f}"
        f" | {keyword_wall:.2f} | {result['evasive_ad_recall_keyword']:.3f} |",
        "",
        f"Engine CPU cost = {result['engine_cost_vs_keyword']:.1f}x the keyword baseline; target "
        f">= {TARGET:,} texts/s/core {'met' if result['target_met'] else 'NOT met'}. "
        f"Peak RSS {result['peak_rss_mb']:.0f} MiB.",
    ]
    if not args.no_record:
        record("text", "Text engine (bench/text.py)", lines)
    elif not args.json:
        print("\n".join(lines))
    return result


if __name__ == "__main__":
    main()
