"""Stable gang identities between runs, and the state that makes the next run incremental.

Leiden numbers its communities afresh on every run; analysts, cases and tags need ``GS-0007`` to stay
``GS-0007`` as data arrives. Each new gang is matched to the previous run's gang it shares the most members
with (Jaccard, one-to-one, best pairs first); a gang with no match above ``min_jaccard`` gets the next free id,
and ids are never reused. The full partition is kept too, so the next run can start Leiden from it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from grayshield.core.errors import ValidationError
from grayshield.graph.communities import Community, Discovery

REGISTRY_FILE = "gangs.json"
PARTITION_FILE = "partition.parquet"
ID_PREFIX = "GS-"


@dataclass
class GangState:
    """What the previous runs left: gang ids with their members, and the last full partition."""

    gangs: dict[str, dict[str, Any]] = field(default_factory=dict)
    next_number: int = 1
    runs: list[dict[str, Any]] = field(default_factory=list)
    partition: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> GangState:
        registry = folder / REGISTRY_FILE
        if not registry.exists():
            return cls()
        try:
            data = json.loads(registry.read_text(encoding="utf-8"))
            state = cls(gangs=data["gangs"], next_number=int(data["next_number"]), runs=data["runs"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValidationError(f"团伙状态文件无法读取（{registry}）：{exc}") from None
        partition = folder / PARTITION_FILE
        if partition.exists():
            frame = pd.read_parquet(partition)
            state.partition = dict(zip(frame["node"], frame["community"].astype(int), strict=True))
        return state

    def save(self, folder: Path) -> None:
        """Write both files through temporary names, so a crash never leaves half a state behind."""
        folder.mkdir(parents=True, exist_ok=True)
        frame = pd.DataFrame({"node": list(self.partition), "community": list(self.partition.values())})
        frame.to_parquet(folder / (PARTITION_FILE + ".tmp"), index=False)
        (folder / (REGISTRY_FILE + ".tmp")).write_text(json.dumps(
            {"gangs": self.gangs, "next_number": self.next_number, "runs": self.runs}, ensure_ascii=False),
            encoding="utf-8")
        (folder / (PARTITION_FILE + ".tmp")).replace(folder / PARTITION_FILE)
        (folder / (REGISTRY_FILE + ".tmp")).replace(folder / REGISTRY_FILE)


def assign_ids(discovery: Discovery, state: GangState, min_jaccard: float = 0.3,
               now: datetime | None = None) -> dict[str, str]:
    """Give every gang of ``discovery`` a stable id, update ``state`` in place; returns new id -> old status.

    The status is ``continued`` (matched), ``new``; ids of earlier gangs not seen now are kept as ``dormant``.
    """
    gangs = discovery.gangs
    when = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    run = len(state.runs) + 1
    matches = _match(gangs, state.gangs, min_jaccard)
    status: dict[str, str] = {}
    for position, gang in enumerate(gangs):
        gang_id = matches.get(position)
        if gang_id is None:
            gang_id = f"{ID_PREFIX}{state.next_number:04d}"
            state.next_number += 1
            state.gangs[gang_id] = {"first_run": run, "first_seen_at": when}
            status[gang_id] = "new"
        else:
            status[gang_id] = "continued"
        gang.stable_id = gang_id
        state.gangs[gang_id].update({"members": gang.members, "last_run": run, "last_seen_at": when,
                                     "score": gang.score, "active": True})
    for gang_id, record in state.gangs.items():
        if gang_id not in status:
            record["active"] = False
            status[gang_id] = "dormant"
    state.runs.append({"run": run, "at": when, "gangs": len(gangs), "nodes": int(len(discovery.membership)),
                       "quality": discovery.quality})
    state.partition = {str(k): int(v) for k, v in discovery.membership.items()}
    return status


def _match(gangs: list[Community], previous: dict[str, dict[str, Any]], min_jaccard: float) -> dict[int, str]:
    """Best one-to-one pairs of (new gang position, old id) by Jaccard of members, highest first."""
    owner: dict[str, list[str]] = {}
    for gang_id, record in previous.items():
        for member in record.get("members", []):
            owner.setdefault(member, []).append(gang_id)
    candidates: list[tuple[float, int, str]] = []
    for position, gang in enumerate(gangs):
        overlap: dict[str, int] = {}
        for member in gang.members:
            for gang_id in owner.get(member, []):
                overlap[gang_id] = overlap.get(gang_id, 0) + 1
        for gang_id, shared in overlap.items():
            union = len(gang.members) + len(previous[gang_id]["members"]) - shared
            candidates.append((shared / union, position, gang_id))
    taken_new: set[int] = set()
    taken_old: set[str] = set()
    out: dict[int, str] = {}
    for jaccard, position, gang_id in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if jaccard < min_jaccard or position in taken_new or gang_id in taken_old:
            continue
        out[position] = gang_id
        taken_new.add(position)
        taken_old.add(gang_id)
    return out
