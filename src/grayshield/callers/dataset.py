"""The two frames the caller engine scores: one row per inbound call, one row per caller number.

Calls get their own facts, the claimed customer's state, transcript signals and voice neighbours; numbers get
their behaviour over the windows (``behaviour``), their segment attributes (``numbers``) and the call-level
signals rolled up. Both are built at a scoring date ``as_of`` from events before it only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from grayshield.callers.behaviour import call_frame, number_features
from grayshield.callers.numbers import classify_number
from grayshield.callers.transcripts import SIGNALS, UtteranceScorer, call_signals
from grayshield.callers.voices import VoiceThresholds, caller_embeddings, voice_call_features

if TYPE_CHECKING:
    from grayshield.features.catalogue import TableSource
    from grayshield.lake import World

NUMBER_CATEGORICAL = ["number_type"]
CALL_CATEGORICAL = ["caller_relation", "number_type", "queue"]
CALL_OWN = [
    "identity_verified",
    "caller_is_registered",
    "third_party_relation",
    "hour",
    "is_night",
    "duration_s",
    "customer_max_dpd",
    "customer_in_collection",
    "customer_contact_changes_90d",
    "caller_is_new_contact",
    *[f"text_{s}" for s in SIGNALS],
    "has_voiceprint",
    "voice_customers",
    "voice_numbers",
    "voice_mismatch_ratio",
    "voice_crowd",
]
NUMBER_ROLLUP = [
    *[f"number_text_{s}" for s in SIGNALS],
    "number_voice_max_customers",
    "number_voice_mismatch_share",
    "number_voiced_share",
    "number_voice_max_crowd",
]
CALL_VOICE = [
    "voice_customers",
    "voice_numbers",
    "voice_mismatch",
    "voice_mismatch_ratio",
    "voice_crowd",
    "number_voice_max_customers",
]
NUMBER_VOICE = ["number_voice_max_customers", "number_voice_mismatch_share", "number_voice_max_crowd"]
"""Voice evidence: withheld (NaN) where the world's voiceprints do not separate speakers (``mask_voices``)."""
CALL_RELATION = ["number_customer_calls", "customer_unregistered_numbers"]
"""How the calling number stands to the claimed customer over the window (:func:`relation_features`)."""
CALL_FROM_NUMBER = [
    "distinct_customers_30d",
    "distinct_customers_180d",
    "not_registered_share_180d",
    "verify_fail_share_180d",
    "moved_to_customers",
    "linked_busy_numbers",
    "number_voice_max_customers",
    "number_text_proxy_representation",
]


@dataclass
class Frames:
    """Calls and numbers at one scoring date, and the voice radius used (calibrated here or given)."""

    calls: pd.DataFrame
    numbers: pd.DataFrame
    voice: VoiceThresholds | None
    as_of: date

    @property
    def voices_used(self) -> bool:
        """Whether voice evidence entered these frames (voiceprints exist and separate speakers here)."""
        return self.voice is not None and self.voice.reliable


def mask_voices(frames: Frames) -> Frames:
    """The same frames with every voice feature withheld (NaN), as scored where voices cannot be trusted."""
    calls = frames.calls.copy()
    numbers = frames.numbers.copy()
    calls[[c for c in CALL_VOICE if c in calls]] = np.nan
    numbers[[c for c in NUMBER_VOICE if c in numbers]] = np.nan
    return Frames(calls, numbers, frames.voice, frames.as_of)


def world_end(source: TableSource) -> date:
    """The day after the last call: the natural scoring date of an extract."""
    calls = source.table("calls")
    last = calls.start_time.max().to_pyarrow().as_py()
    if last is None:
        from grayshield.core.errors import ContractError

        raise ContractError("the calls table is empty: there is nothing to score")
    return date(last.year, last.month, last.day) + timedelta(days=1)


def build_frames(
    source: TableSource,
    as_of: date,
    scorer: UtteranceScorer,
    voice: VoiceThresholds | None = None,
    windows: tuple[int, ...] = (30, 180),
) -> Frames:
    """Both frames at ``as_of`` (calls from the longest window); the voice radius is calibrated when not given."""
    start = as_of - timedelta(days=max(windows))
    calls: pd.DataFrame = call_frame(source, start, as_of).to_pandas()
    calls = calls.merge(call_signals(source, calls["call_id"].tolist(), scorer), on="call_id", how="left")
    voices, voice = voice_call_features(calls, caller_embeddings(source, calls["call_id"]), voice)
    calls = calls.merge(voices, on="call_id", how="left")
    numbers: pd.DataFrame = number_features(source, as_of, windows).to_pandas()
    numbers = numbers.merge(_rollup(calls, voice), on="number", how="left")
    numbers[NUMBER_ROLLUP] = numbers[NUMBER_ROLLUP].fillna(0.0)
    numbers["number_type"] = [classify_number(n)[1].value for n in numbers["number"]]
    calls = calls.merge(
        numbers[["number", *[c for c in CALL_FROM_NUMBER if c in numbers], "number_type"]],
        left_on="caller_number",
        right_on="number",
        how="left",
    ).drop(columns="number")
    for col in ("identity_verified", "caller_is_registered", "third_party_relation", "is_night"):
        calls[col] = calls[col].astype(float)
    calls = relation_features(calls)
    # Rows in key order: the store returns groups in any order, and folds, bagging and the hard view's samples
    # follow row order, so without it the same extract trained different models (number cut 0.70 vs 0.74).
    frames = Frames(
        calls.sort_values("call_id", ignore_index=True),
        numbers.sort_values("number", ignore_index=True),
        voice,
        as_of,
    )
    return frames if voice is None or voice.reliable else mask_voices(frames)


def relation_features(calls: pd.DataFrame) -> pd.DataFrame:
    """``calls`` with how each calling number stands to the claimed customer over the window.

    Why: in a hard world a genuine relative and a gang's fresh SIM look alike on one call (third party, unverified,
    a customer in collections, the same vocabulary, no usable voice). Their relation to the customer does not: a
    relative's phone is the one outside number that speaks for its customer, call after call
    (``number_customer_calls`` two or more), while a recruited customer is spoken for by several outside numbers
    (``customer_unregistered_numbers``: distinct presented numbers, not the one on file, that called about the
    customer), most of them once. Withheld numbers count for neither.
    """
    known = calls["caller_number"].notna() & calls["claimed_customer_id"].notna()
    pair = calls[known].groupby(["caller_number", "claimed_customer_id"])["call_id"].transform("count")
    outside = calls[known & (calls["caller_is_registered"] == 0)]
    numbers = outside.groupby("claimed_customer_id")["caller_number"].nunique()
    return calls.assign(
        number_customer_calls=pair.reindex(calls.index).fillna(0.0).astype(float),
        customer_unregistered_numbers=calls["claimed_customer_id"].map(numbers).fillna(0.0).astype(float),
    )


def _rollup(calls: pd.DataFrame, voice: VoiceThresholds | None) -> pd.DataFrame:
    """Call-level transcript and voice signals summarised per caller number."""
    radius = voice.radius if voice else np.inf
    frame = calls.assign(
        _mismatch=(calls["voice_mismatch"] > radius).astype(float),
        **{f"number_text_{s}": calls[f"text_{s}"] for s in SIGNALS},
    )
    grouped = frame.groupby("caller_number")
    out = grouped[[f"number_text_{s}" for s in SIGNALS]].mean()
    out["number_voice_max_customers"] = grouped["voice_customers"].max()
    out["number_voice_mismatch_share"] = grouped["_mismatch"].mean()
    out["number_voiced_share"] = grouped["has_voiceprint"].mean()
    out["number_voice_max_crowd"] = grouped["voice_crowd"].max()
    return out.reset_index().rename(columns={"caller_number": "number"})


def number_features_list(numbers: pd.DataFrame) -> list[str]:
    """Model inputs of the number frame: everything but the key and the descriptive attributes."""
    skip = {"number", "is_blackgray", "kind"}
    return [c for c in numbers.columns if c not in skip]


def call_features_list(calls: pd.DataFrame) -> list[str]:
    return [
        *CALL_CATEGORICAL,
        *[c for c in CALL_OWN + CALL_RELATION + CALL_FROM_NUMBER if c in calls.columns],
    ]


NUMBER_BOUND = {"caller_is_registered", "caller_is_new_contact"}
"""Call facts that compare the caller's number with the customer's: unknowable when the number is withheld."""


def anonymous_features_list(calls: pd.DataFrame) -> list[str]:
    """Inputs of the withheld-number model: the call, the customer and the transcript, nothing of the number."""
    return ["caller_relation", *[c for c in CALL_OWN if c in calls.columns and c not in NUMBER_BOUND]]


def attach_truth(frames: Frames, truth: World) -> Frames:
    """Labels from a simulated world's truth: ``is_blackgray`` per number, ``is_proxy`` per call."""
    if truth.has_truth("numbers"):
        labels = truth.truth("numbers").select("number", "is_blackgray", "kind").to_pandas()
        frames.numbers = frames.numbers.merge(labels, on="number", how="left")
        frames.numbers["is_blackgray"] = frames.numbers["is_blackgray"].fillna(False).astype(int)
    if truth.has_truth("calls"):
        labels = truth.truth("calls").select("call_id", "is_proxy").to_pandas()
        frames.calls = frames.calls.merge(labels, on="call_id", how="left")
        frames.calls["is_proxy"] = frames.calls["is_proxy"].fillna(False).astype(int)
    return frames
