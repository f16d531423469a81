"""The simulated card-issuer world: customers, ledger, gangs, calls, complaints, social media and truth.

``simulate(WorldParams.for_profile("hard", customers=10_000), Path("var/worlds/hard"))`` writes every table
of the data contract plus ``truth/``, ``world.json`` and a report. Text comes from ``grayshield.sim.content``.
The engine (numpy, pyarrow, the text generator) is imported on first use, so ``grayshield --help`` and
``import grayshield.sim.params`` stay fast.
"""

from typing import Any

from grayshield.sim.params import PROFILE_NAMES, PROFILES, WorldParams

__all__ = ["GENERATOR", "PROFILES", "PROFILE_NAMES", "WorldParams", "check_out_dir", "simulate"]


def __getattr__(name: str) -> Any:
    if name in ("GENERATOR", "check_out_dir", "simulate"):
        from grayshield.sim import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'grayshield.sim' has no attribute {name!r}")
