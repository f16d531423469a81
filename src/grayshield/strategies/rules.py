"""Front-end strategy rules: band × proxy risk × segment → action, with daily capacity per action.

A rule set is versioned data (TOML), validated strictly (unknown keys, unknown actions, unordered
thresholds are errors with the offending key named) so an analyst's typo never silently changes what
agents are told to do.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from importlib import resources
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from grayshield.core.errors import ValidationError as GsValidationError

if TYPE_CHECKING:
    import pandas as pd

PROXY_LEVELS = ("high", "medium", "low")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Action(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label_zh: str = Field(min_length=1)
    daily_capacity: int = Field(ge=0)


class Rule(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    priority: int
    action: str
    bands: tuple[str, ...] = ()
    proxy_risk: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    require_open_complaint: bool = False
    reason_keywords: tuple[str, ...] = ()

    @field_validator("proxy_risk")
    @classmethod
    def _known_levels(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = set(value) - set(PROXY_LEVELS)
        if unknown:
            raise ValueError(f"unknown proxy_risk levels {sorted(unknown)}; use {PROXY_LEVELS}")
        return value


class RuleSet(_Strict):
    version: str = Field(min_length=1)
    description: str = ""
    fallback_action: str
    bands: dict[str, float]
    proxy_risk: dict[str, float]
    actions: tuple[Action, ...]
    rules: tuple[Rule, ...]

    @model_validator(mode="after")
    def _consistent(self) -> RuleSet:
        names = [a.name for a in self.actions]
        if len(set(names)) != len(names):
            raise ValueError("duplicate action names")
        known = set(names)
        if self.fallback_action not in known:
            raise ValueError(f"fallback_action {self.fallback_action!r} is not a declared action")
        rule_names = [r.name for r in self.rules]
        if len(set(rule_names)) != len(rule_names):
            raise ValueError("duplicate rule names")
        for rule in self.rules:
            if rule.action not in known:
                raise ValueError(f"rule {rule.name!r} uses undeclared action {rule.action!r}")
            unknown_bands = set(rule.bands) - set(self.bands)
            if unknown_bands:
                raise ValueError(f"rule {rule.name!r} names unknown bands {sorted(unknown_bands)}")
        thresholds = list(self.bands.values())
        if thresholds != sorted(thresholds, reverse=True) or not all(0 < t < 1 for t in thresholds):
            raise ValueError("band thresholds must be in (0, 1) and listed from the highest band down")
        if set(self.proxy_risk) != {"high", "medium"} or not (
            0 < self.proxy_risk["medium"] < self.proxy_risk["high"] < 1
        ):
            raise ValueError("proxy_risk needs 0 < medium < high < 1")
        return self

    # ------------------------------------------------------------------ evaluation
    def band_of(self, score: float) -> str | None:
        for band, threshold in self.bands.items():
            if score >= threshold:
                return band
        return None

    def proxy_level(self, proxy_score: float) -> str:
        if proxy_score >= self.proxy_risk["high"]:
            return "high"
        return "medium" if proxy_score >= self.proxy_risk["medium"] else "low"

    def matching_rules(self, band: str, proxy_level: str, segment: str, open_complaint: bool,
                       reasons: list[str]) -> list[Rule]:
        def matches(rule: Rule) -> bool:
            return (
                (not rule.bands or band in rule.bands)
                and (not rule.proxy_risk or proxy_level in rule.proxy_risk)
                and (not rule.segments or segment in rule.segments)
                and (not rule.require_open_complaint or open_complaint)
                and (not rule.reason_keywords or any(k in r for k in rule.reason_keywords for r in reasons))
            )

        return sorted((r for r in self.rules if matches(r)), key=lambda r: r.priority)

    def assign(self, alerts: pd.DataFrame) -> pd.DataFrame:
        """Give each alert (columns: subject_id, as_of, score, proxy_score, segment, open_complaint, reasons)
        a band, a proxy level, the winning rule and action. Highest scores are served first each day; when an
        action is full the next matching rule is tried, then the fallback."""
        capacity = {a.name: a.daily_capacity for a in self.actions}
        used: dict[tuple[Any, str], int] = defaultdict(int)
        out = alerts.copy()
        out["band"] = [self.band_of(s) for s in out["score"]]
        out["proxy_level"] = [self.proxy_level(p) for p in out["proxy_score"]]
        rules: list[str | None] = [None] * len(out)
        actions: list[str | None] = [None] * len(out)
        order = out.reset_index(drop=True).sort_values("score", ascending=False, kind="stable").index
        rows = out.reset_index(drop=True)
        for i in order:
            row = rows.iloc[i]
            if row["band"] is None or row["band"] != row["band"]:  # no band (None / NaN): not alerted
                continue
            chosen_rule, chosen_action = "fallback", self.fallback_action
            for rule in self.matching_rules(row["band"], row["proxy_level"], str(row.get("segment", "")),
                                            bool(row.get("open_complaint", False)), list(row.get("reasons", []))):
                if used[(row["as_of"], rule.action)] < capacity[rule.action]:
                    chosen_rule, chosen_action = rule.name, rule.action
                    break
            used[(row["as_of"], chosen_action)] += 1
            rules[i], actions[i] = chosen_rule, chosen_action
        out["rule"] = rules
        out["action"] = actions
        out["strategy_version"] = self.version
        return out


def parse_rule_set(text: str, source: str = "<text>") -> RuleSet:
    """Parse and validate; every problem is reported with where it is."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GsValidationError(f"{source}: not valid TOML: {exc}") from None
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'rule set'}: {err['msg']}" for err in exc.errors()
        )
        raise GsValidationError(f"{source}: invalid strategy rules: {problems}") from None


def default_rule_text(name: str = "complaints") -> str:
    return resources.files("grayshield.strategies").joinpath(f"data/{name}.toml").read_text(encoding="utf-8")
