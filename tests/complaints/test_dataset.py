"""Targets look forward exactly 30 days; scoring dates leave room for history and for the outcome."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from grayshield.complaints.dataset import build_frame, scoring_dates
from grayshield.complaints.proxy import complaint_frame
from grayshield.lake import World


def test_scoring_dates_have_history_behind_and_outcome_ahead(world: World) -> None:
    dates = scoring_dates(world)
    statements = world.table("statements").to_pandas()
    complaints = world.table("complaints").to_pandas()
    first = pd.Timestamp(statements["statement_date"].min()).date()
    last = max(pd.Timestamp(statements["statement_date"].max()), complaints["received_time"].max()).date()
    assert dates and all(d.day == 1 for d in dates)
    assert dates[0] >= first + timedelta(days=90)
    assert dates[-1] + timedelta(days=29) <= last
    assert scoring_dates(world, labelled=False)[-1] > dates[-1]


def test_complaint_target_matches_the_complaints_table(world: World) -> None:
    dates = scoring_dates(world)[-2:]
    frame = build_frame(world, dates, truth=world)
    complaints = world.table("complaints").to_pandas()
    verdicts = world.truth("complaints").to_pandas().set_index("complaint_id")["is_proxy"]
    for as_of in dates:
        start = pd.Timestamp(as_of)
        window = complaints[(complaints.received_time >= start) & (complaints.received_time < start
                                                                    + pd.Timedelta(days=30))]
        expected = set(window.customer_id)
        rows = frame[frame.as_of == as_of]
        assert set(rows.loc[rows.complaint_30d == 1, "customer_id"]) == expected & set(rows.customer_id)
        proxy_customers = set(window[window.complaint_id.map(verdicts)].customer_id)
        assert set(rows.loc[rows.proxy_30d == 1, "customer_id"]) == proxy_customers & set(rows.customer_id)


def test_gang_complaints_share_templates_numbers_and_material(world: World) -> None:
    frame = complaint_frame(world, truth=world)
    gang, genuine = frame[frame.is_proxy == 1], frame[frame.is_proxy == 0]
    assert len(gang) > 20 and len(genuine) > 20
    assert gang.template_peers.mean() > 3 * max(genuine.template_peers.mean(), 0.1)
    assert (gang.material_hash_peers.mean() + gang.contact_phone_peers.mean()
            > genuine.material_hash_peers.mean() + genuine.contact_phone_peers.mean())


def test_sharing_signals_only_look_back(world: World) -> None:
    """The earliest complaint of a template has nobody to share with yet."""
    frame = complaint_frame(world, truth=world).sort_values("received_time")
    first_of_each = frame[frame.is_proxy == 1].groupby(frame.text.str[:12]).head(1)
    assert (frame.iloc[0][["template_peers", "contact_phone_peers", "material_hash_peers"]] == 0).all()
    assert first_of_each.template_peers.min() == 0
