"""The world tables compliance monitoring reads, as pandas frames in the shape the engines expect."""

from __future__ import annotations

import pandas as pd

from grayshield.compliance.staffops import CollusionContext
from grayshield.lake.world import World

CALL_KEYS = ("call_id", "agent_id", "start_time")


def table_frame(world: World, name: str, truth: bool = False) -> pd.DataFrame:
    table = world.truth(name) if truth else world.table(name)
    frame: pd.DataFrame = table.to_pandas()
    return frame


def world_utterances(world: World) -> pd.DataFrame:
    return table_frame(world, "call_utterances").sort_values(["call_id", "seq"]).reset_index(drop=True)


def call_keys(world: World) -> pd.DataFrame:
    """call_id, agent_id, team and month: the keys QA scores are grouped by."""
    calls = table_frame(world, "calls").loc[:, list(CALL_KEYS)]
    staff = table_frame(world, "staff").loc[:, ["staff_id", "team"]]
    calls = calls.merge(staff, left_on="agent_id", right_on="staff_id", how="left").drop(columns="staff_id")
    calls["month"] = pd.to_datetime(calls["start_time"]).dt.strftime("%Y-%m")
    return calls.drop(columns="start_time")


def complaint_log(world: World) -> pd.DataFrame:
    events = table_frame(world, "complaint_events")
    return events.rename(columns={"complaint_id": "case_id"})


def collusion_context(world: World, gangs: bool = True) -> CollusionContext:
    """Calls, mobile-number changes and registered phones: what the insider-collusion test links rings from;
    with ``gangs`` the rings are the gangs engine's communities instead of the bare number-customer graph."""
    customers = table_frame(world, "customers").loc[:, ["customer_id", "registered_phone"]]
    return CollusionContext(table_frame(world, "calls"), table_frame(world, "contact_changes"),
                            customers.set_index("customer_id")["registered_phone"],
                            rings=gang_rings(world) if gangs else None,
                            roles=table_frame(world, "staff").set_index("staff_id")["role"])


def gang_rings(world: World) -> pd.DataFrame:
    """Ring membership (kind, key, ring) from the gangs engine's Leiden communities: rings that also tie
    numbers through voices, templates and advertised contacts, which the call graph alone cannot."""
    from grayshield.graph.build import build_graph, node_key, node_kind
    from grayshield.graph.communities import discover

    found = discover(build_graph(world))
    rows = [(node_kind(m), node_key(m), f"G{g.index}") for g in found.gangs for m in g.members
            if node_kind(m) in ("number", "customer")]
    return pd.DataFrame(rows, columns=["kind", "key", "ring"])
