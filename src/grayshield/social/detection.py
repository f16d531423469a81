"""Post and account signals: what the text engine says about each post, rolled up per account.

Posts go through :mod:`grayshield.text` (normaliser, lexicon, contacts, post classifier); accounts are then
described by aggregates an analyst would look at — how many of its posts read as black/gray ads, what its
nickname and bio say, which contact handles it spreads and whether other accounts (on this or another
platform, or a re-registered account after a ban) spread the same ones, and how it posts (cadence, comments
under other people's posts). The per-account roll-up of posts is Ibis (:mod:`grayshield.social.aggregate`), so
it runs on DuckDB or Spark; profiles and account links (one row per account) are built here.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from grayshield.contract.truth import BUSINESS_TYPES
from grayshield.lake.phone import is_service_number
from grayshield.text.classify import Analysis, TextClassifier
from grayshield.text.engine import TextEngine

if TYPE_CHECKING:
    from grayshield.social.aggregate import AccountAggregator

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


def _public_line(contact: str) -> bool:
    """95528, 12315, 10086: institutions' public numbers, quoted by banks, news and impostors alike, so sharing one
    ties no accounts together (gang ads citing the bank's 95528 linked the bank's own accounts to them: 7 of 8
    bank accounts flagged on a held-out world)."""
    return is_service_number(contact.removeprefix("phone:"))


def link_features(index: pd.Index, contacts: dict[tuple[str, str], set[str]], ad_share: pd.Series,
                  nicknames: pd.Series) -> pd.DataFrame:
    """Accounts tied by a shared contact handle or number (across platforms, or a re-registered account), and
    accounts wearing the same nickname: how many, and how ad-like the most ad-like of them is."""
    share = dict(zip(ad_share.index, ad_share.to_numpy(dtype=float), strict=True))
    by_contact: dict[str, _Group] = defaultdict(_Group)
    for key, values in contacts.items():
        for value in values:
            if not _public_line(value):
                by_contact[value].add(key, share.get(key, 0.0))
    by_name: dict[str, _Group] = defaultdict(_Group)
    names = dict(zip(nicknames.index, nicknames.to_numpy(), strict=True))
    for key, name in names.items():
        if isinstance(name, str) and len(name) >= 2:
            by_name[name].add(key, share.get(key, 0.0))
    rows: list[dict[str, float]] = []
    for key in index:
        groups = [by_contact[v] for v in contacts.get(key, ()) if v in by_contact]
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
