"""The complaint engine's template signal comes from the text engine's one template clustering."""

from __future__ import annotations

from grayshield.complaints.proxy import LOOKBACK, TEMPLATE_THRESHOLD, complaint_frame
from grayshield.lake import World
from grayshield.text import template_ids


def test_template_peers_count_only_texts_the_shared_clustering_groups(world: World) -> None:
    frame = complaint_frame(world, truth=world)
    ids = template_ids(frame["text"].fillna("").astype(str).tolist(), TEMPLATE_THRESHOLD)
    ungrouped = [i is None for i in ids]
    assert frame.loc[ungrouped, "template_peers"].eq(0).all()
    assert frame.loc[[not u for u in ungrouped], "template_peers"].gt(0).any()


def test_later_copies_of_a_gang_template_find_their_peers(world: World) -> None:
    frame = complaint_frame(world, truth=world)
    templates = world.truth("complaints").select("complaint_id", "template_id").to_pandas()
    frame = frame.merge(templates, on="complaint_id").sort_values("received_time")
    copies = frame[frame["template_id"].notna()]
    earlier = copies.groupby("template_id")["received_time"].transform("min")
    # copies that another customer's copy of the same template precedes within the lookback
    later = copies[(copies["received_time"] > earlier) & (copies["received_time"] - earlier <= LOOKBACK)]
    later = later[later.groupby("template_id")["customer_id"].transform("nunique") > 1]
    assert len(later) > 20
    assert (later["template_peers"] > 0).mean() > 0.9
