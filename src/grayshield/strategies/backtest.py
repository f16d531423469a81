"""Backtest of a rule set on history: what each action would have received, and how many of those
customers really went on to complain, before the rules go live."""

from __future__ import annotations

from typing import Any

import pandas as pd

from grayshield.strategies.rules import RuleSet


def backtest(rule_set: RuleSet, history: pd.DataFrame) -> dict[str, Any]:
    """``history``: past alerts (see ``RuleSet.assign``) plus ``complained_30d`` (bool) and optionally
    ``proxy_complaint`` (bool: the complaint that followed was black/gray driven)."""
    if "complained_30d" not in history.columns:
        raise ValueError("history needs a complained_30d column (the observed outcome)")
    assigned = rule_set.assign(history)
    alerted = assigned[assigned["action"].notna()]
    days = max(1, alerted["as_of"].nunique())
    capacity = {a.name: a.daily_capacity for a in rule_set.actions}
    per_action: dict[str, Any] = {}
    for action, group in alerted.groupby("action"):
        daily = group.groupby("as_of").size()
        entry = {
            "customers": int(len(group)),
            "complained_30d": int(group["complained_30d"].sum()),
            "hit_rate": float(group["complained_30d"].mean()),
            "peak_daily_load": int(daily.max()),
            "capacity_per_day": capacity[str(action)],
            "peak_utilisation": float(daily.max() / capacity[str(action)]) if capacity[str(action)] else None,
        }
        if "proxy_complaint" in group.columns:
            entry["proxy_complaints"] = int(group["proxy_complaint"].sum())
        per_action[str(action)] = entry
    per_band = {
        str(band): {"customers": int(len(g)), "hit_rate": float(g["complained_30d"].mean())}
        for band, g in alerted.groupby("band")
    }
    total = int(history["complained_30d"].sum())
    reached = int(alerted["complained_30d"].sum())
    return {
        "strategy_version": rule_set.version,
        "days": int(days),
        "alerts": int(len(alerted)),
        "complaints_in_history": total,
        "complaints_reached": reached,
        "share_of_complaints_reached": reached / total if total else None,
        "fallback_due_to_capacity": int((alerted["rule"] == "fallback").sum()),
        "actions": per_action,
        "bands": per_band,
        "rules_used": {str(k): int(v) for k, v in alerted["rule"].value_counts().items()},
    }
