"""The simulated card-issuer world: customers, ledger, gangs, calls, complaints, social media and truth.

``simulate(WorldParams.for_profile("hard", customers=10_000), Path("var/worlds/hard"))`` writes every table
of the data contract plus ``truth/``, ``world.json`` and a report. Text comes from ``grayshield.sim.content``.
"""

from grayshield.sim.engine import GENERATOR, check_out_dir, simulate
from grayshield.sim.params import PROFILE_NAMES, PROFILES, WorldParams

__all__ = ["GENERATOR", "PROFILES", "PROFILE_NAMES", "WorldParams", "check_out_dir", "simulate"]
