"""Gang evidence an extract without social tables still has: complaint callback numbers and number pairs."""

from __future__ import annotations

from graph_edges import edge_frame

from grayshield.graph import DiscoveryConfig, GraphConfig, discover
from grayshield.graph.build import finish


def _customer(key: str) -> list[tuple[str, str, str]]:
    """A customer with their own phone (context, never evidence)."""
    return [
        (f"customer:{key}", f"number:+86139{key}", "registered"),
        (f"number:+86139{key}", f"customer:{key}", "answered_for"),
    ]


def _ordinary(count: int) -> list[tuple[str, str, str]]:
    """Background customers, each alone with their own phone, as in any real extract (Leiden's modularity
    needs a world around a gang)."""
    return [row for i in range(count) for row in _customer(f"O{i:03d}")]


def test_callback_numbers_left_on_complaints_tie_a_number_to_customers() -> None:
    rows: list[tuple[str, str, str]] = []
    for i in range(3):
        rows += _customer(f"C{i}") + [
            (f"complaint:{i}", f"customer:C{i}", "filed_for"),
            (f"complaint:{i}", "number:+8617000000001", "callback"),
        ]
    found = discover(finish(edge_frame(rows + _ordinary(30)), GraphConfig()), DiscoveryConfig())
    community = found.communities[int(found.membership["customer:C0"])]
    assert community.evidence["shared_numbers"] == 1
    assert {"customer:C0", "customer:C1", "customer:C2", "number:+8617000000001"} <= set(community.members)


def test_one_number_tied_to_two_customers_is_no_gang_but_several_pairs_are() -> None:
    household = (
        _customer("H0")
        + _customer("H1")
        + [
            ("number:+8617000000009", "customer:H0", "calls_for"),
            ("number:+8617000000009", "customer:H1", "calls_for"),
        ]
    )
    alone = discover(finish(edge_frame(household + _ordinary(30)), GraphConfig()), DiscoveryConfig())
    assert not alone.gangs, "a relative calling for a couple is not a gang"

    ring = (
        _customer("P0")
        + _customer("P1")
        + _customer("P2")
        + [
            ("number:+8617000000011", "customer:P0", "calls_for"),
            ("number:+8617000000011", "customer:P1", "answered_for"),
            ("number:+8617000000012", "customer:P1", "calls_for"),
            ("complaint:P2", "customer:P2", "filed_for"),
            ("complaint:P2", "number:+8617000000012", "callback"),
            ("number:+8617000000013", "customer:P2", "calls_for"),
            ("number:+8617000000013", "customer:P0", "calls_for"),
        ]
    )
    found = discover(finish(edge_frame(household + ring + _ordinary(30)), GraphConfig()), DiscoveryConfig())
    assert len(found.gangs) == 1
    gang = found.gangs[0]
    assert gang.evidence["paired_numbers"] == 3
    assert {"customer:P0", "customer:P1", "customer:P2"} <= set(gang.members)
    assert not any(m.startswith("customer:H") for m in gang.members)


def test_two_pairs_of_the_same_two_customers_are_still_one_household() -> None:
    rows = (
        _customer("H0")
        + _customer("H1")
        + [(f"number:+861700000002{k}", f"customer:H{i}", "calls_for") for k in range(2) for i in range(2)]
    )
    found = discover(finish(edge_frame(rows + _ordinary(30)), GraphConfig()), DiscoveryConfig())
    assert not found.gangs


def _template_complaints(template_numbers: dict[str, str]) -> list[tuple[str, str, str]]:
    """Customers P0.. each with their own phone and one complaint from template T, with the given callback."""
    rows: list[tuple[str, str, str]] = []
    for i, (key, callback) in enumerate(template_numbers.items()):
        rows += _customer(key) + [
            (f"complaint:T{i}", f"customer:{key}", "filed_for"),
            (f"complaint:T{i}", "template:T", "uses_template"),
            (f"complaint:T{i}", callback, "callback"),
        ]
    return rows


def test_a_template_whose_complaints_left_other_peoples_numbers_is_a_gang() -> None:
    written_for_them = _template_complaints({"P0": "number:+8617000000031", "P1": "number:+8617000000032"})
    found = discover(finish(edge_frame(written_for_them + _ordinary(30)), GraphConfig()), DiscoveryConfig())
    assert len(found.gangs) == 1
    gang = found.gangs[0]
    assert gang.evidence["templates_with_outside_callbacks"] == 1
    assert {"customer:P0", "customer:P1"} <= set(gang.members)


def test_a_template_copied_by_customers_who_left_their_own_numbers_is_no_gang() -> None:
    copied = _template_complaints({"P0": "number:+86139P0", "P1": "number:+86139P1"})
    found = discover(finish(edge_frame(copied + _ordinary(30)), GraphConfig()), DiscoveryConfig())
    assert not found.gangs
    community = found.communities[int(found.membership["customer:P0"])]
    assert community.evidence["shared_templates"] == 1
    assert community.evidence["templates_with_outside_callbacks"] == 0


def test_an_enterprise_line_tied_to_two_customers_is_a_gang_where_a_mobile_is_a_household() -> None:
    def two_customers_and(number: str) -> list[tuple[str, str, str]]:
        return (
            _customer("B0")
            + _customer("B1")
            + [(number, "customer:B0", "calls_for"), (number, "customer:B1", "calls_for")]
        )

    agency = discover(
        finish(edge_frame(two_customers_and("number:+864001234567") + _ordinary(30)), GraphConfig()),
        DiscoveryConfig(),
    )
    assert len(agency.gangs) == 1
    assert agency.gangs[0].evidence["business_lines"] == 1
    assert {"customer:B0", "customer:B1", "number:+864001234567"} <= set(agency.gangs[0].members)
    relative = discover(
        finish(edge_frame(two_customers_and("number:+8613700000001") + _ordinary(30)), GraphConfig()),
        DiscoveryConfig(),
    )
    assert not relative.gangs
