"""Gang discovery on hand-made graphs (fast, exact) and on a simulated hard world (the real pipeline)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from graph_edges import edge_frame

from grayshield.graph import DiscoveryConfig, GraphConfig, discover
from grayshield.graph.build import EntityGraph, finish
from grayshield.graph.evaluation import evaluate_world
from grayshield.graph.identity import GangState, assign_ids
from grayshield.graph.summary import community_facts, summary_zh


def _gang(prefix: str, customers: int) -> list[tuple[str, str, str]]:
    """A gang: two numbers calling for every customer, an account advertising both, a shared template."""
    rows = []
    for i in range(customers):
        customer = f"customer:{prefix}{i}"
        rows += [(f"number:+8617012345{prefix}01", customer, "calls_for"),
                 (f"number:+8617012345{prefix}02", customer, "unverified_change_to"),
                 (customer, f"number:+86139{prefix}{i:07d}", "registered"),
                 (f"complaint:{prefix}{i}", customer, "filed_for"),
                 (f"complaint:{prefix}{i}", f"template:{prefix}", "uses_template")]
    rows += [(f"account:douyin/{prefix}a", f"number:+8617012345{prefix}01", "advertises"),
             (f"account:douyin/{prefix}b", f"number:+8617012345{prefix}01", "advertises"),
             (f"account:douyin/{prefix}b", f"handle:wechat:{prefix}_vx", "advertises"),
             (f"account:douyin/{prefix}a", f"handle:wechat:{prefix}_vx", "advertises")]
    return rows


def _ordinary(count: int) -> list[tuple[str, str, str]]:
    rows = []
    for i in range(count):
        rows += [(f"customer:O{i}", f"number:+86138{i:08d}", "registered"),
                 (f"number:+86138{i:08d}", f"customer:O{i}", "calls_for")]
    return rows


def test_two_gangs_are_found_apart_and_ordinary_customers_are_not_gangs() -> None:
    graph = finish(edge_frame(_gang("1", 6) + _gang("2", 4) + _ordinary(30)), GraphConfig())
    found = discover(graph, DiscoveryConfig())
    assert len(found.gangs) == 2
    membership = found.gang_of()
    assert membership["customer:10"] == membership["account:douyin/1b"] != membership["customer:20"]
    assert not any(k.startswith("customer:O") for k in membership)
    assert "number:+8613910000000" not in membership, "a victim's own phone is not a gang number"
    assert all(g.evidence["shared_numbers"] >= 1 and g.evidence["advertised_to_customers"] >= 1 for g in found.gangs)


def test_template_alone_is_not_a_gang() -> None:
    rows = []
    for i in range(6):
        rows += [(f"complaint:{i}", f"customer:G{i}", "filed_for"), (f"complaint:{i}", "template:T", "uses_template")]
    found = discover(finish(edge_frame(rows), GraphConfig()), DiscoveryConfig())
    assert found.communities and not found.gangs


def test_hubs_and_evidence_that_links_nothing_are_dropped() -> None:
    rows = [(f"account:weibo/news{i}", "number:+861085550000", "advertises") for i in range(30)]
    rows += [("complaint:1", "customer:A", "filed_for"), ("complaint:1", "material:sha256:x", "attaches")]
    graph = finish(edge_frame(rows), GraphConfig(max_hub_degree=20))
    assert graph.hubs == ["number:+861085550000"]
    assert "material:sha256:x" not in set(graph.nodes)


def test_ids_are_stable_between_runs_and_new_gangs_get_new_ids(tmp_path: Path) -> None:
    first = discover(finish(edge_frame(_gang("1", 6) + _gang("2", 4) + _ordinary(30)), GraphConfig()),
                     DiscoveryConfig())
    state = GangState()
    assign_ids(first, state)
    state.save(tmp_path)
    ids = {g.stable_id: set(g.members) for g in first.gangs}

    grown = _gang("1", 8) + _gang("2", 4) + _gang("3", 5) + _ordinary(40)
    reloaded = GangState.load(tmp_path)
    second = discover(finish(edge_frame(grown), GraphConfig()), DiscoveryConfig(), starting=reloaded.partition)
    status = assign_ids(second, reloaded)
    assert sorted(status.values()) == ["continued", "continued", "new"]
    for gang in second.gangs:
        if status[gang.stable_id or ""] == "continued":
            assert ids[gang.stable_id] <= set(gang.members)
    assert reloaded.next_number == 4


def test_summary_is_chinese_and_masks_numbers_unless_asked() -> None:
    graph = finish(edge_frame(_gang("1", 6) + _ordinary(30)), GraphConfig())
    gang = discover(graph, DiscoveryConfig()).gangs[0]
    regions = pd.Series({f"1{i}": "湖北省" for i in range(6)})
    facts = community_facts(gang, graph, regions)
    assert facts["counts"]["customer"] == 6 and facts["regions"] == {"湖北省": 6}
    masked, plain = summary_zh("GS-0001", facts), summary_zh("GS-0001", facts, mask=False)
    assert "同一号码关联多名客户" in masked and "湖北省 6 人" in masked and "2024-03-01 至 2024-06-30" in masked
    assert "+8617012345101" in plain and "+8617012345101" not in masked


def test_bad_state_file_is_a_clear_error(tmp_path: Path) -> None:
    from grayshield.core.errors import ValidationError

    (tmp_path / "gangs.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValidationError, match="团伙状态文件"):
        GangState.load(tmp_path)


def test_hard_world_recovers_gangs(simulated_world: Callable[..., Path], tmp_path: Path) -> None:
    test_world = simulated_world("hard", 2_000, 6, seed=21)
    report = evaluate_world(test_world, test_world, tmp_path)
    test = report["test"]
    assert test["ari"] >= 0.85, test
    assert test["template_grouping"] >= 0.95
    assert test["large_gangs_found_share"] == 1.0
    assert (tmp_path / "gangs_eval.json").exists()


def test_empty_graph_finds_nothing() -> None:
    found = discover(EntityGraph(edge_frame([]).iloc[0:0]), DiscoveryConfig())
    assert found.gangs == [] and found.communities == {}


def test_template_grouping_sees_through_filled_in_names_and_amounts() -> None:
    from grayshield.graph.templates import template_clusters

    body = "本人因失业及家人患病暂时无力还款，贵行催收人员多次骚扰家属，现委托代理人申请停息挂账分期还款，望贵行予以支持"
    filled = [f"委托人{name}，欠款{amount}元。{body}" for name, amount in (("张伟", 9047), ("李娜", 3358), ("王强", 120))]
    others = ["今天去网点办理了信用卡分期，工作人员态度很好", "账单日和还款日怎么修改，请告诉我", "", "12345 abc"]
    clusters = template_clusters(pd.Series(filled + others))
    assert clusters[0] is not None and clusters[0] == clusters[1] == clusters[2]
    assert clusters[3:].isna().all()
    assert template_clusters(pd.Series([], dtype=object)).empty


def test_edges_and_node_index_do_not_depend_on_observation_order() -> None:
    """The engine aggregates in any order it likes: edges come back sorted, over names sorted by name, so
    Leiden sees the same input whichever engine or row order produced it."""
    rows = edge_frame(_gang("1", 6) + _gang("2", 4) + _ordinary(30))
    graphs = [finish(frame, GraphConfig()) for frame in (rows, rows.sample(frac=1.0, random_state=3))]
    assert list(graphs[0].names) == sorted(graphs[0].names)
    assert list(graphs[0].names) == list(graphs[1].names)
    pd.testing.assert_frame_equal(graphs[0].edges, graphs[1].edges)
    doubled = finish(pd.concat([rows, rows]), GraphConfig())
    assert (doubled.edges["n"] == 2 * graphs[0].edges["n"]).all()
