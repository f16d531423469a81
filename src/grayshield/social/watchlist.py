"""Watch-list alerts: a watched account's reach jumps, or a watched operator reappears under a new account.

Pure functions over snapshots, so the rules can be tested and backtested without a database; the service
layer stores the watch list and its append-only events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

AccountKey = tuple[str, str]


@dataclass(frozen=True)
class AlertRules:
    """A reach jump is growth by ``reach_ratio`` and by at least ``reach_min_gain`` followers since the last look."""

    reach_ratio: float = 1.5
    reach_min_gain: int = 1_000
    min_probability: float = 0.5  # a look-alike account must itself read as black/gray to count as reappearance


@dataclass(frozen=True)
class Watched:
    key: AccountKey
    nickname: str
    followers: int
    contacts: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Alert:
    kind: str  # reach_jump | reappeared
    key: AccountKey
    message: str
    detail: dict[str, Any]


def reach_alerts(watched: Iterable[Watched], followers_now: Mapping[AccountKey, int],
                 rules: AlertRules = AlertRules()) -> list[Alert]:
    alerts = []
    for entry in watched:
        now = followers_now.get(entry.key)
        if now is None:
            continue
        gain = now - entry.followers
        if gain >= rules.reach_min_gain and now >= rules.reach_ratio * max(entry.followers, 1):
            alerts.append(Alert("reach_jump", entry.key,
                                f"关注账号 {entry.key[0]}:{entry.key[1]} 粉丝由 {entry.followers} 增至 {now}",
                                {"followers_before": entry.followers, "followers_now": now, "gain": gain}))
    return alerts


def reappearances(watched: Iterable[Watched], candidates: Iterable[Mapping[Any, Any]],
                  rules: AlertRules = AlertRules()) -> list[Alert]:
    """New accounts (not on the list) sharing a contact handle or the nickname of a watched account.

    ``candidates`` are scored accounts: ``platform``, ``account_id``, ``nickname``, ``contacts``, ``p_blackgray``.
    """
    entries = list(watched)
    listed = {e.key for e in entries}
    by_contact: dict[str, Watched] = {c: e for e in entries for c in e.contacts}
    by_name: dict[str, Watched] = {e.nickname: e for e in entries if e.nickname}
    alerts = []
    for account in candidates:
        key = (str(account["platform"]), str(account["account_id"]))
        if key in listed or float(account.get("p_blackgray", 0.0)) < rules.min_probability:
            continue
        shared = sorted(set(account.get("contacts") or ()) & set(by_contact))
        origin = by_contact[shared[0]] if shared else by_name.get(str(account.get("nickname") or ""))
        if origin is None:
            continue
        alerts.append(Alert("reappeared", key,
                            f"疑似关注账号 {origin.key[0]}:{origin.key[1]} 换号重现为 {key[0]}:{key[1]}",
                            {"watched": f"{origin.key[0]}:{origin.key[1]}", "shared_contacts": shared,
                             "same_nickname": not shared, "p_blackgray": round(float(account["p_blackgray"]), 4)}))
    return alerts
