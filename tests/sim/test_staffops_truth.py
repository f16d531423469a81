"""Ground truth of insider collusion: every gang an agent serves from inside labels its calls, not just one."""

from __future__ import annotations

import numpy as np

from grayshield.sim.actors import Gang
from grayshield.sim.staffops import collusion_calls, inside_agents


def _gang(gang_id: str, inside: str | None) -> Gang:
    return Gang(gang_id=gang_id, kind="negotiation_agency", home_province="广东省", start_day=0, weight=1.0,
                operators=[], numbers=[], number_kinds=[], forgery_tool="", forger_alias="", phash_base=0,
                inside_agent=inside)


def test_an_agent_inside_two_gangs_colludes_with_both() -> None:
    inside = inside_agents([_gang("G1", "S1"), _gang("G2", None), _gang("G3", "S1"), _gang("G4", "S2")])
    assert inside == {"S1": {0, 2}, "S2": {3}}
    agents = np.array(["S1", "S1", "S1", "S2", "S2", "S3"], dtype=object)
    gangs = np.array([0, 2, 1, 3, 0, 0])
    assert collusion_calls(inside, agents, gangs).tolist() == [True, True, False, True, False, False]
