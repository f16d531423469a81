"""Reach, targeting and the priority score, with weights the monitoring team edits (a versioned TOML file).

The packaged ``social/data/priority.toml`` is the default; a team keeps its own copy and passes it in (the CLI's
``--weights``). Unknown keys are refused so a typo cannot silently switch a weight off.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from grayshield.contract.truth import BUSINESS_TYPES
from grayshield.core.errors import ConfigError


class Weights(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reach: float = Field(1.0, ge=0)
    engagement: float = Field(0.5, ge=0)
    growth: float = Field(0.5, ge=0)
    contacts: float = Field(0.5, ge=0)
    spread: float = Field(0.5, ge=0)
    business: float = Field(1.0, ge=0)
    region: float = Field(0.5, ge=0)


class PriorityConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str = Field(min_length=1)
    weights: Weights = Weights()
    business: dict[str, float] = Field(default_factory=lambda: dict.fromkeys(BUSINESS_TYPES, 0.5))
    regions: dict[str, float] = Field(default_factory=lambda: {"default": 0.5})

    def business_weight(self, business: str) -> float:
        return self.business.get(business, self.business.get("other", 0.0))

    def region_weight(self, region: str | None) -> float:
        return self.regions.get(region or "", self.regions.get("default", 0.5))


def load_priority(path: Path | None = None) -> PriorityConfig:
    """The weights in ``path``, or the packaged defaults; a bad file is a configuration error naming the key."""
    try:
        text = path.read_text(encoding="utf-8") if path else \
            resources.files("grayshield.social").joinpath("data/priority.toml").read_text("utf-8")
        config = PriorityConfig.model_validate(tomllib.loads(text))
    except OSError as exc:
        raise ConfigError(f"无法读取优先级权重文件 {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"优先级权重文件格式错误: {exc}") from None
    except PydanticError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"优先级权重文件内容不正确: {problems}") from None
    unknown = sorted(set(config.business) - set(BUSINESS_TYPES))
    if unknown:
        raise ConfigError(f"优先级权重文件中有未知业务类型 {unknown}；可用: {', '.join(BUSINESS_TYPES)}")
    if any(not 0 <= v <= 1 for v in [*config.business.values(), *config.regions.values()]):
        raise ConfigError("业务类型和地区的权重必须在 0 到 1 之间")
    return config


def _log_scale(values: pd.Series, decades: float) -> np.ndarray:
    return np.clip(np.log10(1.0 + values.fillna(0).to_numpy(dtype=float)) / decades, 0.0, 1.0)


def components(scored: pd.DataFrame, config: PriorityConfig) -> pd.DataFrame:
    """Each priority component in [0, 1] for every scored account (columns of :class:`Weights`)."""
    followers = np.expm1(scored["log_followers"].fillna(0))
    growth = scored["follower_growth"] if "follower_growth" in scored else pd.Series(0.0, index=scored.index)
    region = scored["region"] if "region" in scored else scored["post_region"]
    return pd.DataFrame({
        "reach": np.maximum(_log_scale(followers, 6.0), _log_scale(scored["views_sum"], 7.0)),
        "engagement": _log_scale(scored["engagement_max"], 5.0),
        "growth": np.clip(growth.fillna(0).to_numpy(dtype=float) / np.maximum(followers.to_numpy(), 1.0) * 5, 0, 1),
        "contacts": np.clip(scored["distinct_contacts"].fillna(0).to_numpy(dtype=float) / 3.0, 0.0, 1.0),
        "spread": np.clip(scored["linked_accounts"].fillna(0).to_numpy(dtype=float) / 5.0, 0.0, 1.0),
        "business": [config.business_weight(b) for b in scored["business_type"]],
        "region": [config.region_weight(r) for r in region],
    }, index=scored.index)


def prioritise(scored: pd.DataFrame, config: PriorityConfig) -> pd.DataFrame:
    """``scored`` with ``priority`` (0-100), its components and the weights version, highest priority first."""
    parts = components(scored, config)
    weights = config.weights.model_dump()
    total = sum(weights.values())
    mix = sum(parts[name] * w for name, w in weights.items())
    out = scored.copy()
    out["priority"] = np.round(100 * scored["p_blackgray"].to_numpy() * (1 + mix) / (1 + total), 2)
    out["priority_components"] = pd.Series([{str(k): round(float(v), 3) for k, v in row.items()} for row in
                                            parts.to_dict(orient="records")], index=out.index, dtype=object)
    out["priority_version"] = config.version
    return out.sort_values(["priority", "p_blackgray"], ascending=False, kind="stable").reset_index(drop=True)


def with_profile(scored: pd.DataFrame, accounts: pd.DataFrame, account_history: pd.DataFrame) -> pd.DataFrame:
    """Scored accounts with what targeting needs from the profile (latest crawl): nickname, region (profile IP
    location, else the commonest of its posts), followers, URL, and follower growth between crawls."""
    key = ["platform", "account_id"]
    profile = accounts[[*key, "nickname", "ip_location", "followers", "url"]].rename(columns={"ip_location": "region"})
    merged = scored.merge(profile, on=key, how="left").merge(
        account_history[[*key, "follower_growth"]], on=key, how="left")
    merged["region"] = merged["region"].fillna(merged["post_region"])
    merged["nickname"] = merged["nickname"].fillna("")
    return merged

