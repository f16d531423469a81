"""Post and account signals: what the text engine says about each post, rolled up per account.

Posts go through :mod:`grayshield.text` (normaliser, lexicon, contacts, post classifier); accounts are then
described by aggregates an analyst would look at — how many of its posts read as black/gray ads, what its
nickname and bio say, which contact handles it spreads and whether other accounts (on this or another
platform, or a re-registered account after a ban) spread the same ones, and how it posts (cadence, comments
under other people's posts). :class:`AccountAggregator` builds these in chunks so a stream of millions of posts
fits in memory.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from grayshield.contract.truth import BUSINESS_TYPES
from grayshield.text.classify import Analysis, TextClassifier
from grayshield.text.engine import TextEngine

ACCOUNT_KEY = ["platform", "account_id"]
AD_THRESHOLD = 0.5  # a post "reads as an ad" above this probability; the account model learns the rest


@cache
def business_terms() -> dict[str, tuple[str, ...]]:
    """Terms per business type (``social/data/business.toml``), in the normaliser's folded form."""
    data = tomllib.loads(resources.files("grayshield.social").joinpath("data/business.toml").read_text("utf-8"))
    unknown = sorted(set(data) - set(BUSINESS_TYPES))
    if unknown:
        raise ValueError(f"business.toml: unknown business types {unknown}")
    return {name: tuple(str(t).lower() for t in terms) for name, terms in data.items()}


@cache
def _business_matcher() -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation over every term, longest first, so a post is scanned once whatever the number of types."""
    type_of = {term: name for name, terms in business_terms().items() for term in terms}
    pattern = re.compile("|".join(re.escape(t) for t in sorted(type_of, key=len, reverse=True)))
    return pattern, type_of


def business_type(normalised_text: str) -> str:
    """The business a post is about: the type with the most term hits; the issuer's own (credit card) wins ties."""
    pattern, type_of = _business_matcher()
    counts: dict[str, int] = {}
    for term in pattern.findall(normalised_text):
        counts[type_of[term]] = counts.get(type_of[term], 0) + 1
    if not counts:
        return "other"
    return max(counts, key=lambda name: (counts[name], name == "credit_card"))


@dataclass(frozen=True)
class PostSignals:
    """Per-post results of one batch, columns aligned with the batch's rows."""

    p_ad: np.ndarray
    lexicon_weight: np.ndarray
    sound_alike: np.ndarray
    contacts: list[list[str]]
    business: list[str]
    analyses: list[Analysis]


def post_texts(posts: pd.DataFrame) -> list[str]:
    titles = posts["title"].fillna("").astype(str).tolist()
    texts = posts["text"].fillna("").astype(str).tolist()
    return [f"{t} {x}" if t and not x.startswith(t) else x for t, x in zip(titles, texts, strict=True)]


def score_texts(engine: TextEngine, classifier: TextClassifier, texts: Sequence[str]) -> PostSignals:
    analyses = engine.analyse_many(texts)
    proba = classifier.predict_proba(analyses)
    column = list(classifier.labels).index("blackgray_ad")
    return signals_of(analyses, proba[:, column] if len(analyses) else np.zeros(0))


def signals_of(analyses: list[Analysis], p_ad: np.ndarray) -> PostSignals:
    """Signals from analyses already made and ad probabilities already predicted (training cross-fits these)."""
    weights = np.array([sum(h.term.weight for h in a.normalised.hits if h.term.signal == "blackgray_ad")
                        for a in analyses], dtype=float)
    sound = np.array([sum(h.sound_alike for h in a.normalised.hits) for a in analyses], dtype=float)
    contacts = [sorted({f"{c.kind}:{c.value}" for c in a.contacts}) for a in analyses]
    return PostSignals(p_ad, weights, sound, contacts,
                       [business_type(a.normalised.text) for a in analyses], analyses)


# ------------------------------------------------------------------------------------------ aggregation
_SUMS = ("posts", "comments_made", "ad_posts", "p_ad_sum", "lexicon_sum", "sound_alike_sum", "contact_posts",
         "night_posts", "engagement_sum", "views_sum", "removed_posts", "credit_card_posts")
_MAXES = ("p_ad_max", "engagement_max", "last_posted", "first_posted")


@dataclass
class AccountAggregator:
    """Running per-account sums over batches of scored posts, then one feature row per account.

    Contacts are kept as a bounded set per account (the first ``max_contacts``): enough to link accounts,
    bounded so a spammer's thousand numbers cannot blow up memory.
    """

    max_contacts: int = 20
    max_pending_rows: int = 1_000_000  # batch sums held before folding them into the running sums
    sums: pd.DataFrame | None = None
    pending: list[pd.DataFrame] = field(default_factory=list)
    contacts: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    business: dict[tuple[str, str], dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    regions: dict[tuple[str, str], dict[str, int]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, posts: pd.DataFrame, signals: PostSignals) -> None:
        hours = pd.to_datetime(posts["posted_time"], utc=True).dt.tz_convert("Asia/Shanghai").dt.hour.to_numpy()
        engagement = (posts["likes"].fillna(0) + posts["comments"].fillna(0) + posts["shares"].fillna(0)).to_numpy()
        ad = signals.p_ad >= AD_THRESHOLD
        posted = ((pd.to_datetime(posts["posted_time"], utc=True) - pd.Timestamp(0, tz="UTC"))
                  / pd.Timedelta(days=1)).to_numpy(dtype=float)
        frame = pd.DataFrame({
            "platform": posts["platform"].to_numpy(), "account_id": posts["account_id"].to_numpy(),
            "posts": 1, "comments_made": (posts["post_type"] == "comment").to_numpy().astype(int),
            "ad_posts": ad.astype(int), "p_ad_sum": signals.p_ad, "lexicon_sum": signals.lexicon_weight,
            "sound_alike_sum": signals.sound_alike,
            "contact_posts": np.array([bool(c) for c in signals.contacts], dtype=int),
            "night_posts": ((hours < 7) | (hours >= 23)).astype(int), "engagement_sum": engagement,
            "views_sum": posts["views"].fillna(0).to_numpy(dtype=float),
            "removed_posts": posts["removed"].fillna(False).astype(bool).to_numpy().astype(int),
            "credit_card_posts": np.array([b == "credit_card" for b in signals.business], dtype=int) & ad,
            "p_ad_max": signals.p_ad, "engagement_max": engagement, "last_posted": posted, "first_posted": -posted,
        })
        grouped = frame.groupby(ACCOUNT_KEY, sort=False)
        self.pending.append(grouped[list(_SUMS)].sum().join(grouped[list(_MAXES)].max()))
        if sum(len(p) for p in self.pending) >= self.max_pending_rows:
            self._fold()
        keys = list(zip(frame["platform"], frame["account_id"], strict=True))
        for key, found, business, is_ad in zip(keys, signals.contacts, signals.business, ad, strict=True):
            if found and len(self.contacts[key]) < self.max_contacts:
                self.contacts[key].update(found[: self.max_contacts - len(self.contacts[key])])
            if is_ad:
                self.business[key][business] = self.business[key].get(business, 0) + 1
        for key, region in zip(keys, posts["ip_location"].fillna("").tolist(), strict=True):
            if region:
                self.regions[key][region] = self.regions[key].get(region, 0) + 1

    def _fold(self) -> None:
        """Batch sums into the running sums: folded in bulk, not per batch, as the running sums grow with the
        number of accounts and regrouping them for every batch would dominate a long stream."""
        parts = ([self.sums] if self.sums is not None else []) + self.pending
        if parts:
            regrouped = pd.concat(parts).groupby(level=[0, 1], sort=False)
            self.sums = regrouped[list(_SUMS)].sum().join(regrouped[list(_MAXES)].max())
        self.pending = []

    def post_features(self) -> pd.DataFrame:
        """One row per account that posted: shares, rates and cadence from the running sums."""
        self._fold()
        if self.sums is None:
            return pd.DataFrame(columns=ACCOUNT_KEY).set_index(ACCOUNT_KEY)
        s = self.sums
        posts = s["posts"].clip(lower=1)
        active_days = (s["last_posted"] + s["first_posted"]).clip(lower=1.0)
        return pd.DataFrame({
            "posts": s["posts"], "ad_share": s["ad_posts"] / posts, "ad_posts": s["ad_posts"],
            "p_ad_mean": s["p_ad_sum"] / posts, "p_ad_max": s["p_ad_max"], "lexicon_per_post": s["lexicon_sum"] / posts,
            "sound_alike_per_post": s["sound_alike_sum"] / posts, "contact_share": s["contact_posts"] / posts,
            "comment_share": s["comments_made"] / posts, "night_share": s["night_posts"] / posts,
            "posts_per_day": s["posts"] / active_days, "engagement_mean": s["engagement_sum"] / posts,
            "engagement_max": s["engagement_max"], "views_sum": s["views_sum"],
            "removed_share": s["removed_posts"] / posts,
            "distinct_contacts": pd.Series({k: len(v) for k, v in self.contacts.items()}, dtype=float)
            .reindex(s.index).fillna(0.0),
        }, index=s.index)

    def main_business(self, key: tuple[str, str]) -> str:
        counts = self.business.get(key)
        return max(counts, key=lambda b: (counts[b], b == "credit_card")) if counts else "other"

    def main_region(self, key: tuple[str, str]) -> str | None:
        counts = self.regions.get(key)
        return max(counts, key=lambda r: counts[r]) if counts else None


def profile_features(engine: TextEngine, classifier: TextClassifier, accounts: pd.DataFrame
                     ) -> tuple[pd.DataFrame, list[list[str]]]:
    """Nickname and bio read as a post would be (one row per account: its latest crawl), plus reach and
    declared type; and the contacts found in each profile."""
    texts = [f"{n or ''} {b or ''}".strip() for n, b in zip(accounts["nickname"], accounts["bio"], strict=True)]
    signals = score_texts(engine, classifier, texts)
    return pd.DataFrame({
        "profile_p_ad": signals.p_ad, "profile_lexicon": signals.lexicon_weight,
        "profile_contacts": [len(c) for c in signals.contacts],
        "log_followers": np.log1p(accounts["followers"].fillna(0).to_numpy(dtype=float)),
        "verified": accounts["verified"].fillna(False).astype(bool).to_numpy().astype(int),
        "enterprise": (accounts["account_type"] == "enterprise").to_numpy().astype(int),
    }, index=pd.MultiIndex.from_frame(accounts[ACCOUNT_KEY])), signals.contacts


@dataclass
class _Group:
    """Accounts sharing one contact (or nickname): how many, on which platforms, and the two most ad-like,
    so each member can see the most ad-like *other* member without listing every pair (a hotline number can
    be shared by thousands of accounts)."""

    size: int = 0
    platforms: set[str] = field(default_factory=set)
    best: list[tuple[float, tuple[str, str]]] = field(default_factory=list)

    def add(self, key: tuple[str, str], share: float) -> None:
        self.size += 1
        self.platforms.add(key[0])
        self.best = sorted([*self.best, (share, key)], reverse=True)[:2]

    def best_other(self, key: tuple[str, str]) -> float:
        return next((share for share, member in self.best if member != key), 0.0)


def link_features(index: pd.Index, contacts: dict[tuple[str, str], set[str]], ad_share: pd.Series,
                  nicknames: pd.Series) -> pd.DataFrame:
    """Accounts tied by a shared contact handle or number (across platforms, or a re-registered account), and
    accounts wearing the same nickname: how many, and how ad-like the most ad-like of them is."""
    share = dict(zip(ad_share.index, ad_share.to_numpy(dtype=float), strict=True))
    by_contact: dict[str, _Group] = defaultdict(_Group)
    for key, values in contacts.items():
        for value in values:
            by_contact[value].add(key, share.get(key, 0.0))
    by_name: dict[str, _Group] = defaultdict(_Group)
    names = dict(zip(nicknames.index, nicknames.to_numpy(), strict=True))
    for key, name in names.items():
        if isinstance(name, str) and len(name) >= 2:
            by_name[name].add(key, share.get(key, 0.0))
    rows: list[dict[str, float]] = []
    for key in index:
        groups = [by_contact[v] for v in contacts.get(key, ())]
        named = by_name.get(str(names.get(key, "")))
        platforms = set().union(*(g.platforms for g in groups)) if groups else set()
        rows.append({
            "linked_accounts": float(sum(g.size - 1 for g in groups)),
            "linked_platforms": float(len(platforms - {key[0]})),
            "linked_ad_share_max": max((g.best_other(key) for g in groups), default=0.0),
            "same_nickname_accounts": float(named.size - 1) if named else 0.0,
            "same_nickname_ad_share_max": named.best_other(key) if named else 0.0,
        })
    return pd.DataFrame(rows, index=index)


def account_features(aggregator: AccountAggregator, profile: pd.DataFrame,
                     profile_contacts: list[list[str]], nicknames: pd.Series) -> pd.DataFrame:
    """Every account (from the profiles, plus any that only posted), one row of model features."""
    posted = aggregator.post_features()
    index = profile.index.union(posted.index)
    features = profile.reindex(index).join(posted.reindex(index))
    for key, found in zip(profile.index, profile_contacts, strict=True):
        if found:
            aggregator.contacts[key].update(found)
    features["posts"] = features["posts"].fillna(0.0)
    links = link_features(index, aggregator.contacts, features["ad_share"].fillna(0.0), nicknames.reindex(index))
    return features.join(links).astype(float)


FEATURES: tuple[str, ...] = (
    "posts", "ad_share", "ad_posts", "p_ad_mean", "lexicon_per_post", "sound_alike_per_post",
    "contact_share", "comment_share", "night_share", "posts_per_day", "engagement_mean", "engagement_max",
    "views_sum", "removed_share", "distinct_contacts", "profile_p_ad", "profile_lexicon", "profile_contacts",
    "log_followers", "verified", "enterprise", "linked_accounts", "linked_platforms", "linked_ad_share_max",
    "same_nickname_accounts", "same_nickname_ad_share_max",
)
FEATURE_ZH: dict[str, str] = {
    "posts": "发帖数", "ad_share": "疑似广告帖占比", "ad_posts": "疑似广告帖数", "p_ad_mean": "帖子平均广告概率",
    "p_ad_max": "帖子最高广告概率", "lexicon_per_post": "每帖黑灰产词命中", "sound_alike_per_post": "每帖谐音/变体写法",
    "contact_share": "含联系方式帖子占比", "comment_share": "评论区引流占比", "night_share": "深夜发帖占比",
    "posts_per_day": "日均发帖", "engagement_mean": "平均互动量", "engagement_max": "最高互动量",
    "views_sum": "累计播放", "removed_share": "已被平台删除占比", "distinct_contacts": "不同联系方式数",
    "profile_p_ad": "昵称/简介广告概率", "profile_lexicon": "昵称/简介黑灰产词", "profile_contacts": "简介联系方式",
    "log_followers": "粉丝数（对数）", "verified": "平台认证", "enterprise": "企业号",
    "linked_accounts": "共用联系方式的账号数", "linked_platforms": "共用联系方式的其他平台数",
    "linked_ad_share_max": "关联账号最高广告占比", "same_nickname_accounts": "同名账号数",
    "same_nickname_ad_share_max": "同名账号最高广告占比",
}


def describe(features: dict[str, Any]) -> dict[str, Any]:
    """Feature values with their Chinese names, for evidence shown to analysts."""
    return {FEATURE_ZH.get(k, k): round(float(v), 4) for k, v in features.items() if k in FEATURE_ZH}
