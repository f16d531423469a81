"""What every stage of a customer block shares: parameters, randomness, text, calendar, output, actors."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from grayshield.sim.actors import Gang, Staff
from grayshield.sim.content import ContentGenerator
from grayshield.sim.params import WorldParams
from grayshield.sim.sink import WorldSink
from grayshield.sim.util import Calendar, IdMint, NDArray
from grayshield.sim.voice import VoiceSpace


@dataclass
class BlockContext:
    params: WorldParams
    rng: np.random.Generator
    gen: ContentGenerator
    cal: Calendar
    sink: WorldSink
    mint: IdMint
    gangs: list[Gang]
    staff: Staff
    voices: VoiceSpace
    # Voice centroids of the block's customers and of their relatives (row = customer in the block).
    block_voices: tuple[NDArray, NDArray] = field(default_factory=lambda: (np.zeros((0, 0)), np.zeros((0, 0))))
