"""The simulated world honours the data contract: schemas, allowed values, keys, references, layout."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from grayshield.contract import TABLES, TRUTH_TABLES
from grayshield.contract.arrow import arrow_schema
from grayshield.contract.model import Table
from grayshield.lake import open_world
from grayshield.sim import GENERATOR

ALL = [(name, t, False) for name, t in TABLES.items()] + [(name, t, True) for name, t in TRUTH_TABLES.items()]


def _folder(world: Path, name: str, truth: bool) -> Path:
    return world / "truth" / name if truth else world / name


def _scan(world: Path, name: str, truth: bool) -> str:
    return f"read_parquet('{_folder(world, name, truth)}/*.parquet')"


@pytest.mark.parametrize(("name", "table", "truth"), ALL, ids=[f"{'truth/' if t else ''}{n}" for n, _, t in ALL])
def test_every_table_has_the_contract_schema_and_values(default_world: Path, name: str, table: Table,
                                                        truth: bool) -> None:
    parts = sorted(_folder(default_world, name, truth).glob("part-*.parquet"))
    assert parts, f"{name} missing"
    for part in parts:
        assert pq.read_schema(part).remove_metadata().equals(arrow_schema(table)), part
    con = duckdb.connect()
    source = _scan(default_world, name, truth)
    for column in table.columns:
        if column.allowed:
            bad = con.execute(f"SELECT DISTINCT \"{column.name}\" FROM {source} WHERE \"{column.name}\" IS NOT NULL "
                              f"AND \"{column.name}\" NOT IN ({', '.join(repr(a) for a in column.allowed)})").fetchall()
            assert not bad, f"{name}.{column.name} has values outside the contract: {bad[:5]}"
        if column.min_value is not None:
            low = con.execute(f"SELECT min(\"{column.name}\") FROM {source}").fetchone()
            assert low is None or low[0] is None or low[0] >= column.min_value, f"{name}.{column.name}"
        if column.max_value is not None:
            high = con.execute(f"SELECT max(\"{column.name}\") FROM {source}").fetchone()
            assert high is None or high[0] is None or high[0] <= column.max_value, f"{name}.{column.name}"
    key = ", ".join(table.primary_key)
    dupes = con.execute(f"SELECT {key}, count(*) FROM {source} GROUP BY ALL HAVING count(*) > 1 LIMIT 3").fetchall()
    assert not dupes, f"{name}: duplicate keys {dupes}"


@pytest.mark.parametrize("name", [n for n, t in TABLES.items() if t.foreign_keys])
def test_foreign_keys_hold(default_world: Path, name: str) -> None:
    con = duckdb.connect()
    for column, target in TABLES[name].foreign_keys.items():
        other, other_column = target.split(".")
        orphans = con.execute(
            f"SELECT count(*) FROM {_scan(default_world, name, False)} WHERE {column} IS NOT NULL AND {column} "
            f"NOT IN (SELECT {other_column} FROM {_scan(default_world, other, False)})").fetchone()
        assert orphans == (0,), f"{name}.{column} -> {target}"


def test_references_outside_the_contract_hold(default_world: Path) -> None:
    """Ids the contract leaves unconstrained still point at real rows (staff, calls, complaints, customers)."""
    con = duckdb.connect()
    w = default_world

    def orphans(sql: str) -> int:
        row = con.execute(sql).fetchone()
        return row[0] if row else -1

    staff = f"(SELECT staff_id FROM {_scan(w, 'staff', False)})"
    assert orphans(f"SELECT count(*) FROM {_scan(w, 'calls', False)} WHERE agent_id NOT IN {staff}") == 0
    assert orphans(f"SELECT count(*) FROM {_scan(w, 'complaint_events', False)} WHERE staff_id NOT IN {staff}") == 0
    assert orphans(f"SELECT count(*) FROM {_scan(w, 'collection_actions', False)} WHERE call_id NOT IN "
                   f"(SELECT call_id FROM {_scan(w, 'calls', False)})") == 0
    assert orphans(f"SELECT count(*) FROM {_scan(w, 'staff_operations', False)} WHERE complaint_id NOT IN "
                   f"(SELECT complaint_id FROM {_scan(w, 'complaints', False)})") == 0
    assert orphans(f"SELECT count(*) FROM {_scan(w, 'calls', False)} WHERE claimed_customer_id NOT IN "
                   f"(SELECT customer_id FROM {_scan(w, 'customers', False)})") == 0
    for name in TRUTH_TABLES:
        table = TRUTH_TABLES[name]
        if name in TABLES and set(table.primary_key) <= set(TABLES[name].column_names):
            key = ", ".join(table.primary_key)
            missing = orphans(f"SELECT count(*) FROM (SELECT DISTINCT {key} FROM {_scan(w, name, False)} EXCEPT "
                              f"SELECT {key} FROM {_scan(w, name, True)})")
            assert missing == 0, f"rows of {name} without truth"


def test_manifest_and_report(default_world: Path) -> None:
    meta = json.loads((default_world / "world.json").read_text(encoding="utf-8"))
    assert meta["generator"] == GENERATOR
    assert (meta["seed"], meta["profile"], meta["customers"], meta["months"]) == (11, "default", 1000, 6)
    assert meta["row_counts"]["customers"] == 1000
    assert set(meta["params"]) >= {"gang_count", "recruitment_rate", "evasion_rate", "drift", "text_noise"}
    report = json.loads((default_world / "report.json").read_text(encoding="utf-8"))
    assert report["distinct_templates"]["complaint:gang_template"] >= 1
    assert {"precision", "recall", "f1"} <= set(report["keyword_baseline"])
    assert "关键词基线" in (default_world / "report.md").read_text(encoding="utf-8")


def test_the_lake_reads_the_world(default_world: Path) -> None:
    world = open_world(default_world)
    assert world.identity()["generator"] == GENERATOR
    assert world.table("customers").count().execute() == 1000
    assert world.truth("gangs").count().execute() == world.meta["params"]["gang_count"]
