"""Training-time augmentation: the *hard view* of a labelled world whose evidence is clean.

A model trained on one easy world (clean voiceprints, gangs on a few habitual numbers, plain wording) leans on
exactly the evidence a harder world lacks, and under-rates that world's gang numbers and calls. The simulator's
hard profile differs in three ways that matter here, and the hard view makes each of them happen to the
training rows, with their labels kept: voices are withheld (noisy channels, :func:`mask_voices`); the transcript
signals of a share of rows are swapped with a row of the other class (gangs disguise their wording, genuine
callers use the same vocabulary: :func:`swap_text`); and a share of proxy calls is re-placed from fresh numbers
(:func:`rotated_numbers`). Trained on the world and its hard view together, the model also decides from what
does travel: queues, verification, the customers' collection state, number type and graph links.

Every hard-view row keeps the index of the training row it was made from (``source``), so cross-fitting folds
keep a row and everything made from it on the same side.

Rotation, why: a gang that places most calls from a few habitual numbers (an easy world) teaches a model that gang numbers
are busy, linked to other busy numbers and heard with many voices. Where gangs rotate numbers (the hard
profile places 45% of proxy calls from habitual numbers instead of 70%), most gang numbers carry one call, and a
model trained on the easy world under-rates them (recall 0.71-0.83 on two default → hard pairs). A proxy call is
just as much a gang call from a fresh SIM: each one sampled here is re-placed from a new number, which gets the
number row that one call would have produced (one call, one customer, that call's queue, verification,
transcript and voice, and links to the customer's other numbers), and the call itself gets that number's
evidence (and its relation to the customer: the number's only call about them). Labels come from the call (``is_proxy``), so the augmentation needs truth, as training does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from grayshield.callers.behaviour import BUSY_CUSTOMERS
from grayshield.callers.transcripts import SIGNALS

if TYPE_CHECKING:
    from grayshield.callers.dataset import Frames

ROTATED_SHARE = 1.0
"""Proxy calls re-placed from a fresh number, as a share of the world's proxy calls with a presented number (every
one: each gives one extra single-call gang number; 0.5 left recall at 0.87-0.91 on default s1 → hard s2)."""


def _windows(numbers: pd.DataFrame) -> list[int]:
    """The behaviour windows the number frame was built with (``calls_30d``, ``calls_180d`` → 30, 180)."""
    return sorted(
        int(c[len("calls_") : -1])
        for c in numbers.columns
        if c.startswith("calls_") and c.endswith("d") and c[len("calls_") : -1].isdigit()
    )


def _links(calls: pd.DataFrame, numbers: pd.DataFrame, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each sampled call: the numbers that spoke for its customer on other calls, and how many are busy."""
    busy = set(numbers.loc[numbers["distinct_customers_180d"] >= BUSY_CUSTOMERS, "number"])
    known = calls[calls["caller_number"].notna() & calls["claimed_customer_id"].notna()]
    spoke: dict[str, list[tuple[str, str]]] = {}
    for customer, call_id, number in zip(
        known["claimed_customer_id"], known["call_id"], known["caller_number"], strict=True
    ):
        spoke.setdefault(customer, []).append((call_id, number))
    linked = np.zeros(len(rows))
    linked_busy = np.zeros(len(rows))
    for k, (customer, call_id) in enumerate(
        zip(calls["claimed_customer_id"].to_numpy()[rows], calls["call_id"].to_numpy()[rows], strict=True)
    ):
        others = {number for other, number in spoke.get(customer, []) if other != call_id}
        linked[k] = len(others)
        linked_busy[k] = len(others & busy)
    return linked, linked_busy


@dataclass
class View:
    """Rows made from a training frame, each with the index of the row it was made from (``source``)."""

    frame: pd.DataFrame
    source: np.ndarray


def rotated_numbers(frames: Frames, share: float = ROTATED_SHARE, seed: int = 0) -> tuple[View, View]:
    """Number rows and call copies for a sample of proxy calls placed from fresh numbers.

    The fresh number's behaviour is its one call's: in each window it fell in, one call and one customer, the
    call's hour, verification, relation, queue and customer state; no contact moves (a fresh SIM is nobody's
    new contact); links to the numbers that spoke for the same customer on other calls; the call's transcript
    and voice signals as its roll-ups. A number row's source is the row of the number that really placed the
    call; a call copy's source is the call.
    """
    from grayshield.callers.dataset import CALL_FROM_NUMBER

    calls, numbers = frames.calls, frames.numbers
    candidates = np.flatnonzero(
        (calls["is_proxy"].to_numpy() == 1) & calls["caller_number"].notna().to_numpy()
    )
    rows = np.sort(
        np.random.default_rng(seed).choice(candidates, int(round(share * len(candidates))), replace=False)
    )
    picked = calls.iloc[rows].reset_index(drop=True)
    as_of = datetime(frames.as_of.year, frames.as_of.month, frames.as_of.day)
    fresh: dict[str, Any] = {"number": [f"rotated:{c}" for c in picked["call_id"]]}
    hour = picked["hour"].to_numpy()
    for window in _windows(numbers):
        inside = (picked["start_time"] >= as_of - timedelta(days=window)).to_numpy().astype(float)
        s = f"_{window}d"
        fresh |= {
            f"calls{s}": inside,
            f"active_days{s}": inside,
            f"calls_per_day{s}": inside / window,
            f"distinct_customers{s}": inside * picked["claimed_customer_id"].notna().to_numpy(),
            f"night_share{s}": inside * picked["is_night"].to_numpy(),
            f"morning_share{s}": inside * ((hour >= 8) & (hour < 12)),
            f"afternoon_share{s}": inside * ((hour >= 12) & (hour < 18)),
            f"not_registered_share{s}": inside * (1 - picked["caller_is_registered"].to_numpy()),
            f"verify_fail_share{s}": inside * (1 - picked["identity_verified"].to_numpy()),
            f"third_party_share{s}": inside * picked["third_party_relation"].to_numpy(),
            f"collection_queue_share{s}": inside * (picked["queue"] == "collection").fillna(False).to_numpy(),
            f"complaint_queue_share{s}": inside * (picked["queue"] == "complaint").fillna(False).to_numpy(),
            f"delinquent_customer_share{s}": inside * (picked["customer_max_dpd"].to_numpy() > 0),
            f"collection_customer_share{s}": inside * picked["customer_in_collection"].to_numpy(),
            f"mean_duration{s}": inside * picked["duration_s"].to_numpy(),
        }
    linked, linked_busy = _links(calls, numbers, rows)
    radius = frames.voice.radius if frames.voice else np.inf
    fresh |= {
        "moved_to_customers": 0.0,
        "moved_unverified_customers": 0.0,
        "linked_numbers": linked,
        "linked_busy_numbers": linked_busy,
        **{f"number_text_{s}": picked[f"text_{s}"].to_numpy() for s in SIGNALS},
        "number_voice_max_customers": picked["voice_customers"].to_numpy(),
        "number_voice_mismatch_share": (picked["voice_mismatch"] > radius).astype(float).to_numpy(),
        "number_voiced_share": picked["has_voiceprint"].to_numpy(),
        "number_voice_max_crowd": picked["voice_crowd"].to_numpy(),
        "number_type": picked["number_type"].to_numpy(),
        "is_blackgray": 1,
        "kind": "rotated",
    }
    new_numbers = pd.DataFrame(fresh)[[c for c in numbers.columns if c in fresh]]
    new_calls = picked.assign(
        caller_number=new_numbers["number"],
        caller_is_new_contact=0.0,
        call_id="rotated:" + picked["call_id"].astype(str),
    )
    if "number_customer_calls" in picked:
        # the fresh number's one call about the customer; one outside number more if the old one stays (it called again)
        new_calls["customer_unregistered_numbers"] = picked["customer_unregistered_numbers"].to_numpy() + (
            picked["number_customer_calls"].to_numpy() > 1
        )
        new_calls["number_customer_calls"] = 1.0
    for column in (c for c in CALL_FROM_NUMBER if c in new_calls):
        new_calls[column] = new_numbers[column].to_numpy()
    number_row = pd.Series(np.arange(len(numbers)), index=numbers["number"].to_numpy())
    return (
        View(new_numbers, number_row.loc[picked["caller_number"].to_numpy()].to_numpy()),
        View(new_calls, rows),
    )


TEXT_SWAP_SHARE = 0.5
"""Rows of the hard view whose transcript signals are swapped with a random row of the other class."""


def swap_text(
    frame: pd.DataFrame,
    target: str,
    columns: list[str],
    share: float,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """``frame`` with the ``columns`` of a ``share`` of rows taken from random rows of the other class.

    A gang row then reads like a genuine caller (disguised wording) and a genuine row like a gang (the same
    vocabulary in a genuine negotiation): the hard profile's evasion and hard negatives, at the level of the
    signals the model sees. The label and every other column stay.
    """
    out = frame.copy()
    y = frame[target].to_numpy()
    present = [c for c in columns if c in frame]
    picked = rng.random(len(frame)) < share
    for label in (0, 1):
        rows, donors = np.flatnonzero(picked & (y == label)), np.flatnonzero(y != label)
        if rows.size and donors.size and present:
            taken = frame[present].to_numpy()[rng.choice(donors, rows.size)]
            out.loc[out.index[rows], present] = taken
    return out


def hard_view(frames: Frames, seed: int = 0) -> tuple[View, View]:
    """The hard view of labelled frames (numbers, calls): voices withheld, text swapped, rotated numbers added."""
    from grayshield.callers.dataset import mask_voices

    rotated_numbers_view, rotated_calls_view = rotated_numbers(frames, seed=seed)
    rng = np.random.default_rng(seed)
    views = []
    for frame, extra, target, columns in (
        (frames.numbers, rotated_numbers_view, "is_blackgray", [f"number_text_{s}" for s in SIGNALS]),
        (
            frames.calls,
            rotated_calls_view,
            "is_proxy",
            [*(f"text_{s}" for s in SIGNALS), *(f"number_text_{s}" for s in SIGNALS)],
        ),
    ):
        rows = pd.concat([frame, extra.frame], ignore_index=True)
        source = np.concatenate([np.arange(len(frame)), extra.source])
        views.append(View(swap_text(rows, target, columns, TEXT_SWAP_SHARE, rng), source))
    masked = mask_voices(type(frames)(views[1].frame, views[0].frame, frames.voice, frames.as_of))
    return View(masked.numbers, views[0].source), View(masked.calls, views[1].source)
