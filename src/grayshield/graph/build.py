"""The entity graph: who and what a black/gray gang touches, linked by the evidence that ties them.

Nodes are ``kind:key`` strings (``customer:C0001``, ``number:+8613800000000``, ``account:douyin/abc``,
``handle:wechat:abc``, ``complaint:…``, ``template:…``, ``material:sha256:…``, ``address:…``, ``staff:…``,
``ip:…``). Every edge carries its relation, how many observations back it and when they happened, so a
community found later can say *why* its members belong together.

Only evidence that can tie two parties together is kept: a material hash, template or address seen once links
nothing and is dropped; a node linked to more than ``max_hub_degree`` others (a bank hotline quoted in news
posts, a shared office address) is a hub, not a gang fingerprint, and is dropped too (and reported).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from grayshield.lake.phone import normalise_phone

if TYPE_CHECKING:
    from grayshield.lake import World

EDGE_COLUMNS = ["src", "dst", "relation", "n", "first_time", "last_time"]
PHONE_FIELDS = ("mobile", "home_phone", "work_phone", "emergency_contact_phone")
LINKING_KINDS = ("template", "material", "address", "ip")
"""Kinds that are pure evidence: worth a node only when they link two or more other nodes."""

RELATIONS: dict[str, str] = {
    "calls_for": "号码代客户来电",
    "answered_for": "银行外呼该号码找到客户",
    "registered": "客户注册手机号",
    "changed_contact_to": "客户联系电话被改为该号码",
    "unverified_change_to": "未经核身将客户联系电话改为该号码",
    "filed_for": "以客户名义投诉",
    "callback": "投诉留下的回拨号码",
    "uses_template": "投诉文本出自同一模板",
    "attaches": "投诉附件（伪造材料）元数据相同",
    "lives_at": "客户地址",
    "advertises": "社交账号发布的联系方式",
    "processed_unverified": "员工办理未核身的联系方式变更",
    "logged_in_from": "员工远程登录地址",
}


@dataclass(frozen=True)
class GraphConfig:
    """How much each kind of evidence weighs; banks tune these without touching code."""

    weights: dict[str, float] = field(default_factory=lambda: {
        "calls_for": 2.0, "answered_for": 1.0, "registered": 1.0, "changed_contact_to": 1.5,
        "unverified_change_to": 3.0, "filed_for": 1.0, "callback": 2.0, "uses_template": 2.0, "attaches": 2.0,
        "lives_at": 1.0, "advertises": 2.0, "processed_unverified": 0.5, "logged_in_from": 0.5,
    })
    max_hub_degree: int = 200
    template_threshold: float = 0.8  # genuine complaints about one cause read alike at 0.6


@dataclass
class EntityGraph:
    """Aggregated edges (one row per node pair and relation) and the hubs that were left out.

    ``src`` and ``dst`` are categoricals over one shared node index: a million-customer graph holds each node
    name once, and grouping, degree and Leiden input work on integer codes.
    """

    edges: pd.DataFrame
    hubs: list[str] = field(default_factory=list)

    @property
    def names(self) -> pd.Index:
        if isinstance(self.edges["src"].dtype, pd.CategoricalDtype):
            categories: pd.Index = pd.Index(self.edges["src"].cat.categories.to_numpy())
            return categories
        both = np.concatenate([self.edges["src"].to_numpy(), self.edges["dst"].to_numpy()])
        return pd.Index(pd.unique(pd.Series(both)))

    @property
    def nodes(self) -> pd.Index:
        src, dst = self.codes()
        return self.names[np.unique(np.concatenate([src, dst]))]

    def codes(self) -> tuple[np.ndarray, np.ndarray]:
        """Integer node codes of every edge's ends, into :attr:`names`."""
        if isinstance(self.edges["src"].dtype, pd.CategoricalDtype):
            return self.edges["src"].cat.codes.to_numpy(np.int64), self.edges["dst"].cat.codes.to_numpy(np.int64)
        names = self.names
        return names.get_indexer(pd.Index(self.edges["src"])), names.get_indexer(pd.Index(self.edges["dst"]))

    def subgraph(self, members: set[str]) -> pd.DataFrame:
        """Edges among ``members``, with plain string ends (small enough to group and print freely)."""
        inside = self.edges[self.edges["src"].isin(members) & self.edges["dst"].isin(members)]
        return inside.astype({"src": object, "dst": object, "relation": object})

    def weighted(self, config: GraphConfig) -> pd.DataFrame:
        """One row per unordered node pair (integer codes ``a``, ``b``) with the summed weight Leiden optimises.

        Repeated observations strengthen an edge with diminishing returns (square root), so one chatty
        relative cannot outweigh three independent kinds of evidence.
        """
        frame = self.edges
        base = frame["relation"].astype(object).map(config.weights).fillna(1.0).to_numpy(dtype=np.float64)
        weight = base * np.sqrt(frame["n"].to_numpy(dtype=np.float64))
        src, dst = self.codes()
        pairs = pd.DataFrame({"a": np.minimum(src, dst), "b": np.maximum(src, dst), "weight": weight})
        return pairs.groupby(["a", "b"], as_index=False, sort=False).agg(weight=("weight", "sum"))


def node(kind: str, key: object) -> str:
    return f"{kind}:{key}"


def node_kind(node_id: str) -> str:
    return node_id.split(":", 1)[0]


def node_key(node_id: str) -> str:
    return node_id.split(":", 1)[1]


def build_graph(world: World, config: GraphConfig | None = None) -> EntityGraph:
    """The entity graph of a world's input tables (truth is never read)."""
    config = config or GraphConfig()
    parts = [source(world, config) for source in SOURCES if _has_tables(world, source)]
    edges = pd.concat([p for p in parts if not p.empty] or [_empty()], ignore_index=True)
    return finish(edges, config)


def finish(edges: pd.DataFrame, config: GraphConfig) -> EntityGraph:
    """Aggregate observations into edges, drop self-loops, hubs and evidence nodes that link nothing."""
    edges = edges.dropna(subset=["src", "dst"])
    codes, names = pd.factorize(np.concatenate([edges["src"].to_numpy(dtype=object),
                                                edges["dst"].to_numpy(dtype=object)]))
    half = len(edges)
    frame = pd.DataFrame({"s": codes[:half], "d": codes[half:], "relation": edges["relation"].to_numpy(),
                          "n": edges["n"].to_numpy(), "first_time": edges["first_time"].to_numpy(),
                          "last_time": edges["last_time"].to_numpy()})
    frame = frame[frame["s"] != frame["d"]]
    frame = frame.groupby(["s", "d", "relation"], as_index=False, sort=False).agg(
        n=("n", "sum"), first_time=("first_time", "min"), last_time=("last_time", "max"))
    pair = np.unique(np.minimum(frame["s"], frame["d"]) * len(names) + np.maximum(frame["s"], frame["d"]))
    degree = np.bincount(np.concatenate([pair // len(names), pair % len(names)]), minlength=len(names))
    kinds = pd.Index(names).str.split(":", n=1).str[0].to_numpy()
    is_hub = (kinds != "customer") & (degree > config.max_hub_degree)
    drop = is_hub | (np.isin(kinds, LINKING_KINDS) & (degree < 2))
    frame = frame[~drop[frame["s"].to_numpy()] & ~drop[frame["d"].to_numpy()]]
    categories = pd.Index(names)
    out = pd.DataFrame({
        "src": pd.Categorical.from_codes(frame["s"].to_numpy(), categories=categories),
        "dst": pd.Categorical.from_codes(frame["d"].to_numpy(), categories=categories),
        "relation": frame["relation"].to_numpy(dtype=object), "n": frame["n"].to_numpy(),
        "first_time": frame["first_time"].to_numpy(), "last_time": frame["last_time"].to_numpy()})
    return EntityGraph(out, hubs=sorted(str(h) for h in names[is_hub]))


# ------------------------------------------------------------------------------------------- sources
def _observations(src: Iterable[str], dst: Iterable[str], relation: str | Iterable[str],
                  times: Iterable[object] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame({"src": src, "dst": dst})
    frame["relation"] = relation if isinstance(relation, str) else list(relation)
    frame["n"] = 1
    frame["first_time"] = pd.to_datetime(pd.Series(times, index=frame.index)) if times is not None else pd.NaT
    frame["last_time"] = frame["first_time"]
    return frame.dropna(subset=["src", "dst"])


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in EDGE_COLUMNS}).astype(
        {"n": "int64", "first_time": "datetime64[ns]", "last_time": "datetime64[ns]"})


def _prefixed(kind: str, values: pd.Series) -> pd.Series:
    return (kind + ":" + values.astype("string")).where(values.notna(), None).astype(object)


def _phones(values: pd.Series) -> pd.Series:
    """Canonical mobile / landline numbers; service numbers (95xxx) are shared by everyone and link nobody."""
    distinct = pd.unique(values.dropna())  # a habitual number calls hundreds of times: parse it once
    canonical = {v: normalise_phone(v) for v in distinct if isinstance(v, str)}
    canon = values.map(canonical)
    return canon.where(canon.str.startswith("+", na=False), None)


def calls(world: World, config: GraphConfig) -> pd.DataFrame:
    frame = world.table("calls").select("caller_number", "customer_number", "direction", "claimed_customer_id",
                                        "start_time").to_pandas()
    customer = _prefixed("customer", frame["claimed_customer_id"])
    inbound = frame["direction"] == "inbound"
    return pd.concat([
        _observations(_prefixed("number", _phones(frame["caller_number"]))[inbound], customer[inbound],
                      "calls_for", frame["start_time"][inbound]),
        _observations(_prefixed("number", _phones(frame["customer_number"]))[~inbound], customer[~inbound],
                      "answered_for", frame["start_time"][~inbound]),
    ])


def customers(world: World, config: GraphConfig) -> pd.DataFrame:
    frame = world.table("customers").select("customer_id", "registered_phone", "address",
                                            "onboard_date").to_pandas()
    customer = _prefixed("customer", frame["customer_id"])
    return pd.concat([
        _observations(customer, _prefixed("number", _phones(frame["registered_phone"])), "registered",
                      frame["onboard_date"]),
        _observations(customer, _prefixed("address", frame["address"].map(_address_key)), "lives_at",
                      frame["onboard_date"]),
    ])


def contact_changes(world: World, config: GraphConfig) -> pd.DataFrame:
    frame = world.table("contact_changes").select("customer_id", "change_time", "field", "new_value", "verified",
                                                  "staff_id").to_pandas()
    customer = _prefixed("customer", frame["customer_id"])
    phone = frame["field"].isin(PHONE_FIELDS)
    unverified = ~frame["verified"].fillna(False).astype(bool)
    relation = np.where(unverified, "unverified_change_to", "changed_contact_to")
    address = frame["field"] == "address"
    staffed = unverified & frame["staff_id"].notna()
    return pd.concat([
        _observations(customer[phone], _prefixed("number", _phones(frame["new_value"][phone])), relation[phone],
                      frame["change_time"][phone]),
        _observations(customer[address], _prefixed("address", frame["new_value"][address].map(_address_key)),
                      "lives_at", frame["change_time"][address]),
        _observations(_prefixed("staff", frame["staff_id"][staffed]), customer[staffed], "processed_unverified",
                      frame["change_time"][staffed]),
    ])


def complaints(world: World, config: GraphConfig) -> pd.DataFrame:
    from grayshield.graph.templates import template_clusters

    frame = world.table("complaints").select("complaint_id", "customer_id", "received_time", "text",
                                             "contact_phone").to_pandas()
    complaint = _prefixed("complaint", frame["complaint_id"])
    times = frame["received_time"]
    template = _prefixed("template", template_clusters(frame["text"].fillna(""), config.template_threshold))
    parts = [
        _observations(complaint, _prefixed("customer", frame["customer_id"]), "filed_for", times),
        _observations(complaint, _prefixed("number", _phones(frame["contact_phone"])), "callback", times),
        _observations(complaint, template, "uses_template", times),
    ]
    if world.has_table("complaint_materials"):
        parts.append(_materials(world, frame))
    return pd.concat(parts)


def _materials(world: World, complaints_frame: pd.DataFrame) -> pd.DataFrame:
    materials = world.table("complaint_materials").select("complaint_id", "sha256", "perceptual_hash",
                                                          "author").to_pandas()
    times = complaints_frame.set_index("complaint_id")["received_time"]
    out = []
    for column in ("sha256", "perceptual_hash", "author"):
        rows = materials.dropna(subset=[column])
        out.append(_observations(_prefixed("complaint", rows["complaint_id"]),
                                 _prefixed("material", column + ":" + rows[column].astype(str)), "attaches",
                                 rows["complaint_id"].map(times)))
    return pd.concat(out)


def social(world: World, config: GraphConfig) -> pd.DataFrame:
    """Accounts to the contacts their posts advertise (extracted from the text, evasion spellings included)."""
    from grayshield.text import extract_contacts

    posts = world.table("social_posts").select("platform", "post_id", "account_id", "text",
                                               "posted_time").to_pandas()
    posts = posts.drop_duplicates(["platform", "post_id"])
    rows: list[tuple[str, str, object]] = []
    for platform, account, text, when in zip(posts["platform"], posts["account_id"], posts["text"],
                                             posts["posted_time"], strict=True):
        for contact in extract_contacts(text or ""):
            target = _contact_node(contact.kind, contact.value)
            if target is not None:
                rows.append((node("account", f"{platform}/{account}"), target, when))
    if not rows:
        return _empty()
    src, dst, times = zip(*rows, strict=True)
    return _observations(src, dst, "advertises", times)


def staff_operations(world: World, config: GraphConfig) -> pd.DataFrame:
    frame = world.table("staff_operations").select("staff_id", "op_time", "terminal_ip", "location").to_pandas()
    remote = frame[frame["location"] == "remote"]
    return _observations(_prefixed("staff", remote["staff_id"]), _prefixed("ip", remote["terminal_ip"]),
                         "logged_in_from", remote["op_time"])


def _contact_node(kind: str, value: str) -> str | None:
    if kind == "phone":
        number = normalise_phone(value)
        return node("number", number) if number and number.startswith("+") else None
    if kind in ("wechat", "qq"):
        return node("handle", f"{kind}:{value}")
    return node("handle", f"link:{value.lower()}")


def _address_key(address: object) -> str | None:
    """Addresses compared without spaces and punctuation, so 'X路 1号' and 'X路1号' are one address."""
    if not isinstance(address, str):
        return None
    key = "".join(ch for ch in address if ch.isalnum())
    return key or None


Source = Callable[["World", GraphConfig], pd.DataFrame]
SOURCES: list[Source] = [calls, customers, contact_changes, complaints, social, staff_operations]
_SOURCE_TABLES: dict[Source, tuple[str, ...]] = {
    calls: ("calls",), customers: ("customers",), contact_changes: ("contact_changes",),
    complaints: ("complaints",), social: ("social_posts",), staff_operations: ("staff_operations",),
}


def _has_tables(world: World, source: Source) -> bool:
    return all(world.has_table(t) for t in _SOURCE_TABLES[source])
