"""An extract without the optional ``contact_phone`` must not make every complaint look gang-driven.

Before: ``contact_is_registered`` was 0 when there was no contact phone, which is what a proxy's callback number
looks like, so on such an extract the proxy-complaint model gave every complaint the same high score
(`grayshield eval complaints` on an ingested extract without optional columns: AUC 0.500, all flagged).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from grayshield.complaints.proxy import CONTACT_FEATURES, complaint_frame, without_contact
from grayshield.complaints.training import ComplaintModels
from grayshield.lake import open_world
from grayshield.models import auc


def test_no_contact_phone_is_unknown_not_unregistered(simulated_world: Callable[..., Path]) -> None:
    world = open_world(simulated_world("default", customers=300, months=3, seed=5))
    frame = complaint_frame(world)
    assert frame["contact_phone"].notna().any()
    blank = frame["contact_phone"].isna()
    assert frame.loc[~blank, "contact_is_registered"].isin([0.0, 1.0]).all()
    assert frame.loc[blank, list(CONTACT_FEATURES)].isna().all().all()
    assert without_contact(frame)[list(CONTACT_FEATURES)].isna().all().all()


def test_held_out_complaints_without_contact_phones_still_rank(
        fitted: tuple[ComplaintModels, pd.DataFrame], simulated_world: Callable[..., Path]) -> None:
    models, _ = fitted
    assert models.proxy_complaint is not None
    held_out = open_world(simulated_world("hard", customers=2_000, months=6, seed=23))
    complaints = without_contact(complaint_frame(held_out, truth=held_out))
    assert complaints["is_proxy"].sum() >= 10
    p = models.proxy_complaint.predict_proba(complaints[models.proxy_complaint_features])[:, 1]
    assert np.std(p) > 0.1 and (p >= 0.5).mean() < 0.5  # not one score for all, not everybody flagged
    assert auc(complaints["is_proxy"], p) > 0.9
    assert "proxy_complaint_without_contact" in models.summary["oot_validation"]
