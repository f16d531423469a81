"""The strike team's workflow as the platform runs it: discover gangs in a world, open cases, hand them over.

Gang runs keep their state in a folder (``<home>/gangs`` by default): the stable-id registry and last
partition (so the next run is incremental and ``GS-0007`` stays ``GS-0007``) and ``latest.json`` with every
gang's facts, summary and graph, which cases, the CLI and the console read. Cases live in the operational
store; this module is where the graph engine, the case engine and the store meet, and the CLI and the console
call these functions and nothing deeper.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from grayshield.cases import CaseService, NewEvidence, PackageCheck, export_package, verify_package
from grayshield.core.errors import NotFoundError, ValidationError
from grayshield.core.logging import get_logger
from grayshield.core.settings import get_settings
from grayshield.graph import DiscoveryConfig, build_graph, discover
from grayshield.graph.build import EntityGraph, node_key, node_kind
from grayshield.graph.communities import Community
from grayshield.graph.identity import GangState, assign_ids
from grayshield.graph.summary import KIND_LABELS, community_facts, summary_zh
from grayshield.lake import open_world
from grayshield.store import Database

log = get_logger(__name__)
LATEST_FILE = "latest.json"
GRAPH_NODES = 80  # a case's picture shows the gang's best-connected entities; the bundle lists all


@dataclass(frozen=True)
class GangRun:
    """What one discovery run reports: counts, and each gang as stored in ``latest.json``."""

    run: int
    nodes: int
    edges: int
    hubs: list[str]
    gangs: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"run": self.run, "nodes": self.nodes, "edges": self.edges, "hubs": self.hubs,
                "gangs": [{k: g[k] for k in ("gang_id", "status", "score", "counts", "summary_zh")}
                          for g in self.gangs]}


def discover_gangs(world_path: Path, state_dir: Path, config: DiscoveryConfig | None = None) -> GangRun:
    """Build the graph of ``world_path``, find gangs starting from the last run, keep ids stable, save state.

    Without an explicit ``config`` the gang score uses the evidence weights last calibrated on decided gang
    cases (``grayshield train gangs --labels outcomes``), so closed cases sharpen the next run.
    """
    config = config or default_discovery_config()
    world = open_world(world_path)
    state = GangState.load(state_dir)
    graph = build_graph(world, config.graph)
    found = discover(graph, config, starting=state.partition or None)
    status = assign_ids(found, state)
    regions = _regions(world)
    gangs = [_gang_record(gang, graph, regions, status) for gang in found.gangs]
    state.save(state_dir)
    run = GangRun(run=len(state.runs), nodes=int(len(found.membership)), edges=int(len(graph.edges)),
                  hubs=graph.hubs, gangs=gangs)
    (state_dir / LATEST_FILE).write_text(json.dumps({"run": run.run, "world": str(world_path), "gangs": gangs},
                                                    ensure_ascii=False, default=str), encoding="utf-8")
    log.info("gang discovery run %s: %s gangs over %s nodes", run.run, len(gangs), run.nodes)
    return run


def default_discovery_config() -> DiscoveryConfig:
    """Defaults, with the calibrated evidence weights from the models folder when any were trained."""
    from grayshield.services.label_training import gang_weights

    weights = gang_weights(get_settings().models_dir)
    if weights:
        log.info("gang score uses evidence weights calibrated on closed cases")
    return DiscoveryConfig(weights=weights)


def list_gangs(state_dir: Path) -> list[dict[str, Any]]:
    """The latest run's gangs (facts, masked summary, graph), most suspicious first."""
    latest = state_dir / LATEST_FILE
    if not latest.exists():
        raise NotFoundError(f"尚未运行团伙发现（{state_dir}）：请先运行 grayshield gangs discover")
    gangs: list[dict[str, Any]] = json.loads(latest.read_text(encoding="utf-8"))["gangs"]
    return gangs


def get_gang(state_dir: Path, gang_id: str) -> dict[str, Any]:
    for gang in list_gangs(state_dir):
        if gang["gang_id"] == gang_id:
            return gang
    raise NotFoundError(f"团伙 {gang_id} 不在最近一次发现结果中")


def open_case(db: Database, actor: str, subject_type: str, subject_id: str, title: str, *,
              state_dir: Path | None = None, assignee: str | None = None, deadline: datetime | None = None,
              reason: str | None = None) -> int:
    """Open a case; a gang case carries the gang's snapshot and its summary as the first evidence item."""
    detail: dict[str, Any] = {}
    gang = None
    if subject_type == "gang":
        if state_dir is None:
            raise ValidationError("按团伙立案需要团伙发现结果目录")
        gang = get_gang(state_dir, subject_id)
        detail = {k: gang[k] for k in ("summary_zh_full", "facts", "members", "entities", "graph")}
        detail["summary_zh"] = detail.pop("summary_zh_full")
    with db.session() as session:
        cases = CaseService(session, actor)
        case = cases.open(subject_type, subject_id, title, detail=detail, assignee=assignee, deadline=deadline,
                          reason=reason)
        if gang is not None:
            cases.attach(case.id, NewEvidence("gang_summary", f"gang:{subject_id}", f"团伙 {subject_id} 研判摘要",
                                              {"facts": gang["facts"], "summary_zh": detail["summary_zh"]}))
        return case.id


def export_case(db: Database, actor: str, case_id: int, recipient: str, out_dir: Path, reason: str,
                font_file: Path | None = None) -> tuple[Path, str]:
    """Write the evidence package and record who exported it for whom, and whether PII was shown."""
    from grayshield.cases import RECIPIENTS

    chosen = RECIPIENTS.get(recipient)
    with db.session() as session:
        cases = CaseService(session, actor)
        folder, manifest_hash = export_package(cases.record(case_id), out_dir, recipient, font_file=font_file)
        cases.log_export(case_id, recipient, chosen.reveal_pii, manifest_hash, reason)
    return folder, manifest_hash


def verify_case_package(folder: Path) -> PackageCheck:
    return verify_package(folder)


# ------------------------------------------------------------------------------------------- internals
def _regions(world: Any) -> pd.Series | None:
    if not world.has_table("customers"):
        return None
    frame = world.table("customers").select("customer_id", "province").to_pandas()
    return pd.Series(frame["province"].to_numpy(), index=frame["customer_id"].to_numpy())


def _gang_record(gang: Community, graph: EntityGraph, regions: pd.Series | None,
                 status: dict[str, str]) -> dict[str, Any]:
    gang_id = gang.stable_id or f"C{gang.index}"
    facts = community_facts(gang, graph, regions)
    return {"gang_id": gang_id, "status": status.get(gang_id, "new"), "score": gang.score,
            "counts": facts["counts"], "summary_zh": summary_zh(gang_id, facts),
            "summary_zh_full": summary_zh(gang_id, facts, mask=False), "facts": facts, "members": gang.members,
            "entities": _entities(gang, facts), "graph": _picture(gang, graph)}


def _entities(gang: Community, facts: dict[str, Any]) -> list[dict[str, str]]:
    reach = {n["number"]: n["customer_links"] for n in facts["top_numbers"]}
    rows = []
    for member in gang.members:
        kind = node_kind(member)
        if kind in ("customer", "number", "account", "handle", "staff"):
            key = node_key(member)
            note = f"关联客户 {reach[key]} 次" if key in reach else ""
            rows.append({"kind": KIND_LABELS.get(kind, kind), "id": key, "note": note})
    return rows


def _picture(gang: Community, graph: EntityGraph) -> dict[str, Any]:
    """The gang's best-connected entities and the edges among them, small enough to draw."""
    inside = graph.subgraph(set(gang.members))
    degree = pd.concat([inside["src"], inside["dst"]]).value_counts()
    keep = set(degree.head(GRAPH_NODES).index)
    edges = inside[inside["src"].isin(keep) & inside["dst"].isin(keep)]
    return {"nodes": [{"id": n, "kind": node_kind(n), "label": node_key(n)} for n in sorted(keep)],
            "edges": sorted({(a, b) for a, b in zip(edges["src"], edges["dst"], strict=True)})}
