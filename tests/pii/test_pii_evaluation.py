"""The labelled corpus and the evaluator: deterministic, seeded by the world, and scored honestly."""

from __future__ import annotations

import json
from pathlib import Path

from grayshield.pii.corpus import LabelledDoc, generate_corpus, tricky_cases
from grayshield.pii.entities import Hit
from grayshield.pii.evaluation import (
    HELD_OUT_VERSIONS,
    corpus_seed,
    evaluate_world,
    match,
    score,
    targets_met,
)


def world(tmp_path: Path, name: str, seed: int) -> Path:
    path = tmp_path / name
    path.mkdir()
    (path / "world.json").write_text(json.dumps({"seed": seed}), encoding="utf-8")
    return path


def test_corpus_is_deterministic_and_labels_point_at_values() -> None:
    first, again = generate_corpus(3, 50), generate_corpus(3, 50)
    assert first == again and first != generate_corpus(4, 50)
    for doc in first:
        assert all(0 <= s < e <= len(doc.text) for s, e, _ in doc.spans)


def test_tricky_cases_parse() -> None:
    cases = tricky_cases()
    assert len(cases) >= 30 and any(not c.spans for c in cases)


def test_world_seed_changes_the_corpus(tmp_path: Path) -> None:
    assert corpus_seed(world(tmp_path, "a", 1)) != corpus_seed(world(tmp_path, "b", 2))


def test_matching_counts_type_and_overlap() -> None:
    gold = [(0, 4, "PHONE"), (10, 12, "PERSON_NAME")]
    predicted = [
        Hit("PHONE", 0, 4, "x", 1, "t"),
        Hit("ADDRESS", 10, 12, "x", 1, "t"),
        Hit("EMAIL", 20, 25, "x", 1, "t"),
    ]
    hits, false_pos, missed = match(gold, predicted)
    assert hits == [(0, 4, "PHONE")] and missed == [(10, 12, "PERSON_NAME")] and len(false_pos) == 2


def test_score_on_a_small_corpus_meets_the_targets() -> None:
    report = score(generate_corpus(11, 300) + tricky_cases())
    per_entity = report["per_entity"]
    assert per_entity["PHONE"]["recall"] >= 0.995 and per_entity["ID_CARD"]["recall"] >= 0.995
    assert per_entity["PERSON_NAME"]["recall"] >= 0.9 and report["overall"]["precision"] >= 0.95


def test_evaluate_world_reports_per_entity_and_writes_errors(tmp_path: Path) -> None:
    test_world = world(tmp_path, "test", 5)
    result = evaluate_world(world(tmp_path, "train", 4), test_world, tmp_path / "out")
    assert result["corpus"]["documents"] > 3000 and result["corpus"]["train_world_used"] is False
    assert set(result["per_entity"]) >= {"ID_CARD", "BANK_CARD", "PHONE", "PERSON_NAME", "ADDRESS"}
    assert all(result["targets_met"].values()), result["targets_met"]
    assert json.loads((tmp_path / "out" / "pii_errors.json").read_text(encoding="utf-8")) is not None
    held_out = result["held_out"]
    assert set(held_out) == set(HELD_OUT_VERSIONS)  # no customers in this world: no dictionary figures
    assert set(held_out["v3"]["PERSON_NAME"]) == {"precision", "recall", "support"}
    assert "ADDRESS" in held_out["v3"] and "targets_met" in held_out["v3"]
    json.dumps(result)


def test_held_out_sets_with_customer_names() -> None:
    from grayshield.pii.evaluation import held_out_report

    customers = ["蒲松龄", "上官婉儿", "司马相如", "卓文君", "李清照", "辛弃疾"] * 5
    report = held_out_report(seed=3, names=customers, n_docs=200)
    latest = HELD_OUT_VERSIONS[-1]
    without = report[f"{latest}_customers"]["PERSON_NAME"]
    with_names = report[f"{latest}_customers_dict"]["PERSON_NAME"]
    assert with_names["recall"] >= without["recall"] and with_names["support"] == without["support"]


def test_world_customers_are_written_into_the_corpus(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from grayshield.pii.evaluation import world_values

    test_world = world(tmp_path, "w", 9)
    (test_world / "customers").mkdir()
    customers = pa.table(
        {
            "customer_id": ["C1", "C2"],
            "name": ["蒲松龄", "上官婉儿"],
            "registered_phone": ["13912345678", None],
        }
    )
    pq.write_table(customers, test_world / "customers" / "part-0.parquet")
    names, phones = world_values(test_world)
    assert names == ["蒲松龄", "上官婉儿"] and phones == ["13912345678"]
    texts = " ".join(d.text for d in generate_corpus(1, 200, names=names, phones=phones))
    assert "蒲松龄" in texts and "13912345678" in texts


def test_held_out_targets_judge_only_the_entities_a_set_holds() -> None:
    names_only = score([LabelledDoc("客户张伟来电。", ((2, 4, "PERSON_NAME"),))])
    assert "recall_ID_CARD>=0.995" in targets_met(names_only)  # the main corpus must hold every entity
    assert not targets_met(names_only)["recall_ID_CARD>=0.995"]
    measured = targets_met(names_only, measured_only=True)
    assert set(measured) == {"recall_PERSON_NAME>=0.9", "precision_overall>=0.95"} and all(measured.values())
