"""Transparent rules beside the model: conditions an analyst can read, each with the reason it gives.

Rules are what a card centre already knows about agencies' numbers; they explain a model score in business
terms and catch what a model trained on last quarter's gangs has not seen. Banks register their own rules
in the same registries (stable names, duplicates refused); every scored row records ``RULES_VERSION``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from grayshield.core.registry import Registry

RULES_VERSION = "callers-rules-2026.11-1"


@dataclass(frozen=True)
class Rule:
    """``condition`` marks the rows the rule fires on; ``reason`` formats one row's explanation (Chinese)."""

    name: str
    weight: float
    condition: Callable[[pd.DataFrame], pd.Series]
    reason: Callable[[pd.Series], str]


NUMBER_RULES: Registry[Rule] = Registry("number rule")
CALL_RULES: Registry[Rule] = Registry("call rule")


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series(0.0, index=frame.index)


for rule in (
    Rule("many_customers", 0.5,
         lambda f: _col(f, "distinct_customers_180d") >= 5,
         lambda r: f"近180天为 {int(r['distinct_customers_180d'])} 位不同客户来电"),
    Rule("speaks_for_delinquent", 0.5,
         lambda f: (_col(f, "distinct_customers_180d") >= 3) & (_col(f, "not_registered_share_180d") >= 0.8)
         & (_col(f, "delinquent_customer_share_180d") >= 0.5),
         lambda r: f"代 {int(r['distinct_customers_180d'])} 位客户来电且多为逾期客户"
                   f"（逾期占比 {r['delinquent_customer_share_180d']:.0%}）"),
    Rule("contact_moved_to", 0.6,
         lambda f: _col(f, "moved_to_customers") >= 2,
         lambda r: f"{int(r['moved_to_customers'])} 位客户近期把联系电话改成此号码"),
    Rule("agency_voice", 0.6,
         lambda f: _col(f, "number_voice_max_customers") >= 3,
         lambda r: f"同一声纹为 {int(r['number_voice_max_customers'])} 位不同客户来电"),
    Rule("virtual_segment_for_others", 0.3,
         lambda f: (_col(f, "number_type") == "virtual") & (_col(f, "distinct_customers_180d") >= 2),
         lambda _r: "虚拟运营商号段且为多位客户来电"),
    Rule("linked_to_busy_numbers", 0.3,
         lambda f: _col(f, "linked_busy_numbers") >= 2,
         lambda r: f"与 {int(r['linked_busy_numbers'])} 个多客户号码共享客户（号码-客户关系网）"),
    Rule("proxy_talk", 0.3,
         lambda f: _col(f, "number_text_proxy_representation") >= 0.5,
         lambda _r: "通话内容常见代理/委托话术"),
):
    NUMBER_RULES.register(rule.name, rule)

for rule in (
    Rule("voice_not_customer", 0.6,
         lambda f: (_col(f, "voice_mismatch") > _col(f, "voice_radius")) & _col(f, "voice_mismatch").notna()
         & (_col(f, "caller_relation") == "self"),
         lambda _r: "自称本人但声纹与客户留存声纹不符"),
    Rule("agency_voice", 0.6,
         lambda f: _col(f, "voice_customers") >= 3,
         lambda r: f"该声纹为 {int(r['voice_customers'])} 位不同客户来电"),
    Rule("habitual_number", 0.5,
         lambda f: _col(f, "distinct_customers_180d") >= 5,
         lambda r: f"来电号码近180天为 {int(r['distinct_customers_180d'])} 位客户来电"),
    Rule("new_contact_number", 0.4,
         lambda f: _col(f, "caller_is_new_contact") > 0,
         lambda _r: "来电号码是客户近90天新改的联系电话"),
    Rule("proxy_talk", 0.4,
         lambda f: _col(f, "text_proxy_representation") >= 0.5,
         lambda _r: "来电者自称代理/受托办理"),
    Rule("third_party_unverified", 0.3,
         lambda f: (_col(f, "third_party_relation") > 0) & (_col(f, "identity_verified") == 0),
         lambda _r: "第三方来电且身份核验未通过"),
):
    CALL_RULES.register(rule.name, rule)


def apply_rules(frame: pd.DataFrame, rules: Registry[Rule]) -> tuple[np.ndarray, list[list[dict[str, object]]]]:
    """Per row: a rule score (1 - prod(1 - weight) over fired rules) and the fired rules with their reasons."""
    fired: dict[str, np.ndarray] = {}
    for name in rules:
        fires = pd.Series(rules.get(name).condition(frame), index=frame.index)
        fired[name] = np.asarray(fires.fillna(False), dtype=bool)
    reasons: list[list[dict[str, object]]] = [[] for _ in range(len(frame))]
    survive = np.ones(len(frame))
    for name, mask in fired.items():
        rule = rules.get(name)
        survive = np.where(mask, survive * (1 - rule.weight), survive)
        for i in np.flatnonzero(mask):
            reasons[i].append({"kind": "rule", "rule": name, "text": rule.reason(frame.iloc[i])})
    return 1 - survive, reasons
