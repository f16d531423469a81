"""The strike team's workflow as the platform runs it: discover gangs in a world, open cases, hand them over.

Gang runs keep their state in a folder (``<home>/gangs`` by default): the stable-id registry and last
partition (so the next run is incremental and ``GS-0007`` stays ``GS-0007``) and ``latest.json`` with every
gang's facts, summary and graph, which cases, the CLI and the console read. Cases live in the operational
store; this module is where the graph engine, the case engine and the store meet, and the CLI and the console
call these functions and nothing deeper.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from grayshield.cases import CaseService, NewEvidence, PackageCheck, export_package, verify_package
from grayshield.cases.package import BUNDLE_FILE
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

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from grayshield.store.models import Case

log = get_logger(__name__)
LATEST_FILE = "latest.json"
GRAPH_NODES = 80  # a case's picture shows the gang's best-connected entities; the bundle lists all
TAG_CASE_SUBJECTS = {"number": "number", "social_account": "account", "customer": "customer"}
"""Tag subject type → the case subject type a tag's subject is investigated as (devices are not case subjects)."""
SUBJECT_EVENTS = 50  # watch-list events copied into a social account's evidence item


@dataclass(frozen=True)
class CaseSubject:
    """What a case is opened on, or added to an existing case: the subject, and the evidence showing why.

    Built from the page the investigator stands on (a gang, a tag on a number or account, a watched account, a
    customer's complaint warning), so the case starts with what they saw, hashed and immutable.
    """

    subject_type: str
    subject_id: str
    evidence: NewEvidence | None = None
    detail: dict[str, Any] = field(default_factory=dict)


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
    if subject_type == "gang":
        if state_dir is None:
            raise ValidationError("按团伙立案需要团伙发现结果目录")
        subject = gang_subject(state_dir, subject_id)
    else:
        subject = CaseSubject(subject_type, subject_id)
    with db.session() as session:
        return open_subject_case(session, actor, subject, title, assignee=assignee, deadline=deadline, reason=reason)


def open_subject_case(session: Session, actor: str, subject: CaseSubject, title: str, *,
                      assignee: str | None = None, deadline: datetime | None = None, reason: str | None = None) -> int:
    """Open a case on ``subject`` with its evidence as the first item; the caller's session commits."""
    cases = CaseService(session, actor)
    case = cases.open(subject.subject_type, subject.subject_id, title, detail=subject.detail, assignee=assignee,
                      deadline=deadline, reason=reason)
    if subject.evidence is not None:
        cases.attach(case.id, subject.evidence)
    return case.id


def add_to_case(session: Session, actor: str, case_id: int, seen_version: int, subject: CaseSubject,
                reason: str) -> None:
    """Attach ``subject``'s evidence to an open case the investigator picked (at ``seen_version``)."""
    if subject.evidence is None:
        raise ValidationError("该对象没有可附加的证据")
    cases = CaseService(session, actor)
    if cases.get(case_id).state == "closed":
        raise ValidationError(f"案件 {case_id} 已结案：请先在案件页重新调查，再附加证据")
    cases.attach(case_id, subject.evidence, reason=reason, expected_version=seen_version)


def subject_cases(session: Session, subject_type: str, subject_id: str, limit: int = 200
                  ) -> tuple[list[Case], list[Case]]:
    """Cases already on this subject, and the unclosed cases it could be added to (newest first)."""
    cases = CaseService(session, "console")
    return (cases.search(subject=(subject_type, subject_id), limit=limit),
            cases.search(active=True, limit=limit))


def gang_subject(state_dir: Path, gang_id: str) -> CaseSubject:
    """A gang from the latest discovery run: its snapshot as the case detail, its summary as evidence."""
    gang = get_gang(state_dir, gang_id)
    detail = {k: gang[k] for k in ("summary_zh_full", "facts", "members", "entities", "graph")}
    detail["summary_zh"] = detail.pop("summary_zh_full")
    evidence = NewEvidence("gang_summary", f"gang:{gang_id}", f"团伙 {gang_id} 研判摘要",
                           {"facts": gang["facts"], "summary_zh": detail["summary_zh"]})
    return CaseSubject("gang", gang_id, evidence, detail)


def tag_subject(session: Session, tag_id: int) -> CaseSubject:
    """The number, account or customer a tag is on, with the tag and its review history as evidence."""
    from grayshield.tags import TAG_TYPES, TagService
    from grayshield.tags.service import snapshot
    from grayshield.tags.taxonomy import SUBJECT_ZH

    tags = TagService(session, "console")
    tag = tags.get(tag_id)
    if tag.subject_type not in TAG_CASE_SUBJECTS:
        raise ValidationError(f"{SUBJECT_ZH.get(tag.subject_type, tag.subject_type)}不能作为案件对象"
                              f"（可立案对象：{'、'.join(SUBJECT_ZH[k] for k in TAG_CASE_SUBJECTS)}）")
    history = [{"occurred_at": e.occurred_at.isoformat(timespec="seconds"), "actor": e.actor, "action": e.action,
                "reason": e.reason, "state": (e.after or {}).get("state")} for e in tags.history(tag_id)]
    label = TAG_TYPES.get(tag.tag_type).label_zh if tag.tag_type in TAG_TYPES else tag.tag_type
    evidence = NewEvidence("tag", f"tag:{tag.id}", f"标签 #{tag.id}（{label}）",
                           {"tag": snapshot(tag), "history": history})
    return CaseSubject(TAG_CASE_SUBJECTS[tag.subject_type], tag.subject_id, evidence)


def watch_subject(session: Session, watch_id: int) -> CaseSubject:
    """A watched social account (``platform:account``), with its watch-list record and alerts as evidence."""
    from grayshield.services.social_monitoring import recent_history, watch_entry

    entry = watch_entry(session, watch_id)
    events = [{"occurred_at": e.occurred_at.isoformat(timespec="seconds"), "kind": e.kind, "detail": e.detail}
              for e in recent_history(session, [entry], per_entry=SUBJECT_EVENTS)[entry.id]]
    content = {"platform": entry.platform, "account_id": entry.account_id, "nickname": entry.nickname,
               "followers": entry.followers, "priority": entry.priority, "contacts": entry.contacts,
               "state": entry.state, "reason": entry.reason, "events": events}
    key = f"{entry.platform}:{entry.account_id}"
    return CaseSubject("account", key, NewEvidence("social_account", f"watch:{entry.id}", f"关注账号 {key}", content))


def customer_subject(session: Session, lake_dir: Path, customer_id: str) -> CaseSubject:
    """A customer, with their latest complaint warning (score, reasons, versions) as evidence."""
    from grayshield.services.console_queries import customer_view

    view = customer_view(session, lake_dir, customer_id)  # an unknown customer is a NotFoundError
    latest = view.latest.model_dump(mode="json") if view.latest else None
    content = {"customer_id": customer_id, "latest_alert": latest, "alerts": len(view.history),
               "attributes": view.attributes}
    source = f"alert:{view.latest.id}" if view.latest else f"customer:{customer_id}"
    title = f"客户 {customer_id} 投诉预警（{view.latest.as_of}）" if view.latest else f"客户 {customer_id} 资料"
    return CaseSubject("customer", customer_id, NewEvidence("alert", source, title, content))


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


@dataclass(frozen=True)
class StoredPackage:
    """An evidence package on disk under ``<packages root>/<case id>/<package id>``, as its bundle records it."""

    case_id: int
    id: str
    recipient: str | None
    reveal_pii: bool
    generated_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "generated_at": self.generated_at.isoformat(timespec="seconds")}


def case_packages(root: Path, case_id: int) -> list[StoredPackage]:
    """The packages written for one case, newest first."""
    folder = root / str(case_id)
    found = [_stored(case_id, sub) for sub in folder.iterdir() if sub.is_dir()] if folder.is_dir() else []
    return sorted(found, key=lambda p: (p.generated_at, p.id), reverse=True)


def purge_packages(db: Database, actor: str, root: Path, older_than_days: int, *, dry_run: bool = False,
                   now: datetime | None = None) -> list[StoredPackage]:
    """Delete packages generated more than ``older_than_days`` ago: full-PII copies must not pile up on disk.

    Each deletion is written to the audit log (committed first, so no package ever disappears unrecorded); the
    case's ``exported`` event, with the manifest's hash, and every earlier audit entry stay as they are.
    """
    if older_than_days < 1:
        raise ValidationError("保留天数至少为 1 天")
    cutoff = (now or datetime.now(UTC)) - timedelta(days=older_than_days)
    case_ids = sorted(int(d.name) for d in root.iterdir() if d.is_dir() and d.name.isdigit()) if root.is_dir() else []
    expired = [p for case_id in case_ids for p in case_packages(root, case_id) if p.generated_at < cutoff]
    if dry_run or not expired:
        return expired
    from grayshield.store.audit import record

    with db.session() as session:
        for package in expired:
            record(session, actor=actor, action="case.package_purged", subject_type="case",
                   subject_id=str(package.case_id), reason=f"超过保留期（{older_than_days} 天）",
                   detail={k: v for k, v in package.as_dict().items() if k != "case_id"})
    for package in expired:
        shutil.rmtree(root / str(package.case_id) / package.id)
    log.info("purged %s evidence packages older than %s days", len(expired), older_than_days)
    return expired


# ------------------------------------------------------------------------------------------- internals
def _stored(case_id: int, folder: Path) -> StoredPackage:
    """A package as its bundle records it; a folder without a readable bundle (a broken leftover) is dated by
    its modification time, so retention removes it too."""
    try:
        bundle = json.loads((folder / BUNDLE_FILE).read_text(encoding="utf-8"))
        generated = datetime.fromisoformat(bundle["generated_at"])
    except (OSError, ValueError, KeyError, TypeError):
        bundle, generated = {}, datetime.fromtimestamp(folder.stat().st_mtime, UTC)
    return StoredPackage(case_id, folder.name, bundle.get("recipient"), bool(bundle.get("reveal_pii")),
                         generated if generated.tzinfo else generated.replace(tzinfo=UTC))


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
