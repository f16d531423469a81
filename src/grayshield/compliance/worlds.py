"""The world tables compliance monitoring reads, as pandas frames in the shape the engines expect."""

from __future__ import annotations

import pandas as pd

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
