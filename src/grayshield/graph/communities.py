"""Gang discovery: Leiden communities on the weighted entity graph, each scored and explained.

Leiden comes from graspologic-native (MIT; igraph/leidenalg are GPL). Most communities are an ordinary
customer with their own phone; a community becomes a *gang* when its members are tied by evidence only a gang
leaves: one number speaking for several customers, complaints from one template, the same forged material,
contacts advertised online that turn up as customers' new numbers. The score adds that evidence up with
diminishing returns, and the same counts become the Chinese summary an analyst reads.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from grayshield.graph.build import EntityGraph, GraphConfig, node_kind
from grayshield.lake.phone import is_business_line

EVALUATED_KINDS = ("customer", "number", "account")

# Evidence a community shows and how strongly each instance points at a gang (score = 1 - exp(-sum)).
EVIDENCE_WEIGHTS: dict[str, float] = {
    "shared_numbers": 0.6,  # a number tied to SHARED_NUMBER_CUSTOMERS or more of the community's customers
    "paired_numbers": 0.7,  # distinct customer pairs each tied by a number (not their own) to exactly two
    "business_lines": 0.7,  # a 400/800 enterprise line tied to two or more customers: no relative calls from one
    "shared_templates": 0.8,  # complaints of two or more customers from one template
    "templates_with_outside_callbacks": 0.8,  # such a template whose complaints left others' numbers (>= 2)
    "shared_materials": 0.8,  # the same attachment metadata under two or more customers' complaints
    "advertised_to_customers": 0.8,  # a contact advertised online that is tied to a customer
    "shared_handles": 0.4,  # a contact advertised by two or more accounts
    "unverified_changes": 0.3,  # customers' contact numbers changed without identity verification
}
EVIDENCE_LABELS: dict[str, str] = {
    "shared_numbers": "同一号码关联多名客户",
    "paired_numbers": "不同号码分别关联两名客户",
    "business_lines": "企业热线（400/800）关联多名客户",
    "shared_templates": "多名客户的投诉出自同一模板",
    "templates_with_outside_callbacks": "同一模板的多名客户投诉均留他人号码",
    "shared_materials": "多名客户的投诉附件元数据相同",
    "advertised_to_customers": "网上广告留的联系方式与客户关联",
    "shared_handles": "多个社交账号留同一联系方式",
    "unverified_changes": "客户联系电话未经核身被修改",
}
SHARED_NUMBER_CUSTOMERS = 3  # a spouse's or parent's phone is often tied to two cardholders of one household
CUSTOMER_LINKS = ("calls_for", "answered_for", "changed_contact_to", "unverified_change_to")


@dataclass(frozen=True)
class DiscoveryConfig:
    """Leiden and scoring parameters; ``gang_score`` is the bar a community must clear to be reported."""

    resolution: float = 1.0
    seed: int = 7
    iterations: int = 2
    gang_score: float = 0.5
    corroborating_only: tuple[str, ...] = ("shared_templates", "paired_numbers", "unverified_changes")
    """Evidence that needs another kind beside it: genuine complainants copy texts off the internet too."""
    standalone: Mapping[str, int] = field(
        default_factory=lambda: {"shared_templates": 2, "paired_numbers": 2}
    )
    """Instances of a corroborating kind that stand on their own: an extract without social tables has
    little else (unverified changes never stand alone: one customer's two changes are no gang)."""
    graph: GraphConfig = field(default_factory=GraphConfig)
    weights: Mapping[str, float] | None = None
    """Evidence weights calibrated on closed gang cases (:func:`fit_evidence_weights`); None: the defaults."""


@dataclass
class Community:
    """One Leiden community with its evidence counts, score and (for gangs) a stable id from the registry."""

    index: int
    members: list[str]
    evidence: dict[str, int]
    score: float
    own_numbers: list[str] = field(
        default_factory=list
    )  # customers' own registered phones: context, not gang
    stable_id: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    def has_primary_evidence(
        self, corroborating_only: tuple[str, ...], standalone: Mapping[str, int] | None = None
    ) -> bool:
        """Any primary evidence, or as many instances of a corroborating kind as ``standalone`` asks for.

        One copied complaint text is what genuine complainants do too, and one number tied to two customers
        is often a couple's relative; several distinct templates, or several different customer pairs each
        sharing a number, are a writing shop or a proxy's client list.
        """
        standalone = standalone or {}
        return any(
            v > 0 if k not in corroborating_only else k in standalone and v >= standalone[k]
            for k, v in self.evidence.items()
        )

    def members_of(self, kind: str) -> list[str]:
        return [m for m in self.members if node_kind(m) == kind]


@dataclass
class Discovery:
    """Everything one run found: node → community, the communities with evidence, and the gangs among them."""

    membership: pd.Series  # node id -> community index
    communities: dict[int, Community]
    quality: float
    config: DiscoveryConfig

    @property
    def gangs(self) -> list[Community]:
        found = [
            c
            for c in self.communities.values()
            if c.score >= self.config.gang_score
            and c.has_primary_evidence(self.config.corroborating_only, self.config.standalone)
        ]
        return sorted(found, key=lambda c: (-c.score, -len(c.members), c.index))

    def gang_of(self) -> dict[str, str]:
        """Node id -> stable gang id, for every member of a reported gang."""
        return {m: g.stable_id or f"C{g.index}" for g in self.gangs for m in g.members}


def leiden(
    pairs: pd.DataFrame, names: pd.Index, config: DiscoveryConfig, starting: Mapping[str, int] | None = None
) -> tuple[float, pd.Series]:
    """Leiden over ``pairs`` (integer codes a, b into ``names``, weight); the native code sees codes as strings."""
    from graspologic_native import leiden as native_leiden

    if pairs.empty:
        return 0.0, pd.Series(dtype="int64")
    # One string object per node, shared by all its edges (fancy indexing an object array copies references):
    # at ten million edges this halves the memory the native call's input takes.
    labels = np.arange(len(names)).astype(str).astype(object)
    edges = list(
        zip(
            labels[pairs["a"].to_numpy()].tolist(),
            labels[pairs["b"].to_numpy()].tolist(),
            pairs["weight"].astype(float).tolist(),
            strict=True,
        )
    )
    del labels
    start = _starting_partition(names, pairs, starting) if starting else None
    quality, partition = native_leiden(
        edges,
        starting_communities=start,
        resolution=config.resolution,
        seed=config.seed,
        iterations=config.iterations,
    )
    del edges
    index = np.fromiter(partition.keys(), dtype=np.int64, count=len(partition))
    community = np.fromiter(partition.values(), dtype=np.int64, count=len(partition))
    return float(quality), pd.Series(community, index=names[index])


def _starting_partition(names: pd.Index, pairs: pd.DataFrame, starting: Mapping[str, int]) -> dict[str, int]:
    """The previous run's communities for nodes seen before; every new node starts alone (incremental runs)."""
    used = np.unique(np.concatenate([pairs["a"].to_numpy(), pairs["b"].to_numpy()]))
    previous = pd.Series(names[used]).map(starting)
    offset = int(previous.max()) + 1 if previous.notna().any() else 0
    fresh = np.arange(len(used)) + offset
    start = np.where(previous.notna(), previous.fillna(0).to_numpy(dtype=np.int64), fresh)
    return {str(code): int(c) for code, c in zip(used.tolist(), start.tolist(), strict=True)}


def discover(
    graph: EntityGraph, config: DiscoveryConfig | None = None, starting: Mapping[str, int] | None = None
) -> Discovery:
    """Communities of ``graph``, each with its evidence and score."""
    config = config or DiscoveryConfig()
    quality, membership = leiden(graph.weighted(config.graph), graph.names, config, starting)
    communities = score_communities(graph, membership, own_numbers(graph.edges), config.weights)
    return Discovery(membership, communities, quality, config)


def own_numbers(edges: pd.DataFrame) -> set[str]:
    """Numbers customers registered at onboarding: a recruited customer's own phone is a victim's, not a gang's."""
    return set(edges.loc[edges["relation"] == "registered", "dst"].astype(object))


def score_communities(
    graph: EntityGraph,
    membership: pd.Series,
    own: set[str] | None = None,
    weights: Mapping[str, float] | None = None,
) -> dict[int, Community]:
    """Evidence counts per community (only edges inside it count) and the score they add up to.

    Only communities with some evidence are materialised: at a million customers almost every community is
    one customer and their phone, and building an object for each would cost more than Leiden itself.
    """
    own = own or set()
    weights = {**EVIDENCE_WEIGHTS, **(weights or {})}
    by_code = membership.reindex(graph.names).fillna(-1).to_numpy(dtype=np.int64)
    src, dst = graph.codes()
    same = by_code[src] == by_code[dst]
    edges = graph.edges
    inner = pd.DataFrame(
        {
            "src": src[same],
            "dst": dst[same],
            "relation": edges["relation"].to_numpy()[same],
            "community": by_code[src][same],
        }
    )
    evidence = _evidence(inner, graph.names, own, _outside_callback_complaints(graph, own))
    candidates = sorted(set().union(*(set(series.index[series > 0]) for series in evidence.values())))
    chosen = membership[membership.isin(candidates)]
    members = chosen.groupby(chosen.to_numpy()).groups
    out: dict[int, Community] = {}
    for key, names in members.items():
        index = int(str(key))
        counts = {k: int(evidence[k].get(index, 0)) for k in EVIDENCE_WEIGHTS}
        out[index] = Community(
            index,
            sorted(n for n in names if n not in own),
            counts,
            evidence_score(counts, weights),
            sorted(n for n in names if n in own),
        )
    return out


def evidence_score(counts: Mapping[str, int], weights: Mapping[str, float] | None = None) -> float:
    """``1 - exp(-sum w_k log1p(n_k))``: each instance of evidence is one more independent chance that the
    community is a gang (a noisy-OR), with diminishing returns for many instances of one kind."""
    weights = weights or EVIDENCE_WEIGHTS
    total = sum(weights.get(k, 0.0) * math.log1p(v) for k, v in counts.items())
    return round(1.0 - math.exp(-total), 4)


def fit_evidence_weights(
    evidence: pd.DataFrame, labels: np.ndarray, prior: Mapping[str, float] | None = None, pull: float = 1.0
) -> dict[str, float]:
    """Weights calibrated on decided communities (1 = confirmed gang, 0 = cleared) for :func:`evidence_score`.

    Maximum likelihood of the same noisy-OR the score is, with weights kept non-negative (evidence never
    exonerates) and pulled towards ``prior`` (the hand-set weights) by ``pull``: a strike team closes tens of
    gang cases, not thousands, and a kind of evidence no decided case showed keeps its prior weight.
    """
    from scipy.optimize import minimize

    prior = dict(prior or EVIDENCE_WEIGHTS)
    kinds = list(EVIDENCE_WEIGHTS)
    x = np.log1p(evidence.reindex(columns=kinds).fillna(0).to_numpy(dtype=np.float64))
    y = np.asarray(labels, dtype=np.float64)
    w0 = np.array([prior[k] for k in kinds])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        eta = np.maximum(x @ w, 1e-9)
        survive = np.exp(-eta)
        nll = -np.sum(y * np.log1p(-survive) - (1 - y) * eta)
        grad = -(x * (y * survive / (1 - survive) - (1 - y))[:, None]).sum(axis=0)
        return float(nll + pull * np.sum((w - w0) ** 2)), grad + 2 * pull * (w - w0)

    fitted = minimize(loss, w0, jac=True, method="L-BFGS-B", bounds=[(0.0, None)] * len(kinds))
    return {k: round(float(v), 4) for k, v in zip(kinds, fitted.x, strict=True)}


def _outside_callback_complaints(graph: EntityGraph, own: set[str]) -> np.ndarray:
    """Codes of complaints whose callback number is no customer's registered phone: a complaint written for the
    customer by someone else (an agency, a "lawyer") leaves that party's number. Read from every edge, not only
    those inside a community: the number may have landed in another community than the complaint."""
    src, dst = graph.codes()
    callback = (graph.edges["relation"] == "callback").to_numpy()
    own_codes = graph.names.get_indexer(pd.Index(sorted(own)))
    outside: np.ndarray = np.unique(src[callback & ~np.isin(dst, own_codes)])
    return outside


def _evidence(
    inner: pd.DataFrame, names: pd.Index, own: set[str], outside_callbacks: np.ndarray
) -> dict[str, pd.Series]:
    """Per evidence kind, how many instances each community holds (nodes are integer codes into ``names``)."""
    filed = inner[inner["relation"] == "filed_for"][["src", "dst"]].rename(
        columns={"src": "complaint", "dst": "customer"}
    )
    number_customers = _number_customers(inner, filed, names)
    per_number = number_customers.groupby(["community", "number"]).size()
    own_codes = names.get_indexer(pd.Index(sorted(own)))
    paired = number_customers[
        number_customers.set_index(["community", "number"]).index.isin(per_number.index[per_number == 2])
        & ~number_customers["number"].isin(own_codes)
    ]
    pairs = paired.sort_values("customer").groupby(["community", "number"])["customer"].agg(tuple)
    distinct_pairs = (
        pairs.reset_index().drop_duplicates(["community", "customer"]).groupby("community").size()
    )

    def shared_by_customers(relation: str) -> pd.Series:
        return (per_key(relation)["customers"] >= 2).groupby(level=0).sum()

    def per_key(relation: str) -> pd.DataFrame:
        """Per (community, key): its customers, and how many of their complaints left an outside number."""
        links = inner[inner["relation"] == relation][["src", "dst", "community"]]
        joined = links.merge(filed, left_on="src", right_on="complaint")
        joined["outside"] = joined["complaint"].isin(outside_callbacks)
        return joined.groupby(["community", "dst"]).agg(
            customers=("customer", "nunique"), outside=("outside", "sum")
        )

    templates = per_key("uses_template")

    ads = inner[inner["relation"] == "advertises"]
    per_contact = ads.groupby(["community", "dst"])["src"].nunique()
    linked_numbers = set(number_customers["number"])
    advertised = ads[ads["dst"].isin(linked_numbers)].groupby("community")["dst"].nunique()
    unverified = inner[inner["relation"] == "unverified_change_to"].groupby("community").size()
    several = per_number[per_number >= 2]
    shared_lines = several[_business_lines(names, several.index.get_level_values(1))]
    return {
        "shared_numbers": (per_number >= SHARED_NUMBER_CUSTOMERS).groupby(level=0).sum(),
        "business_lines": shared_lines.groupby(level=0).size(),
        "paired_numbers": distinct_pairs,
        "shared_templates": (templates["customers"] >= 2).groupby(level=0).sum(),
        "templates_with_outside_callbacks": ((templates["customers"] >= 2) & (templates["outside"] >= 2))
        .groupby(level=0)
        .sum(),
        "shared_materials": shared_by_customers("attaches"),
        "advertised_to_customers": advertised,
        "shared_handles": (per_contact >= 2).groupby(level=0).sum(),
        "unverified_changes": unverified,
    }


def _business_lines(names: pd.Index, codes: pd.Index) -> np.ndarray:
    """Which number codes are 400/800 enterprise lines (``lake.phone.is_business_line``, the caller engine's
    typing too): a company's line tied to several cardholders is an agency working them."""
    keys = [name.removeprefix("number:") for name in names[codes.to_numpy(dtype=np.int64)]]
    return np.array([is_business_line(key) for key in keys], dtype=bool)


def _number_customers(inner: pd.DataFrame, filed: pd.DataFrame, names: pd.Index) -> pd.DataFrame:
    """Distinct (community, number, customer) ties: calls, dialled numbers, contact changes, and the callback
    number a complaint filed for the customer left (a proxy who files for several customers leaves their own)."""
    to_customer = inner[inner["relation"].isin(CUSTOMER_LINKS)]
    number_first = names[to_customer["src"].to_numpy()].str.startswith("number:")
    direct = pd.DataFrame(
        {
            "number": np.where(number_first, to_customer["src"], to_customer["dst"]),
            "customer": np.where(number_first, to_customer["dst"], to_customer["src"]),
            "community": to_customer["community"].to_numpy(),
        }
    )
    callbacks = inner[inner["relation"] == "callback"][["src", "dst", "community"]].merge(
        filed, left_on="src", right_on="complaint"
    )
    via_complaints = pd.DataFrame(
        {
            "number": callbacks["dst"].to_numpy(),
            "customer": callbacks["customer"].to_numpy(),
            "community": callbacks["community"].to_numpy(),
        }
    )
    return pd.concat([direct, via_complaints], ignore_index=True).drop_duplicates()
