"""De-duplication and item history: the same post crawled again is one post with a history, not two posts.

A re-crawl tells the monitoring team what changed: engagement growth (is the ad spreading?), an edited text
(contacts swapped after a report) and removal (did the take-down work?). Rows are kept per crawl, as the
contract's grain says; these functions fold them into one current row plus its history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from grayshield.social.importers import ACCOUNT_COLUMNS, POST_COLUMNS, Record, Rejection

POST_KEY = ["platform", "post_id"]
ACCOUNT_KEY = ["platform", "account_id"]


@dataclass
class Collected:
    """Imported rows, one per (item, crawl), duplicates of the same crawl dropped; rejections kept with reasons."""

    posts: pd.DataFrame
    accounts: pd.DataFrame
    rejections: list[Rejection] = field(default_factory=list)
    duplicates: int = 0

    def summary(self) -> dict[str, int]:
        return {"posts": len(self.posts), "distinct_posts": int(self.posts[POST_KEY].drop_duplicates().shape[0]),
                "accounts": int(self.accounts[ACCOUNT_KEY].drop_duplicates().shape[0]),
                "duplicates_dropped": self.duplicates, "rejected": len(self.rejections)}


def collect(records: Iterable[Record | Rejection]) -> Collected:
    """Gather importer output; a full profile of an account wins over the partial rows read off its posts."""
    posts: list[dict[str, object]] = []
    full: list[dict[str, object]] = []
    partial: list[dict[str, object]] = []
    rejections: list[Rejection] = []
    for record in records:
        if isinstance(record, Rejection):
            rejections.append(record)
        elif record.kind == "post":
            posts.append(record.row)
        else:
            (partial if record.partial else full).append(record.row)
    post_frame = pd.DataFrame(posts, columns=list(POST_COLUMNS))
    before = len(post_frame)
    post_frame = post_frame.drop_duplicates([*POST_KEY, "crawled_time"], keep="last").reset_index(drop=True)
    full_frame = pd.DataFrame(full, columns=list(ACCOUNT_COLUMNS)).drop_duplicates([*ACCOUNT_KEY, "crawled_time"])
    partial_frame = pd.DataFrame(partial, columns=list(ACCOUNT_COLUMNS)).dropna(subset=["account_id"])
    known = pd.MultiIndex.from_frame(full_frame[ACCOUNT_KEY]) if len(full_frame) else None
    if known is not None and len(partial_frame):
        partial_frame = partial_frame[~pd.MultiIndex.from_frame(partial_frame[ACCOUNT_KEY]).isin(known)]
    partial_frame = partial_frame.sort_values("crawled_time").drop_duplicates(ACCOUNT_KEY, keep="last")
    accounts = pd.concat([f for f in (full_frame, partial_frame) if len(f)] or [full_frame], ignore_index=True)
    return Collected(post_frame, accounts, rejections, before - len(post_frame))


def latest(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """The most recent crawl of each item."""
    return frame.sort_values("crawled_time", kind="stable").drop_duplicates(key, keep="last").reset_index(drop=True)


def post_history(posts: pd.DataFrame) -> pd.DataFrame:
    """Per post: crawls, first and last crawl, engagement growth between them, text edits and removal."""
    ordered = posts.sort_values("crawled_time", kind="stable")
    engagement = ordered["likes"].fillna(0) + ordered["comments"].fillna(0) + ordered["shares"].fillna(0)
    ordered = ordered.assign(engagement=engagement, removed_flag=ordered["removed"].fillna(False).astype(bool))
    grouped = ordered.groupby(POST_KEY, sort=False)
    history = grouped.agg(
        crawls=("crawled_time", "size"), first_crawled=("crawled_time", "min"), last_crawled=("crawled_time", "max"),
        engagement_first=("engagement", "first"), engagement_last=("engagement", "last"),
        text_versions=("text", "nunique"), removed=("removed_flag", "max"))
    removed_at = ordered[ordered["removed_flag"]].groupby(POST_KEY)["crawled_time"].min().rename("removed_seen")
    history = history.join(removed_at)
    history["engagement_growth"] = (history["engagement_last"] - history["engagement_first"]).clip(lower=0)
    history["edited"] = history["text_versions"] > 1
    return history.reset_index()


def account_history(accounts: pd.DataFrame) -> pd.DataFrame:
    """Per account: follower growth between its first and last crawl and whether its nickname changed."""
    ordered = accounts.sort_values("crawled_time", kind="stable")
    grouped = ordered.groupby(ACCOUNT_KEY, sort=False)
    history = grouped.agg(followers_first=("followers", "first"), followers_last=("followers", "last"),
                          nicknames=("nickname", "nunique"), crawls=("crawled_time", "size"))
    history["follower_growth"] = (history["followers_last"] - history["followers_first"]).clip(lower=0)
    history["renamed_nickname"] = history["nicknames"] > 1
    return history.reset_index()
