"""``grayshield eval compliance`` / ``grayshield train compliance``: transcript QA and process alerts on held-out worlds.

Targets (issue 11), on a world with a new seed and the hard profile: breach-utterance F1 >= 0.90 for every
breach type with >= 50 examples; process-anomaly alerts precision >= 0.90 at recall >= 0.85. The breach
classifier and the normal complaint process are learnt on the training world; rules and thresholds are
the packaged defaults, so what is measured is what a bank would run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from grayshield.compliance.process import ProcessModel, check, discover
from grayshield.compliance.qa import LABELS, MODEL_NAME, QaModel, QaResult, run_qa, train
from grayshield.compliance.rules import RuleBook, load_rulebook
from grayshield.compliance.staffops import alerts, detect_unusual_days, flag_operations
from grayshield.compliance.worlds import (
    call_keys,
    collusion_context,
    complaint_log,
    table_frame,
    world_utterances,
)
from grayshield.contract.truth import MANDATORY_ITEMS
from grayshield.lake import open_world
from grayshield.models.registry import ModelRegistry

TARGET_F1 = 0.90
MIN_SUPPORT = 50
TARGET_PRECISION = 0.90
TARGET_RECALL = 0.85


def fit_world(world_path: Path, book: RuleBook | None = None) -> tuple[QaModel, ProcessModel, dict[str, Any]]:
    """The breach classifier and the normal complaint process, learnt from one world's truth and logs."""
    book = book or load_rulebook()
    world = open_world(world_path)
    utterances = world_utterances(world)
    truth = table_frame(world, "utterances", truth=True).loc[:, ["call_id", "seq", "breach_type"]]
    labelled = utterances.merge(truth, on=["call_id", "seq"], how="left").fillna({"breach_type": "none"})
    classifier = train(book, labelled, labelled["breach_type"])
    process = discover(complaint_log(world))
    summary = {"world": world.identity(), "rulebook": book.identity,
               "training_breaches": labelled.loc[labelled["speaker"] == "agent", "breach_type"].value_counts()
               .to_dict(), "process_cases": process.cases, "precedence_constraints": len(process.precedence)}
    return QaModel(classifier, "in_memory"), process, summary


def train_world(world: Path, models_dir: Path) -> dict[str, Any]:
    """Fit on ``world`` and publish the next version of the ``compliance_qa`` model (classifier + process)."""
    qa_model, process, summary = fit_world(world)

    def write(folder: Path) -> dict[str, Any]:
        qa_model.save(folder)
        process.save(folder / "process.json")
        return summary

    version = ModelRegistry(models_dir).publish(MODEL_NAME, write)
    return {"model": version.name, "version": version.version, "path": str(version.path), **summary}


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "support": tp + fn,
            "flagged": tp + fp}


def breach_metrics(result: QaResult, utterances: pd.DataFrame, truth: pd.DataFrame) -> dict[str, Any]:
    agent = utterances.loc[utterances["speaker"] == "agent", ["call_id", "seq"]]
    agent = agent.merge(truth, on=["call_id", "seq"], how="left").fillna({"breach_type": "none"})
    found = result.findings[result.findings["kind"] == "breach"].loc[:, ["call_id", "seq", "target"]]
    agent = agent.merge(found, on=["call_id", "seq"], how="left").fillna({"target": "none"})
    y, p = agent["breach_type"].to_numpy(), agent["target"].to_numpy()
    per_type = {label: _prf(int(np.sum((y == label) & (p == label))), int(np.sum((y != label) & (p == label))),
                            int(np.sum((y == label) & (p != label)))) for label in LABELS[1:]}
    judged = {k: v for k, v in per_type.items() if int(v["support"]) >= MIN_SUPPORT}
    met = all(float(v["f1"]) >= TARGET_F1 for v in judged.values()) if judged else None
    return {"per_type": per_type, "types_with_min_support": sorted(judged),
            "target_met": met}  # None: no type had enough examples to judge


def missing_item_metrics(result: QaResult, calls_truth: pd.DataFrame) -> dict[str, Any]:
    truth = calls_truth.set_index("call_id")["missing_mandatory"].reindex(result.calls["call_id"]).fillna("")
    predicted = result.calls.set_index("call_id")["missing"]
    per_item = {}
    for item in MANDATORY_ITEMS:
        y = truth.str.split("|").map(lambda items, item=item: item in items).to_numpy()
        p = predicted.str.split("|").map(lambda items, item=item: item in items).to_numpy()
        per_item[item] = _prf(int(np.sum(y & p)), int(np.sum(~y & p)), int(np.sum(y & ~p)))
    exact = float(np.mean(truth.to_numpy() == predicted.to_numpy())) if len(truth) else 0.0
    return {"per_item": per_item, "calls": len(truth), "calls_exactly_right": round(exact, 4)}


def process_metrics(cases: pd.DataFrame, flagged_ops: pd.DataFrame, case_truth: pd.DataFrame,
                    op_truth: pd.DataFrame) -> dict[str, Any]:
    """Alert precision/recall on complaint cases and on staff operations, separately and pooled; per rule,
    an operation counts as a hit only when the truth names that same anomaly."""
    c = cases.merge(case_truth.rename(columns={"complaint_id": "case_id"}), on="case_id", how="left")
    c_y, c_p = c["anomaly"].fillna("none").to_numpy() != "none", c["alert"].to_numpy(dtype=bool)
    o = flagged_ops.loc[:, ["op_id", "rule"]].merge(op_truth, on="op_id", how="left")
    o_y, o_p = o["anomaly"].fillna("none").to_numpy() != "none", o["rule"].notna().to_numpy()
    y, p = np.concatenate([c_y, o_y]), np.concatenate([c_p, o_p])
    pooled = _prf(int(np.sum(y & p)), int(np.sum(~y & p)), int(np.sum(y & ~p)))
    recall_by_type = {str(k): round(float(v), 4) for k, v in
                      pd.Series(o_p[o_y]).groupby(o["anomaly"].to_numpy()[o_y]).mean().items()}
    recall_by_type.update({str(k): round(float(v), 4) for k, v in
                           pd.Series(c_p[c_y]).groupby(c["anomaly"].to_numpy()[c_y]).mean().items()})
    rules = o["rule"].to_numpy()
    by_rule = {}
    for rule in sorted({str(r) for r in rules[o_p]} | {str(t) for t in o["anomaly"].to_numpy()[o_y]}):
        hit, same = rules == rule, o["anomaly"].to_numpy() == rule
        by_rule[rule] = {**_prf(int(np.sum(hit & same)), int(np.sum(hit & ~same)), int(np.sum(same & ~hit))),
                         "flagged_any_anomaly": int(np.sum(hit & o_y))}
    return {
        "by_rule": by_rule,
        "complaint_cases": _prf(int(np.sum(c_y & c_p)), int(np.sum(~c_y & c_p)), int(np.sum(c_y & ~c_p))),
        "staff_operations": _prf(int(np.sum(o_y & o_p)), int(np.sum(~o_y & o_p)), int(np.sum(o_y & ~o_p))),
        "pooled": pooled, "recall_by_anomaly_type": recall_by_type,
        "target_met": float(pooled["precision"]) >= TARGET_PRECISION and float(pooled["recall"]) >= TARGET_RECALL,
    }


def detector_metrics(days: pd.DataFrame, ops: pd.DataFrame, op_truth: pd.DataFrame) -> dict[str, Any]:
    """The unsupervised detector judged per staff-day: is an unusual day one with an anomalous operation?"""
    bad = ops.merge(op_truth, on="op_id")
    bad = bad[bad["anomaly"] != "none"].assign(day=lambda f: pd.to_datetime(f["op_time"]).dt.date)
    marked = set(zip(bad["staff_id"], bad["day"], strict=True))
    y = np.array([(s, d) in marked for s, d in zip(days["staff_id"], days["day"], strict=True)], dtype=bool)
    p = days["unusual"].to_numpy(dtype=bool)
    return {"staff_days": len(days), **_prf(int(np.sum(y & p)), int(np.sum(~y & p)), int(np.sum(y & ~p)))}


def evaluate_world(train_world: Path, test_world: Path, out_dir: Path | None = None) -> dict[str, Any]:
    """Learn on ``train_world``, measure QA and process alerts on ``test_world`` against its truth."""
    book = load_rulebook()
    qa_model, process, summary = fit_world(train_world, book)
    test = open_world(test_world)
    utterances = world_utterances(test)
    result = run_qa(book, utterances, call_keys(test), qa_model)
    cases = check(process, complaint_log(test))
    ops = table_frame(test, "staff_operations")
    flagged = flag_operations(ops, collusion_context(test))
    days = detect_unusual_days(ops)
    op_truth = table_frame(test, "staff_operations", truth=True)
    report = {
        "area": "compliance", "train_world": summary["world"], "test_world": test.identity(),
        "rulebook": book.identity, "training": summary,
        "breach_utterances": breach_metrics(result, utterances, table_frame(test, "utterances", truth=True)),
        "missing_mandatory": missing_item_metrics(result, table_frame(test, "calls", truth=True)),
        "process_alerts": process_metrics(cases, flagged, table_frame(test, "complaint_cases", truth=True), op_truth),
        "unsupervised_staff_day_detector": detector_metrics(days, ops, op_truth),
        "targets": {"breach_f1": TARGET_F1, "breach_min_support": MIN_SUPPORT,
                    "process_precision": TARGET_PRECISION, "process_recall": TARGET_RECALL},
    }
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        result.findings.drop(columns=["text"]).to_csv(out_dir / "qa_findings.csv", index=False)
        cases[cases["alert"]].to_csv(out_dir / "case_alerts.csv", index=False)
        alerts(flagged).to_csv(out_dir / "staff_alerts.csv", index=False)
    return report
