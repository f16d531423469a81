"""Streaming scoring: millions of crawled posts to scored accounts in bounded memory.

Posts are scored in batches; each batch's per-post results go to a Parquet file in a temporary folder, and the
per-account roll-up is one Ibis query over those files at the end (:class:`AccountAggregator`): only one batch of
posts and each account's latest profile are ever held in Python, so memory grows with the number of accounts,
not posts. Re-crawls of a post are counted once per crawl here (the batch path in
:mod:`grayshield.social.history` folds them first); feed one crawl per post, as a daily delta usually is.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from grayshield.social.aggregate import AccountAggregator
from grayshield.social.detection import (
    FEATURES,
    account_features,
    post_texts,
    profile_features,
    score_texts,
)
from grayshield.social.importers import ACCOUNT_COLUMNS, POST_COLUMNS, Record, Rejection
from grayshield.social.model import AccountModel, scored_frame
from grayshield.text.engine import TextEngine


@dataclass
class StreamStats:
    posts: int = 0
    batches: int = 0
    rejected: int = 0
    rejection_samples: list[Rejection] = field(default_factory=list)


def score_stream(records: Iterable[Record | Rejection], model: AccountModel, engine: TextEngine,
                 batch_size: int = 20_000, reasons: int = 3) -> tuple[pd.DataFrame, StreamStats]:
    """Scored accounts (as :func:`grayshield.social.model.score_accounts` returns them) from a record stream."""
    with tempfile.TemporaryDirectory(prefix="grayshield-social-") as spill:
        return _score(records, model, engine, AccountAggregator(folder=Path(spill)), batch_size, reasons)


def _score(records: Iterable[Record | Rejection], model: AccountModel, engine: TextEngine,
           aggregator: AccountAggregator, batch_size: int, reasons: int) -> tuple[pd.DataFrame, StreamStats]:
    stats = StreamStats()
    profiles: dict[tuple[str, str], tuple[bool, dict[str, Any]]] = {}
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        frame = pd.DataFrame(batch, columns=list(POST_COLUMNS))
        aggregator.add(frame, score_texts(engine, model.post_classifier, post_texts(frame)))
        stats.posts += len(batch)
        stats.batches += 1
        batch.clear()

    for record in records:
        if isinstance(record, Rejection):
            stats.rejected += 1
            if len(stats.rejection_samples) < 50:
                stats.rejection_samples.append(record)
        elif record.kind == "post":
            batch.append(record.row)
            if len(batch) >= batch_size:
                flush()
        else:
            key = (record.row["platform"], record.row["account_id"])
            known = profiles.get(key)
            if known is None or not record.partial or known[0]:  # a full profile is never replaced by a partial
                profiles[key] = (record.partial, record.row)
    if batch:
        flush()
    accounts = pd.DataFrame([row for _, row in profiles.values()], columns=list(ACCOUNT_COLUMNS))
    profile, contacts = profile_features(engine, model.post_classifier, accounts)
    nicknames = pd.Series(accounts["nickname"].to_numpy(), index=profile.index)
    features = account_features(aggregator, profile, contacts, nicknames)[list(FEATURES)]
    return scored_frame(model, features, aggregator, reasons), stats
