"""World-wide actors built once before the customer blocks: black/gray gangs and bank staff.

Gangs own numbers, operators (voices), social accounts, complaint templates and sometimes an inside agent;
staff carry roles, sites and (for a few) an anomalous habit. Customer blocks draw on both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grayshield.sim.content import ContentGenerator
from grayshield.sim.params import WorldParams
from grayshield.sim.util import GANG_RANGE, ORDINARY_PREFIXES, VIRTUAL_PREFIXES, NDArray, mobiles
from grayshield.sim.voice import VoiceSpace

GANG_KINDS = ("anti_collection_alliance", "negotiation_agency", "data_broker")
STAFF_ROLES = ("service_agent", "collector", "outsourced_agent", "complaint_handler", "supervisor", "back_office")
STAFF_ROLE_SHARES = (0.45, 0.2, 0.15, 0.08, 0.06, 0.06)
STAFF_ANOMALIES = ("bulk_lookup", "waiver_without_verification", "off_hours_access", "out_of_queue_lookup",
                   "unusual_location")
SITES = ("SH01", "SH02", "CD01", "WH01", "XA01")
FORGERY_TOOLS = ("Adobe Photoshop CC 2019", "美图秀秀 9.2", "WPS Office", "PDF Editor 4.1", "醒图 6.0")


@dataclass
class Gang:
    gang_id: str
    kind: str
    home_province: str
    start_day: np.datetime64
    weight: float
    operators: list[str]
    numbers: list[str]
    number_kinds: list[str]
    accounts: list[tuple[str, str]] = field(default_factory=list)  # (platform, account_id)
    templates: list[Any] = field(default_factory=list)
    inside_agent: str | None = None
    forgery_tool: str = ""
    forger_alias: str = ""
    phash_base: int = 0
    used: set[str] = field(default_factory=set)  # numbers that appeared anywhere (truth lists only these)

    def use(self, number: str) -> str:
        self.used.add(number)
        return number

    def habitual(self) -> list[str]:
        return [n for n, k in zip(self.numbers, self.number_kinds, strict=True) if k != "gang_rotating"]

    def takeover_numbers(self) -> list[str]:
        """Mobiles a gang puts on a recruited customer's file (never a 400 line)."""
        return [n for n, k in zip(self.numbers, self.number_kinds, strict=True) if k in ("gang_habitual",
                                                                                         "gang_virtual")]

    def rotating(self) -> list[str]:
        return [n for n, k in zip(self.numbers, self.number_kinds, strict=True) if k == "gang_rotating"]


@dataclass
class Staff:
    staff_id: NDArray
    role: NDArray
    site: NDArray
    shift: NDArray
    team: NDArray
    hire_date: NDArray
    anomaly: NDArray  # "none" or one of STAFF_ANOMALIES
    breach_propensity: NDArray  # multiplier on the breach rate: a few agents breach far more often
    names: dict[str, str]  # how agents introduce themselves in transcripts

    def of_role(self, *roles: str) -> NDArray:
        return np.flatnonzero(np.isin(self.role, roles))


def build_gangs(
    params: WorldParams, rng: np.random.Generator, gen: ContentGenerator, first_day: np.datetime64,
    voices: VoiceSpace, staff: Staff,
) -> list[Gang]:
    """Gangs with numbers of every kind (virtual segments, rotating SIMs, 400 lines, landlines)."""
    gangs: list[Gang] = []
    next_number = 0
    agents = staff.staff_id[staff.of_role("service_agent")]
    for g in range(params.gang_count):
        gang_id = f"G{g + 1:03d}"
        kind = GANG_KINDS[0] if g == 0 else GANG_KINDS[int(rng.choice(3, p=[0.45, 0.45, 0.10]))]
        # With drift, some gangs only appear during the window: an out-of-time test meets unseen gangs.
        late = rng.random() < min(0.5, 0.15 * params.drift)
        offset = int(rng.integers(10, 25 * 30)) if late else -int(rng.integers(30, 36 * 30))
        if late:
            offset = min(offset, max(1, params.months * 30 - 20))
        kinds = (["gang_habitual"] * int(rng.integers(2, 5)) + ["gang_virtual"] * int(rng.integers(3, 8))
                 + ["gang_rotating"] * int(rng.integers(10, 40)) + ["gang_400_line"] * int(rng.integers(0, 3)))
        count = len(kinds)
        prefixes = np.where(
            np.array(kinds) == "gang_virtual",
            rng.choice(VIRTUAL_PREFIXES, count),
            rng.choice(np.concatenate([ORDINARY_PREFIXES, VIRTUAL_PREFIXES]), count),
        )
        numbers = mobiles(np.arange(next_number, next_number + count), GANG_RANGE, prefixes).to_pylist()
        next_number += count
        numbers = [
            f"+86400{int(rng.integers(1_000_000, 9_999_999))}" if k == "gang_400_line" else n
            for n, k in zip(numbers, kinds, strict=True)
        ]
        operators = [f"PG{g + 1:03d}-{k}" for k in range(int(rng.integers(2, 7)))]
        voices.add(operators, rng)
        gang = Gang(
            gang_id=gang_id, kind=kind, home_province=gen.region()[0], start_day=first_day + offset,
            weight=float(rng.pareto(1.5) + 0.5), operators=operators, numbers=numbers, number_kinds=kinds,
            forgery_tool=str(rng.choice(FORGERY_TOOLS)), forger_alias=gen.person_name(),
            phash_base=int(rng.integers(0, 2**63)),
        )
        if agents.size and rng.random() < params.collusion_rate:
            gang.inside_agent = str(rng.choice(agents))
        n_templates = 1 + int(round(params.template_variety * 5 * rng.random()))
        gang.templates = [gen.complaint_template(gang_id) for _ in range(n_templates)]
        gangs.append(gang)
    _dedupe_400_lines(gangs)
    return gangs


def _dedupe_400_lines(gangs: list[Gang]) -> None:
    """Random 400 numbers may collide across gangs; renumber the later one so every number has one owner."""
    seen: set[str] = set()
    for gang in gangs:
        for i, number in enumerate(gang.numbers):
            while gang.numbers[i] in seen:
                number = f"+86400{(int(number[6:]) + 1) % 9_000_000 + 1_000_000}"
                gang.numbers[i] = number
            seen.add(gang.numbers[i])


def build_staff(
    params: WorldParams, rng: np.random.Generator, gen: ContentGenerator, first_day: np.datetime64,
    voices: VoiceSpace,
) -> Staff:
    """Staff sized to the book; a ``staff_anomaly_rate`` share acquire an anomalous habit."""
    n = max(30, params.customers // params.customers_per_staff)
    role = np.asarray(STAFF_ROLES)[rng.choice(len(STAFF_ROLES), n, p=STAFF_ROLE_SHARES)]
    role[: len(STAFF_ROLES)] = STAFF_ROLES  # every role exists even in a tiny world
    site = np.asarray(SITES)[rng.integers(0, len(SITES), n)]
    shift = np.asarray(("day", "evening", "night", "flexible"))[rng.choice(4, n, p=[0.6, 0.25, 0.05, 0.1])]
    team = np.char.add(np.char.add(site, "-"), np.char.zfill((rng.integers(1, 9, n)).astype(str), 2))
    hire = first_day - rng.integers(30, 12 * 365, n).astype("timedelta64[D]")
    anomaly = np.where(
        rng.random(n) < params.staff_anomaly_rate,
        np.asarray(STAFF_ANOMALIES)[rng.integers(0, len(STAFF_ANOMALIES), n)],
        "none",
    ).astype(object)
    staff_id = np.char.add("S", np.char.zfill(np.arange(1, n + 1).astype(str), 5))
    propensity = rng.lognormal(-0.3, 0.8, n) * np.where(role == "outsourced_agent", 2.0, 1.0)
    voices.add([voice_id(str(s)) for s in staff_id], rng)
    names = {str(s): gen.person_name() for s in staff_id}
    return Staff(staff_id, role, site, shift, team, hire, anomaly, propensity, names)


def voice_id(staff_id: str) -> str:
    return f"P{staff_id}"
