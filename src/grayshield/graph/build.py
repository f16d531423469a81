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

import tempfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

if TYPE_CHECKING:
    import ibis
    import ibis.expr.types as ir

    from grayshield.lake import World

EDGE_COLUMNS = ["src", "dst", "relation", "n", "first_time", "last_time"]
PHONE_FIELDS = ("mobile", "home_phone", "work_phone", "emergency_contact_phone")
LOCAL_MEMORY_LIMIT = "1GB"  # DuckDB's working memory for a graph built from frames; beyond it, it spills
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
    """The entity graph of a world's input tables (truth is never read), built on the world's engine."""
    from grayshield.graph.observations import world_observations

    config = config or GraphConfig()
    observations = world_observations(world, config)
    return finish(observations, config) if observations is not None else finish(_empty(), config)


def finish(observations: pd.DataFrame | pa.Table | ir.Table, config: GraphConfig,
           connection: ibis.BaseBackend | None = None) -> EntityGraph:
    """Aggregate observations into edges, drop self-loops, hubs and evidence nodes that link nothing.

    The aggregation runs on the engine that holds the observations (Spark for a Spark-read world; for a frame
    or Arrow table, ``connection`` or else a DuckDB of its own, closed afterwards so its working memory is
    returned before Leiden needs it). Only the aggregated edges come back, as integer codes into node names
    sorted by name, so the result and its order are the same on every engine and the raw observations never
    become Python objects.
    """
    if isinstance(observations, (pd.DataFrame, pa.Table)):
        import ibis

        own = connection is None
        local = connection if connection is not None else ibis.duckdb.connect(
            memory_limit=LOCAL_MEMORY_LIMIT, temp_directory=tempfile.gettempdir())
        try:
            return _finish(local.create_table(f"graph_observations_{id(observations)}", _as_arrow(observations),
                                              temp=True, overwrite=True), config)
        finally:
            if own:
                local.disconnect()
    return _finish(observation_columns(observations), config)


def _finish(table: ir.Table, config: GraphConfig) -> EntityGraph:
    import ibis
    import pyarrow.compute as pc

    from grayshield.lake.engines import cached

    table = table.filter(table.src.notnull() & table.dst.notnull() & (table.src != table.dst))
    aggregated = table.group_by(["src", "dst", "relation"]).aggregate(
        n=table.n.sum(), first_time=table.first_time.min(), last_time=table.last_time.max())
    with cached(aggregated) as edges, cached(_dropped_nodes(edges, config)) as dropped:
        hubs = dropped.filter(dropped.hub).node.to_pyarrow().to_pylist()
        other = dropped.view()
        kept = edges.anti_join(dropped, edges.src == dropped.node)
        kept = kept.anti_join(other, kept.dst == other.node)
        ends = kept.select(node=kept.src).union(kept.select(node=kept.dst), distinct=True)
        with cached(ends.select("node", code=ibis.row_number().over(order_by=ends.node))) as names:
            # names hold exactly the ends of kept edges, so joining both ends to them keeps just those edges
            coded = _coded(edges, names).order_by(["s", "d", "relation"]).to_pyarrow()
            categories = pd.Index(names.order_by("code").node.to_pyarrow().to_numpy(zero_copy_only=False))
    relation = pc.dictionary_encode(coded["relation"].combine_chunks())
    relation_names = np.asarray(relation.dictionary.to_pylist(), dtype=object)
    out = pd.DataFrame({
        "src": pd.Categorical.from_codes(coded["s"].to_numpy(), categories=categories),
        "dst": pd.Categorical.from_codes(coded["d"].to_numpy(), categories=categories),
        "relation": relation_names[relation.indices.to_numpy(zero_copy_only=False)] if len(coded)
        else np.empty(0, dtype=object),
        "n": coded["n"].to_numpy().astype(np.int64),
        "first_time": _times(coded["first_time"]), "last_time": _times(coded["last_time"])})
    return EntityGraph(out, hubs=sorted(str(h) for h in hubs))


def _dropped_nodes(edges: ir.Table, config: GraphConfig) -> ir.Table:
    """Nodes to leave out: hubs (too many distinct neighbours to be a gang's) and evidence linking < 2 nodes."""
    import ibis

    pairs = edges.select(a=ibis.least(edges.src, edges.dst), b=ibis.greatest(edges.src, edges.dst)).distinct()
    ends = pairs.select(node=pairs.a).union(pairs.select(node=pairs.b), distinct=False)
    degree = ends.group_by("node").aggregate(degree=ends.count())
    kind = degree.node.re_extract(r"^([^:]*)", 1)
    hub = (kind != "customer") & (degree.degree > config.max_hub_degree)
    weak = kind.isin(LINKING_KINDS) & (degree.degree < 2)
    return degree.filter(hub | weak).select("node", hub=hub)


def _coded(kept: ir.Table, names: ir.Table) -> ir.Table:
    """Edges with both ends replaced by their integer code."""
    src_names, dst_names = names.view(), names.view()
    with_src = kept.join(src_names, kept.src == src_names.node).select(
        s=src_names.code, dst=kept.dst, relation=kept.relation, n=kept.n, first_time=kept.first_time,
        last_time=kept.last_time)
    return with_src.join(dst_names, with_src.dst == dst_names.node).select(
        "s", d=dst_names.code, relation=with_src.relation, n=with_src.n, first_time=with_src.first_time,
        last_time=with_src.last_time)


def _times(column: pa.ChunkedArray) -> np.ndarray:
    times: np.ndarray = column.to_pandas().to_numpy()
    return times


OBSERVATION_SCHEMA = {"src": "string", "dst": "string", "relation": "string", "n": "int64",
                      "first_time": "timestamp", "last_time": "timestamp"}


def observation_columns(table: ir.Table) -> ir.Table:
    """``table`` cast to the observation schema (sources and callers may hand in looser types)."""
    return table.select(**{name: table[name].cast(kind) for name, kind in OBSERVATION_SCHEMA.items()})


def _as_arrow(observations: pd.DataFrame | pa.Table) -> pa.Table:
    if isinstance(observations, pd.DataFrame):
        frame = observations[EDGE_COLUMNS]
        observations = pa.Table.from_pandas(frame.assign(
            first_time=pd.to_datetime(frame["first_time"]), last_time=pd.to_datetime(frame["last_time"])),
            schema=_ARROW_SCHEMA, preserve_index=False)
    return observations.select(EDGE_COLUMNS).cast(_ARROW_SCHEMA)


_ARROW_SCHEMA = pa.schema([("src", pa.string()), ("dst", pa.string()), ("relation", pa.string()),
                           ("n", pa.int64()), ("first_time", pa.timestamp("us")), ("last_time", pa.timestamp("us"))])


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in EDGE_COLUMNS}).astype(
        {"n": "int64", "first_time": "datetime64[ns]", "last_time": "datetime64[ns]"})
