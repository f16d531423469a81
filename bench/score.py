"""Complaint early warning at scale: features + scoring for N customers, and reasons for the top 5%.

Targets (issue 6): 1,000,000 customers scored (features and model) in <= 120 s with peak memory <= 6 GB on
the 2-core machine; reasons for the top 5% in <= 60 s. Worlds are simulated once and cached in bench/out/;
the model is trained on a separate, smaller world (training is not what is timed here).

    .venv/bin/python bench/score.py                       # full size
    .venv/bin/python bench/score.py --customers 50000     # a quick look
"""

from __future__ import annotations

import argparse
import time

from _common import cached_world, peak_rss_mb, record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--train-customers", type=int, default=20_000)
    args = parser.parse_args()

    from grayshield.complaints.dataset import latest_scoring_date
    from grayshield.complaints.scoring import attach_reasons, score_date
    from grayshield.lake import open_world
    from grayshield.services.complaint_warning import fit_on_world

    models, _ = fit_on_world(open_world(cached_world(args.train_customers, 9, 101)))
    big = open_world(cached_world(args.customers, args.months, 202))
    as_of = latest_scoring_date(big)

    started = time.perf_counter()
    scored = score_date(big, models, as_of)
    score_s = time.perf_counter() - started

    top = scored["score"] >= scored["score"].quantile(0.95)
    started = time.perf_counter()
    explained = attach_reasons(models, scored, top)
    reasons_s = time.perf_counter() - started
    assert (explained.loc[top, "reasons"].map(len) > 0).mean() > 0.99

    rss = peak_rss_mb()
    record("score", "Complaint early warning: features + scoring, reasons (bench/score.py)", [
        f"- customers scored: {len(scored):,} on {as_of} ({args.months}-month world)",
        f"- features + scoring: **{score_s:.1f} s** ({len(scored) / score_s:,.0f} customers/s; target <= 120 s "
        "for 1,000,000)",
        f"- reasons for the top 5% ({int(top.sum()):,} customers): **{reasons_s:.1f} s** (target <= 60 s)",
        f"- peak RSS of the process: **{rss:,.0f} MiB** (target <= 6,144 MiB; includes training the model on "
        f"{args.train_customers:,} customers first)",
    ])


if __name__ == "__main__":
    main()
