"""World parameters: every knob of the simulator, with three named profiles.

A profile is a starting point; any knob can be overridden (``WorldParams.for_profile("hard", gang_count=40)``),
so a harder or easier world is asked for by name and recorded in ``world.json``. The knobs are documented in
``docs/simulator.md`` together with the published figures the default profile is calibrated to.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from grayshield.core.errors import ValidationError

ProfileName = Literal["easy", "default", "hard"]
PROFILE_NAMES: tuple[ProfileName, ...] = ("easy", "default", "hard")


class WorldParams(BaseModel):
    """What world to build. Rates are per customer-month unless the description says otherwise."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    profile: ProfileName = Field("default", description="Profile the other values started from.")
    customers: int = Field(1_000, ge=10, le=50_000_000, description="Cardholders in the world.")
    months: int = Field(6, ge=1, le=60, description="Months simulated after the start month.")
    start: str = Field("2024-01", description="First simulated month, YYYY-MM.")
    seed: int = Field(0, ge=0, description="Random seed; the same seed and parameters give byte-identical files.")
    chunk_customers: int = Field(
        50_000, ge=100, description="Customers per generated block (bounds memory; part files follow blocks)."
    )
    # Black/gray industry --------------------------------------------------------------------------
    gang_count: int = Field(12, ge=1, le=500, description="Black/gray gangs operating in the world.")
    recruitment_rate: float = Field(
        0.025, ge=0, le=1, description="Monthly chance that a customer at M2+ is recruited by a gang."
    )
    proxy_call_rate: float = Field(
        0.5, ge=0, le=20, description="Proxy calls a gang makes per recruited customer per month."
    )
    contact_hijack_rate: float = Field(
        0.55, ge=0, le=1, description="Share of recruited customers whose mobile is changed to a gang number."
    )
    proxy_complaints_per_recruit: float = Field(
        1.4, ge=0, le=10, description="Mean template complaints a gang files per recruited customer."
    )
    unaware_rate: float = Field(
        0.6, ge=0, le=1, description="Share of recruited customers unaware of complaints filed in their name."
    )
    gang_number_reuse: float = Field(
        0.7, ge=0, le=1, description="Share of proxy calls from a gang's habitual numbers rather than rotating ones."
    )
    collusion_rate: float = Field(
        0.3, ge=0, le=1, description="Share of gangs with an inside agent who keeps serving their numbers."
    )
    # Text -----------------------------------------------------------------------------------------
    evasion_rate: float = Field(0.4, ge=0, le=1, description="Chance each domain term or contact in a gang post is disguised.")
    template_variety: float = Field(
        0.7, gt=0, le=1, description="Share of wording alternatives in use; x0.1 the chance a gang writes a fresh template."
    )
    text_noise: float = Field(0.05, ge=0, le=1, description="Typos, ASR errors and filler in generated text.")
    hard_negative_rate: float = Field(
        0.5, ge=0, le=1, description="Share of legitimate posts and calls sharing gang vocabulary (hard negatives)."
    )
    posts_per_gang_account_month: float = Field(
        4.0, ge=0, le=100, description="Posts each gang social account publishes per month."
    )
    # Customers and the bank --------------------------------------------------------------------------
    delinquency_rate: float = Field(
        0.025, ge=0, le=0.5, description="Monthly chance that a current account rolls into M1 (average risk)."
    )
    collection_intensity: float = Field(
        1.0, ge=0, le=5, description="Multiplier on collection contacts per delinquent account and month."
    )
    complaint_propensity: float = Field(
        1.0, ge=0, le=10, description="Multiplier on genuine complaint odds (four-dimension model)."
    )
    complaint_noise: float = Field(
        0.8, ge=0, le=5, description="Std of unobserved per-customer temperament in the complaint logit."
    )
    self_negotiation_rate: float = Field(
        0.04, ge=0, le=1, description="Monthly chance a customer at M1+ asks the bank for a plan themselves."
    )
    elderly_helper_rate: float = Field(
        0.3, ge=0, le=1, description="Share of customers aged 65+ whose child genuinely calls for them."
    )
    service_call_rate: float = Field(0.08, ge=0, le=5, description="Inbound service calls per customer-month.")
    transcribe_share: float = Field(
        0.02, ge=0, le=1, description="Share of ordinary calls transcribed (gang, negotiation and relative calls are, mostly)."
    )
    voiceprint_share: float = Field(
        1.0, ge=0, le=1, description="Share of answered inbound agent calls the voiceprint system embeds (both sides)."
    )
    voice_dim: int = Field(64, ge=8, le=512, description="Voiceprint embedding dimension.")
    voice_noise: float = Field(
        0.35, ge=0, le=3, description="Channel and session noise relative to the spread between speakers."
    )
    breach_rate: float = Field(0.04, ge=0, le=1, description="Chance an agent call carries a compliance breach.")
    missing_item_rate: float = Field(
        0.08, ge=0, le=1, description="Chance a transcribed agent call omits a mandatory item (recording notice, ...)."
    )
    staff_anomaly_rate: float = Field(
        0.08, ge=0, le=1, description="Share of staff who show anomalous operation patterns at some point."
    )
    customers_per_staff: int = Field(400, ge=10, description="Customers per staff member (sizes the staff).")
    drift: float = Field(
        1.0, ge=0, le=5, description="Month-to-month drift: risk and collection trends, gang growth, late-arriving gangs."
    )

    @field_validator("start")
    @classmethod
    def _check_start(cls, value: str) -> str:
        if not re.fullmatch(r"(19|20)\d\d-(0[1-9]|1[0-2])", value):
            raise ValueError(f"start must be YYYY-MM, got {value!r}")
        return value

    @classmethod
    def for_profile(cls, profile: str, **overrides: Any) -> WorldParams:
        """The named profile with ``overrides`` applied; unknown profiles or knobs are a clear error."""
        if profile not in PROFILES:
            raise ValidationError(f"unknown profile {profile!r}; choose one of: {', '.join(PROFILE_NAMES)}")
        values = {**PROFILES[profile], **{k: v for k, v in overrides.items() if v is not None}}
        try:
            return cls(profile=profile, **values)  # type: ignore[arg-type]
        except ValueError as exc:  # pydantic's error lists every bad knob
            raise ValidationError(f"invalid world parameters: {exc}") from exc

    @property
    def start_year_month(self) -> tuple[int, int]:
        year, month = self.start.split("-")
        return int(year), int(month)


# What differs between profiles; everything else keeps the field default (which is the default profile).
PROFILES: dict[str, dict[str, Any]] = {
    "easy": {
        "gang_count": 6,
        "evasion_rate": 0.15,
        "template_variety": 0.4,
        "text_noise": 0.02,
        "hard_negative_rate": 0.2,
        "gang_number_reuse": 0.95,
        "voice_noise": 0.15,
        "unaware_rate": 0.4,
        "complaint_noise": 0.4,
        "drift": 0.3,
    },
    "default": {},
    "hard": {
        "gang_count": 20,
        "evasion_rate": 0.7,
        "template_variety": 1.0,
        "text_noise": 0.1,
        "hard_negative_rate": 0.8,
        "gang_number_reuse": 0.45,
        "voice_noise": 0.6,
        "unaware_rate": 0.75,
        "complaint_noise": 1.3,
        "self_negotiation_rate": 0.1,
        "drift": 2.0,
    },
}
