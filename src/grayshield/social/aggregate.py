"""Per-account aggregation of scored posts, in Ibis: the same query on DuckDB (default) or Spark.

Text detection stays in Python (the text engine reads each post); what it finds is written, batch by batch,
as a small per-post result table (:func:`post_rows`: one row per post, numbers and short strings only). The
roll-up to one row per account is then Ibis over that table: sums, shares and cadence, the main business and
region, and each account's first contacts. A stream of millions of posts spills its batches to Parquet files
(``folder``) that DuckDB, or a Spark cluster mounting the folder, aggregates without holding them in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from grayshield.core.clock import BANK_TZ
from grayshield.social.detection import ACCOUNT_KEY, AD_THRESHOLD, PostSignals

if TYPE_CHECKING:
    import ibis
    import ibis.expr.types as ir

POST_ROW_SCHEMA = pa.schema([
    ("platform", pa.string()), ("account_id", pa.string()), ("seq", pa.int64()), ("posted_day", pa.float64()),
    ("comment", pa.int64()), ("ad", pa.int64()), ("p_ad", pa.float64()), ("lexicon", pa.float64()),
    ("sound_alike", pa.float64()), ("has_contact", pa.int64()), ("night", pa.int64()),
    ("engagement", pa.float64()), ("views", pa.float64()), ("removed", pa.int64()), ("credit_card_ad", pa.int64()),
    ("business", pa.string()), ("region", pa.string()), ("contacts", pa.list_(pa.string())),
])
"""One row per scored post: what detection found plus the post attributes the account features need."""


def posting_instants(values: pd.Series) -> pd.Series:
    """Posting times as UTC instants: zoned values (crawlers' Unix times) as given, naive ones (the contract's,
    the lake's) on the Shanghai wall clock. Reading naive times as UTC put "night" eight hours off for lake
    data while crawled data was right, so the model learnt one clock and scored another."""
    try:
        posted = pd.to_datetime(values)
    except (ValueError, TypeError):  # zoned and naive values mixed in one column
        return pd.to_datetime(values, utc=True)
    if posted.dt.tz is None:
        return posted.dt.tz_localize(BANK_TZ).dt.tz_convert("UTC")
    return posted.dt.tz_convert("UTC")


def post_rows(posts: pd.DataFrame, signals: PostSignals, first_seq: int = 0) -> pa.Table:
    """The per-post result table of one batch (``signals`` aligned with ``posts``' rows); ``seq`` numbers the
    posts in arrival order from ``first_seq``."""
    posted = posting_instants(posts["posted_time"])
    hours = posted.dt.tz_convert(BANK_TZ).dt.hour.to_numpy()
    engagement = (posts["likes"].fillna(0) + posts["comments"].fillna(0) + posts["shares"].fillna(0)).to_numpy()
    ad = np.asarray(signals.p_ad >= AD_THRESHOLD, dtype=bool)
    region = [r if isinstance(r, str) and r else None for r in posts["ip_location"].tolist()]
    columns = {
        "platform": posts["platform"].to_numpy(dtype=object), "account_id": posts["account_id"].to_numpy(dtype=object),
        "seq": np.arange(first_seq, first_seq + len(posts), dtype=np.int64),
        "posted_day": ((posted - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(days=1)).to_numpy(dtype=float),
        "comment": (posts["post_type"] == "comment").to_numpy().astype(np.int64),
        "ad": ad.astype(np.int64), "p_ad": np.asarray(signals.p_ad, dtype=float),
        "lexicon": np.asarray(signals.lexicon_weight, dtype=float),
        "sound_alike": np.asarray(signals.sound_alike, dtype=float),
        "has_contact": np.array([bool(c) for c in signals.contacts], dtype=np.int64),
        "night": ((hours < 7) | (hours >= 23)).astype(np.int64),
        "engagement": np.asarray(engagement, dtype=float),
        "views": posts["views"].fillna(0).to_numpy(dtype=float),
        "removed": posts["removed"].fillna(False).astype(bool).to_numpy().astype(np.int64),
        "credit_card_ad": (np.array([b == "credit_card" for b in signals.business], dtype=bool) & ad).astype(np.int64),
        "business": np.asarray(signals.business, dtype=object), "region": region,
        "contacts": list(signals.contacts),
    }
    return pa.Table.from_pydict({name: columns[name] for name in POST_ROW_SCHEMA.names}, schema=POST_ROW_SCHEMA)


# ------------------------------------------------------------------------------------------ Ibis queries
def account_sums(rows: ir.Table) -> ir.Table:
    """One row per account that posted: shares, rates and cadence (the model's post features)."""
    s = rows.group_by(ACCOUNT_KEY).aggregate(
        posts=rows.count(), comments_made=rows.comment.sum(), ad_posts=rows.ad.sum(), p_ad_sum=rows.p_ad.sum(),
        lexicon_sum=rows.lexicon.sum(), sound_alike_sum=rows.sound_alike.sum(),
        contact_posts=rows.has_contact.sum(), night_posts=rows.night.sum(), engagement_sum=rows.engagement.sum(),
        views_sum=rows.views.sum(), removed_posts=rows.removed.sum(), p_ad_max=rows.p_ad.max(),
        engagement_max=rows.engagement.max(), last_posted=rows.posted_day.max(),
        first_posted=rows.posted_day.min())
    posts = s.posts.cast("float64")
    active_days = (s.last_posted - s.first_posted).clip(lower=1.0)
    return s.select(
        *ACCOUNT_KEY, posts=posts, ad_share=s.ad_posts / posts, ad_posts=s.ad_posts.cast("float64"),
        p_ad_mean=s.p_ad_sum / posts, p_ad_max=s.p_ad_max, lexicon_per_post=s.lexicon_sum / posts,
        sound_alike_per_post=s.sound_alike_sum / posts, contact_share=s.contact_posts / posts,
        comment_share=s.comments_made / posts, night_share=s.night_posts / posts,
        posts_per_day=posts / active_days, engagement_mean=s.engagement_sum / posts,
        engagement_max=s.engagement_max, views_sum=s.views_sum, removed_share=s.removed_posts / posts)


def _most_common(rows: ir.Table, column: str, prefer: str | None = None) -> ir.Table:
    """Per account, the most frequent non-null value of ``column`` (ties: ``prefer``, then the smallest)."""
    import ibis

    present = rows.filter(rows[column].notnull())
    counts = present.group_by([*ACCOUNT_KEY, column]).aggregate(k=present.count())
    order = [ibis.desc(counts.k)]
    if prefer is not None:
        order.append(ibis.desc((counts[column] == prefer).cast("int64")))
    order.append(counts[column])
    rank = ibis.row_number().over(group_by=[counts[k] for k in ACCOUNT_KEY], order_by=order)
    return counts.mutate(rank=rank).filter(lambda t: t["rank"] == 0).select(*ACCOUNT_KEY, column)


def main_businesses(rows: ir.Table) -> ir.Table:
    """The business an account's ad posts are mostly about (the issuer's own, credit cards, wins ties)."""
    return _most_common(rows.filter(rows.ad == 1), "business", prefer="credit_card")


def main_regions(rows: ir.Table) -> ir.Table:
    """The IP region an account mostly posts from."""
    return _most_common(rows, "region")


def first_contacts(rows: ir.Table, limit: int) -> ir.Table:
    """Each account's first ``limit`` distinct contacts (in arrival order, then by value): enough to link
    accounts, bounded so a spammer's thousand numbers cannot blow up memory."""
    import ibis

    found = rows.filter(rows.has_contact == 1)
    exploded = found.select(*ACCOUNT_KEY, "seq", contact=found.contacts.unnest())
    first = exploded.group_by([*ACCOUNT_KEY, "contact"]).aggregate(first=exploded.seq.min())
    rank = ibis.row_number().over(group_by=[first[k] for k in ACCOUNT_KEY], order_by=[first["first"], first.contact])
    return first.mutate(rank=rank).filter(lambda t: t["rank"] < limit).select(*ACCOUNT_KEY, "contact")


# ------------------------------------------------------------------------------------------ aggregator
@dataclass
class AccountAggregator:
    """Collects per-post result tables batch by batch; aggregates them per account, in Ibis, when asked.

    With ``folder`` each batch is written there as a Parquet file (memory stays one batch, whatever the
    number of posts); without it batches are kept as Arrow tables. ``connection`` is the engine that
    aggregates (a new DuckDB connection when not given; a Spark one needs ``folder`` on storage it can read).
    """

    max_contacts: int = 20
    folder: Path | None = None
    connection: ibis.BaseBackend | None = None
    batches: list[pa.Table] = field(default_factory=list)
    files: int = 0
    posts: int = 0
    contacts: defaultdict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    business: dict[tuple[str, str], str] = field(default_factory=dict)
    regions: dict[tuple[str, str], str] = field(default_factory=dict)
    _features: pd.DataFrame | None = None

    def add(self, posts: pd.DataFrame, signals: PostSignals) -> None:
        if not len(posts):
            return
        rows = post_rows(posts, signals, self.posts)
        self.posts += len(posts)
        if self.folder is not None:
            import pyarrow.parquet as pq

            self.folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(rows, self.folder / f"posts-{self.files:06d}.parquet")
            self.files += 1
        else:
            self.batches.append(rows)
        self._features = None

    def rows(self) -> ir.Table | None:
        """The per-post result table on the aggregating engine (``None`` before any post)."""
        import ibis

        if self.connection is None:
            self.connection = ibis.duckdb.connect()
        if self.folder is not None and self.files:
            from grayshield.lake.engines import read_parquet_folder

            return read_parquet_folder(self.connection, self.folder)
        if self.batches:
            return self.connection.create_table(f"social_post_rows_{id(self)}",
                                                pa.concat_tables(self.batches), temp=True, overwrite=True)
        return None

    def post_features(self) -> pd.DataFrame:
        """One row per account that posted (indexed by platform and account id), plus each account's main
        business, region and first contacts kept on the aggregator for scoring output and account links."""
        if self._features is not None:
            return self._features
        rows = self.rows()
        if rows is None:
            return pd.DataFrame(columns=ACCOUNT_KEY).set_index(ACCOUNT_KEY)
        features = account_sums(rows).to_pandas()
        keyed = features.set_index(ACCOUNT_KEY)
        self.business = _as_dict(main_businesses(rows).to_pandas(), "business")
        self.regions = _as_dict(main_regions(rows).to_pandas(), "region")
        self.contacts = defaultdict(set)
        found = first_contacts(rows, self.max_contacts).to_pandas()
        for platform, account, contact in zip(found["platform"], found["account_id"], found["contact"], strict=True):
            self.contacts[(platform, account)].add(contact)
        keyed["distinct_contacts"] = pd.Series({k: float(len(v)) for k, v in self.contacts.items()},
                                               dtype=float).reindex(keyed.index).fillna(0.0)
        self._features = keyed.astype(float)
        return self._features

    def main_business(self, key: tuple[str, str]) -> str:
        return self.business.get(key, "other")

    def main_region(self, key: tuple[str, str]) -> str | None:
        return self.regions.get(key)


def _as_dict(frame: pd.DataFrame, column: str) -> dict[tuple[str, str], str]:
    return {(p, a): v for p, a, v in zip(frame["platform"], frame["account_id"], frame[column], strict=True)}
