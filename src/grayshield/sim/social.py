"""Social media as crawled: gang accounts advertising (with evasion spellings), and everyone else.

Gangs run several accounts across platforms, re-appear under new ids after bans and leave ads in the
comments under ordinary debt-stress posts; consumers, news media, finance influencers and the bank's own
accounts use much of the same vocabulary (the hard negatives). Posts are crawled once or twice, so
engagement history and take-downs show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from grayshield.contract.tables import PLATFORMS
from grayshield.sim.actors import Gang
from grayshield.sim.content import ContentGenerator
from grayshield.sim.params import WorldParams
from grayshield.sim.sink import WorldSink
from grayshield.sim.util import Calendar

ACTIVE_PLATFORMS = tuple(p for p in PLATFORMS if p != "other")
PLATFORM_CODES = {"douyin": "dy", "kuaishou": "ks", "weibo": "wb", "xiaohongshu": "xhs", "bilibili": "bl",
                  "zhihu": "zh", "wechat_channels": "sph", "tieba": "tb"}
NEGATIVE_KINDS = (("consumer", 4.0, "consumer_discussion"), ("news_media", 0.3, "news_official"),
                  ("kol_finance", 0.6, "consumer_discussion"), ("bank_official", 0.0, "news_official"))
BUSINESS = np.array(["credit_card", "online_lending", "consumer_loan", "mortgage", "other"])
BANK_HOTLINE = "95528"


@dataclass
class Account:
    platform: str
    account_id: str
    kind: str
    gang: int  # -1 for non-gang accounts
    province: str
    renamed_from: str | None = None


def build_social(
    params: WorldParams, rng: np.random.Generator, gen: ContentGenerator, cal: Calendar, gangs: list[Gang],
    sink: WorldSink,
) -> None:
    accounts = _accounts(rng, gen, gangs)
    _emit_accounts(rng, gen, cal, accounts, sink)
    _emit_posts(params, rng, gen, cal, gangs, accounts, sink)


def _accounts(rng: np.random.Generator, gen: ContentGenerator, gangs: list[Gang]) -> list[Account]:
    serial = iter(range(10_000_000))

    def new_id(platform: str) -> str:
        return f"{PLATFORM_CODES[platform]}_{next(serial) * 7_919 % 10_000_000 + 10_000_000}"

    accounts: list[Account] = []
    for g, gang in enumerate(gangs):
        for _ in range(int(rng.integers(3, 9))):
            platform = ACTIVE_PLATFORMS[int(rng.integers(len(ACTIVE_PLATFORMS)))]
            account = Account(platform, new_id(platform), "blackgray", g, gang.home_province)
            same_platform = [a for a in accounts if a.gang == g and a.platform == platform]
            if same_platform and rng.random() < 0.6:  # banned and back under a new id
                account.renamed_from = same_platform[-1].account_id
            accounts.append(account)
            gang.accounts.append((platform, account.account_id))
    n_gang = len(accounts)
    for kind, per_gang_account, _ in NEGATIVE_KINDS:
        count = 8 if kind == "bank_official" else max(3, int(round(per_gang_account * n_gang)))
        for _ in range(count):
            platform = ACTIVE_PLATFORMS[int(rng.integers(len(ACTIVE_PLATFORMS)))]
            accounts.append(Account(platform, new_id(platform), kind, -1, gen.region()[0]))
    return accounts


def _short_region(province: str) -> str:
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"):
        if province.endswith(suffix):
            return province[: -len(suffix)]
    return province


def _emit_accounts(
    rng: np.random.Generator, gen: ContentGenerator, cal: Calendar, accounts: list[Account], sink: WorldSink,
) -> None:
    rows: dict[str, list[Any]] = {k: [] for k in (
        "platform", "account_id", "nickname", "bio", "ip_location", "profile_region", "followers", "following",
        "posts_count", "likes_total", "verified", "account_type", "url", "crawled_time")}
    truth: dict[str, list[Any]] = {k: [] for k in ("platform", "account_id", "is_blackgray", "gang_id", "kind",
                                                   "renamed_from")}
    for a in accounts:
        nickname, bio = gen.account_profile(a.kind == "blackgray", a.platform)
        official = a.kind in ("bank_official", "news_media")
        followers = int(rng.lognormal(12 if official else 7.5, 1.2))
        crawls = 1 + int(rng.random() < 0.5)
        for c in range(crawls):
            rows["platform"].append(a.platform)
            rows["account_id"].append(a.account_id)
            rows["nickname"].append(nickname)
            rows["bio"].append(bio)
            rows["ip_location"].append(_short_region(a.province))
            rows["profile_region"].append(None if rng.random() < 0.5 else _short_region(a.province))
            rows["followers"].append(int(followers * (1 + 0.1 * c)))
            rows["following"].append(int(rng.integers(0, 800)))
            rows["posts_count"].append(int(rng.integers(5, 900)))
            rows["likes_total"].append(int(followers * rng.uniform(1, 20)))
            rows["verified"].append(official)
            rows["account_type"].append({"bank_official": "enterprise", "news_media": "media"}.get(
                a.kind, "enterprise" if a.kind == "blackgray" and rng.random() < 0.3 else "personal"))
            rows["url"].append(f"https://{a.platform}.example/u/{a.account_id}")
            month = int(rng.integers(cal.months)) if c == 0 else cal.months - 1
            rows["crawled_time"].append(cal.times_in_month(rng, month, 1, office_hours=False)[0])
        truth["platform"].append(a.platform)
        truth["account_id"].append(a.account_id)
        truth["is_blackgray"].append(a.kind == "blackgray")
        truth["gang_id"].append(f"G{a.gang + 1:03d}" if a.gang >= 0 else None)
        truth["kind"].append(a.kind)
        truth["renamed_from"].append(a.renamed_from)
    rows["crawled_time"] = np.array(rows["crawled_time"], dtype="datetime64[ms]")  # type: ignore[assignment]
    sink.emit("social_accounts", rows)
    sink.emit("social_accounts", truth, truth=True)


def _contact(rng: np.random.Generator, gang: Gang) -> tuple[str | None, str]:
    """(what the post is given to spell, canonical form for the truth), or no contact at all."""
    roll = rng.random()
    if roll < 0.45:
        number = gang.use(gang.numbers[int(rng.integers(len(gang.numbers)))])
        spelled = number[3:] if number.startswith("+86400") else number
        return spelled, number
    if roll < 0.9:
        handle = f"{gang.gang_id.lower()}_{int(rng.integers(1, 4))}_fw"
        kind = "wechat" if roll < 0.8 else "qq"
        if kind == "qq":
            handle = str(100_000 + int(gang.gang_id[1:]) * 1_000 + int(rng.integers(1, 4)))
        return f"{kind}:{handle}", f"{kind}:{handle}"
    return None, ""


def _emit_posts(
    params: WorldParams, rng: np.random.Generator, gen: ContentGenerator, cal: Calendar, gangs: list[Gang],
    accounts: list[Account], sink: WorldSink,
) -> None:
    rows: dict[str, list[Any]] = {k: [] for k in (
        "platform", "post_id", "account_id", "post_type", "parent_post_id", "title", "text", "posted_time",
        "ip_location", "likes", "comments", "shares", "views", "collects", "url", "crawled_time", "removed")}
    truth: dict[str, list[Any]] = {k: [] for k in ("platform", "post_id", "label", "gang_id", "evasion",
                                                   "business_type", "contacts")}
    serial = iter(range(100_000_000))
    gang_accounts = [a for a in accounts if a.gang >= 0]
    end_ms = cal.end.astype("datetime64[ms]")

    def post(a: Account, label: str, when: np.datetime64, parent: str | None, contact: tuple[str | None, str]
             ) -> str:
        business = str(BUSINESS[rng.choice(5, p=[0.6, 0.2, 0.12, 0.03, 0.05])])
        detail = gen.post_detail(label, business, contact[0])
        post_id = f"{PLATFORM_CODES[a.platform]}p{next(serial):09d}"
        kind = "comment" if parent else str(rng.choice(["post", "video", "article"], p=[0.5, 0.4, 0.1]))
        likes = int(rng.lognormal(3.5 if a.kind == "consumer" else 5, 1.3))
        removed_later = a.gang >= 0 and rng.random() < 0.15
        crawls = 1 + int(rng.random() < 0.4)
        for c in range(crawls):
            crawled = min(when + np.timedelta64(int(rng.integers(1, 20 * 86_400_000)) * (c + 1), "ms"),
                          end_ms - np.timedelta64(crawls - c, "ms"))
            growth = 1 + 0.6 * c
            rows["platform"].append(a.platform)
            rows["post_id"].append(post_id)
            rows["account_id"].append(a.account_id)
            rows["post_type"].append(kind)
            rows["parent_post_id"].append(parent)
            rows["title"].append(detail.text[:16] if kind in ("video", "article") else None)
            rows["text"].append(detail.text)
            rows["posted_time"].append(when)
            rows["ip_location"].append(_short_region(a.province))
            rows["likes"].append(int(likes * growth))
            rows["comments"].append(int(likes * 0.1 * growth))
            rows["shares"].append(int(likes * 0.05 * growth))
            rows["views"].append(int(likes * 30 * growth) if kind == "video" else None)
            rows["collects"].append(int(likes * 0.08 * growth))
            rows["url"].append(f"https://{a.platform}.example/p/{post_id}")
            rows["crawled_time"].append(crawled)
            rows["removed"].append(bool(removed_later and c == crawls - 1 and c > 0))
        truth["platform"].append(a.platform)
        truth["post_id"].append(post_id)
        truth["label"].append(label)
        truth["gang_id"].append(f"G{a.gang + 1:03d}" if a.gang >= 0 else None)
        truth["evasion"].append(detail.evasion)
        truth["business_type"].append(business)
        truth["contacts"].append(contact[1])
        return post_id

    for t in range(cal.months):
        growth = 1 + 0.3 * params.drift * t / max(cal.months - 1, 1)
        for a in accounts:
            gang = gangs[a.gang] if a.gang >= 0 else None
            if gang is not None and gang.start_day > cal.starts[t + 1]:
                continue
            label = "blackgray_ad" if gang else {k: lab for k, _, lab in NEGATIVE_KINDS}[a.kind]
            rate = params.posts_per_gang_account_month * (growth if gang else 0.5)
            for when in np.sort(cal.times_in_month(rng, t, int(rng.poisson(rate)), office_hours=False)):
                contact = _contact(rng, gang) if gang else (
                    (BANK_HOTLINE, BANK_HOTLINE) if a.kind == "bank_official" and rng.random() < 0.5 else (None, ""))
                post_id = post(a, label, when, None, contact)
                if gang is None and a.kind == "consumer" and gang_accounts and rng.random() < 0.15:
                    # A gang account drops an ad in the comments under a debt-stress post.
                    commenter = gang_accounts[int(rng.integers(len(gang_accounts)))]
                    commenter = next((g for g in gang_accounts if g.gang == commenter.gang
                                      and g.platform == a.platform), None) or commenter
                    if commenter.platform == a.platform:
                        later = when + np.timedelta64(int(rng.integers(60_000, 3 * 86_400_000)), "ms")
                        post(commenter, "blackgray_ad", min(later, end_ms - np.timedelta64(1, "ms")), post_id,
                             _contact(rng, gangs[commenter.gang]))
    rows["posted_time"] = np.array(rows["posted_time"], dtype="datetime64[ms]")  # type: ignore[assignment]
    rows["crawled_time"] = np.array(rows["crawled_time"], dtype="datetime64[ms]")  # type: ignore[assignment]
    sink.emit("social_posts", rows)
    sink.emit("social_posts", truth, truth=True)

