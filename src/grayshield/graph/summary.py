"""What an analyst reads about a gang: the facts behind its score and one paragraph of Chinese saying why.

Facts keep raw identifiers (they feed cases and evidence packages, which decide per recipient whether to mask);
the paragraph masks phone numbers unless asked not to, because it is shown in lists and briefings.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from grayshield.graph.build import EntityGraph, node_key, node_kind
from grayshield.graph.communities import EVIDENCE_LABELS, Community

KIND_LABELS = {"customer": "客户", "number": "号码", "account": "社交账号", "handle": "联系方式",
               "complaint": "投诉", "template": "投诉模板", "material": "材料特征", "address": "地址",
               "staff": "员工", "ip": "IP地址"}
TOP = 5
STATIC_RELATIONS = ("registered", "lives_at")  # onboarding facts, not gang activity: kept out of the time span


def community_facts(community: Community, graph: EntityGraph,
                    regions: pd.Series | None = None) -> dict[str, Any]:
    """Counts, the busiest numbers and accounts, templates, regions and the time span of the gang's edges."""
    inside = graph.subgraph(set(community.members) | set(community.own_numbers))
    by_kind = pd.Series([node_kind(m) for m in community.members]).value_counts()
    customers = [node_key(m) for m in community.members_of("customer")]
    customer_links = inside[inside["relation"].isin(("calls_for", "answered_for", "changed_contact_to",
                                                     "unverified_change_to"))]
    number_reach = (customer_links.assign(number=customer_links["src"].where(
        customer_links["src"].str.startswith("number:"), customer_links["dst"]))
        .groupby("number")["src"].size().sort_values(ascending=False))
    ads = inside[inside["relation"] == "advertises"]
    templates = inside[inside["relation"] == "uses_template"]
    active = inside[~inside["relation"].isin(STATIC_RELATIONS)]
    facts: dict[str, Any] = {
        "counts": {k: int(v) for k, v in by_kind.items()},
        "customers": sorted(customers),
        "numbers": [node_key(m) for m in community.members_of("number")],
        "accounts": [node_key(m) for m in community.members_of("account")],
        "top_numbers": [{"number": node_key(str(n)), "customer_links": int(c)}
                        for n, c in number_reach.head(TOP).items()],
        "top_accounts": [{"account": node_key(str(a)), "contacts": int(c)}
                         for a, c in ads.groupby("src")["dst"].nunique().sort_values(ascending=False)
                         .head(TOP).items()],
        "templates": [{"template": node_key(str(t)), "complaints": int(c)}
                      for t, c in templates.groupby("dst").size().sort_values(ascending=False).items()],
        "relations": {k: int(v) for k, v in inside["relation"].value_counts().items()},
        "first_seen": _iso(active["first_time"].min()),
        "last_seen": _iso(active["last_time"].max()),
        "evidence": dict(community.evidence),
        "score": community.score,
    }
    if regions is not None and customers:
        counts = regions.reindex(customers).dropna().value_counts().head(3)
        facts["regions"] = {str(k): int(v) for k, v in counts.items()}
    return facts


def summary_zh(gang_id: str, facts: dict[str, Any], mask: bool = True) -> str:
    """One paragraph: size, the evidence that makes it a gang, the busiest numbers, regions and time span."""
    from grayshield.pii import mask_text

    def show(value: str) -> str:
        return mask_text(value) if mask else value

    counts = facts["counts"]
    size = "、".join(f"{KIND_LABELS.get(k, k)} {v} 个" for k, v in counts.items() if k in KIND_LABELS)
    evidence = "；".join(f"{EVIDENCE_LABELS[k]} {v} 处" for k, v in facts["evidence"].items() if v)
    parts = [f"团伙 {gang_id}（可疑度 {facts['score']:.2f}）：{size}。", f"依据：{evidence or '无'}。"]
    if facts["top_numbers"]:
        numbers = "、".join(f"{show(n['number'])}（关联客户 {n['customer_links']} 次）" for n in facts["top_numbers"])
        parts.append(f"主要号码：{numbers}。")
    if facts["top_accounts"]:
        parts.append("主要社交账号：" + "、".join(
            f"{a['account']}（留联系方式 {a['contacts']} 个）" for a in facts["top_accounts"]) + "。")
    if facts["templates"]:
        parts.append(f"投诉模板 {len(facts['templates'])} 个，涉及投诉 "
                     f"{sum(t['complaints'] for t in facts['templates'])} 件。")
    if facts.get("regions"):
        parts.append("客户地区：" + "、".join(f"{k} {v} 人" for k, v in facts["regions"].items()) + "。")
    if facts["first_seen"]:
        parts.append(f"时间跨度：{facts['first_seen'][:10]} 至 {facts['last_seen'][:10]}。")
    return "".join(parts)


def _iso(value: object) -> str | None:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return None
    return pd.Timestamp(value).isoformat()  # type: ignore[arg-type]
