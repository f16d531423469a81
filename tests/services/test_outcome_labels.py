"""Outcome labels from the operational store: closed cases, reviewed tags and platform take-downs, on SQLite and
PostgreSQL alike, and the label source that serves them to trainers in a world's truth's place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from grayshield.cases import CaseService
from grayshield.core.errors import ValidationError
from grayshield.lake import open_world
from grayshield.services.labels import (
    LabelSource,
    StoreLabels,
    Verdict,
    open_labels,
    record_verdicts,
    store_labels,
)
from grayshield.services.social_monitoring import Reports
from grayshield.social.effectiveness import Outcome
from grayshield.store import Database
from grayshield.tags import TagProposal, TagService

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
GANG_NUMBER = "+8617012345678"
GANG_DETAIL = {"members": ["customer:C001", f"number:{GANG_NUMBER}", "account:douyin/abc", "complaint:Q-9",
                           "template:T1"]}


def _close(db: Database, subject_type: str, subject_id: str, outcome: str, *, detail: dict[str, object] | None = None,
           when: datetime = T0) -> int:
    with db.session() as s:
        cases = CaseService(s, "analyst1")
        case = cases.open(subject_type, subject_id, "测试案件", detail=detail or {}, now=when)
        cases.transition(case.id, "closed", "结案", outcome=outcome, now=when + timedelta(hours=1))
        return case.id


def _tag(db: Database, tag_type: str, subject_type: str, subject_id: str, decision: str | None) -> None:
    with db.session() as s:
        tag = TagService(s, "model-run").propose(TagProposal(tag_type, subject_type, subject_id, "model"), now=T0)
        tag_id = tag.id
    if decision is not None:
        with db.session() as s:
            TagService(s, "reviewer").review(tag_id, decision, "人工审核", now=T0 + timedelta(hours=2))


def _labels(frame: pd.DataFrame, *keys: str) -> dict[object, int]:
    index = frame[list(keys)].astype(str).agg("/".join, axis=1)
    return dict(zip(index, frame["label"].astype(int), strict=True))


def test_store_labels_come_from_cases_tags_and_takedowns(db: Database) -> None:
    _close(db, "gang", "GS-0001", "confirmed_gang", detail=GANG_DETAIL)
    _close(db, "number", "138 0013 8000", "taken_down")  # normalised like every number
    _close(db, "number", "+8613900139000", "cleared")
    _close(db, "number", "+8613700137000", "insufficient_evidence")  # no proof is no label
    _close(db, "complaint", "Q-1", "cleared")
    _close(db, "account", "weibo/bad", "police_case_filed")
    _tag(db, "blackgray_number", "number", "+8613600136000", "confirm")
    _tag(db, "blackgray_number", "number", "+8613500135000", "reject")
    _tag(db, "blackgray_number", "number", "+8613400134000", None)  # proposed: nobody decided
    _tag(db, "verified_representative", "number", "+8613300133000", "confirm")
    _tag(db, "blackgray_social_account", "social_account", "xhs:tagged", "confirm")
    items = [{"item_id": f"I{i}", "platform": "douyin", "account_id": f"acc{i}", "post_id": f"P{i}",
              "reason": "illegal_finance"} for i in range(3)]
    with db.session() as s:
        reports = Reports(s, "analyst1")
        reports.file(items, "B1", now=T0)
        reports.record_outcomes([Outcome("I0", "removed", None, None), Outcome("I1", "rejected", None, None),
                                 Outcome("I2", "banned", None, None)], now=T0 + timedelta(days=1))

    with db.session() as s:
        labels = store_labels(s)
    assert _labels(labels.numbers, "number") == {
        GANG_NUMBER: 1, "+8613800138000": 1, "+8613900139000": 0, "+8613600136000": 1, "+8613500135000": 0,
        "+8613300133000": 0}
    assert _labels(labels.complaints, "complaint_id") == {"Q-9": 1, "Q-1": 0}
    assert _labels(labels.social_accounts, "platform", "account_id") == {
        "douyin/abc": 1, "weibo/bad": 1, "xhs/tagged": 1, "douyin/acc0": 1, "douyin/acc2": 1}  # rejected: none
    assert _labels(labels.social_posts, "platform", "post_id") == {"douyin/P0": 1, "douyin/P2": 1}
    assert _labels(labels.gangs, "gang_id") == {"GS-0001": 1}
    assert labels.counts()["numbers"] == {"positive": 3, "negative": 3}


def test_latest_decision_wins(db: Database) -> None:
    _close(db, "gang", "GS-0002", "police_case_filed", detail=GANG_DETAIL)
    _close(db, "number", GANG_NUMBER, "cleared", when=T0 + timedelta(days=3))  # a later, closer look
    _close(db, "complaint", "Q-9", "cleared", when=T0 - timedelta(days=3))  # older than the gang's verdict
    with db.session() as s:
        labels = store_labels(s)
    assert _labels(labels.numbers, "number")[GANG_NUMBER] == 0
    assert _labels(labels.complaints, "complaint_id")["Q-9"] == 1


def test_record_verdicts_goes_through_the_case_workflow(db: Database) -> None:
    verdicts = [Verdict("complaint", "Q-7", "confirmed_gang", "投诉核查：代理维权模板"),
                Verdict("complaint", "Q-8", "cleared", "投诉核查：客户本人")]
    with db.session() as s:
        assert record_verdicts(s, "complaint-desk", verdicts, now=T0) == 2
    with db.session() as s:
        cases = CaseService(s, "auditor").search(state="closed")
        assert sorted((c.subject_id, c.outcome) for c in cases) == [("Q-7", "confirmed_gang"), ("Q-8", "cleared")]
        assert [e.action for e in CaseService(s, "auditor").history(cases[0].id)] == ["opened", "closed"]
        with pytest.raises(ValidationError, match="未知结案结论"):
            record_verdicts(s, "complaint-desk", [Verdict("complaint", "Q-9", "guilty", "x")], now=T0)


# ------------------------------------------------------------------------------------------ the label source
@pytest.fixture(scope="module")
def world(simulated_world: Callable[..., Path]) -> Path:
    return simulated_world("hard", 2_000, 6, seed=21)


def _truth_numbers(world: Path) -> pd.DataFrame:
    return open_world(world).truth("numbers").to_pandas()


def _store(numbers: dict[str, int]) -> StoreLabels:
    empty = pd.DataFrame(columns=["label", "source", "ref", "decided_at"])
    rows = pd.DataFrame({"number": list(numbers), "label": list(numbers.values()), "source": "case", "ref": "1",
                         "decided_at": T0})
    return StoreLabels(rows, empty.assign(complaint_id=[]), empty.assign(platform=[], account_id=[]),
                       empty.assign(platform=[], post_id=[]), empty.assign(gang_id=[]))


def test_outcomes_serve_only_decided_subjects_and_both_lets_the_store_override_truth(world: Path) -> None:
    truth = _truth_numbers(world)
    calls = open_world(world).table("calls").select("call_id", "caller_number").to_pandas()
    calling = truth[truth["number"].isin(calls["caller_number"])]
    gang = calling[calling["is_blackgray"]]["number"].tolist()
    clean = calling[~calling["is_blackgray"]]["number"].tolist()
    decided = {gang[0]: 0, gang[1]: 1, clean[0]: 0}  # gang[0] was cleared by an analyst
    source = LabelSource(open_world(world), "outcomes", _store(decided))
    served = source.truth("numbers").to_pandas()
    assert dict(zip(served["number"], served["is_blackgray"].astype(int), strict=True)) == decided
    assert source.has_truth("numbers") and not source.has_truth("customers")
    as_truth = LabelSource(open_world(world), "truth")
    assert len(as_truth.labels("numbers")) == len(truth) and as_truth.has_truth("customers")

    both = LabelSource(open_world(world), "both", _store(decided)).truth("numbers").to_pandas()
    assert len(both) == len(truth)
    merged = both.set_index("number")
    assert not merged.loc[gang[0], "is_blackgray"] and merged.loc[gang[0], "kind"] == truth.set_index(
        "number").loc[gang[0], "kind"]
    assert int(merged["is_blackgray"].sum()) == int(truth["is_blackgray"].sum()) - 1
    assert merged.loc[gang[0], "label_source"] == "case" and merged.loc[gang[2], "label_source"] == "truth"

    from_gang0 = set(calls.loc[calls["caller_number"] == gang[0], "call_id"])
    served_calls = source.truth("calls").to_pandas()
    assert set(served_calls["call_id"]) == set(calls.loc[calls["caller_number"].isin(decided), "call_id"])
    assert not served_calls[served_calls["call_id"].isin(from_gang0)]["is_proxy"].any()


def test_too_few_labels_or_missing_truth_is_a_clear_error(world: Path, tmp_path: Path) -> None:
    def empty_store() -> Database:
        database = Database(f"sqlite:///{tmp_path / 'empty.db'}")
        from grayshield.store import upgrade

        upgrade(database)
        return database

    database = empty_store()
    with pytest.raises(ValidationError, match="numbers 标签不足（来源 outcomes）：正例 0、负例 0"):
        open_labels(open_world(world), "outcomes", "callers", database.session)
    with pytest.raises(ValidationError, match="需要运营库"):
        open_labels(open_world(world), "both", "callers", None)
    with pytest.raises(ValidationError, match="未知标签来源"):
        open_labels(open_world(world), "gossip", "callers", database.session)
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "calls").symlink_to(world / "calls")
    with pytest.raises(ValidationError, match="没有真值"):
        open_labels(open_world(bare), "truth", "callers", None)
    assert open_labels(open_world(world), None, "callers", None).mode == "truth"
    with pytest.raises(ValidationError, match="标签不足"):  # no truth: the default is the store's outcomes
        open_labels(open_world(bare), None, "callers", database.session)
    unmigrated = Database(f"sqlite:///{tmp_path / 'unmigrated.db'}")
    with pytest.raises(ValidationError, match="grayshield db upgrade"):
        open_labels(open_world(world), "outcomes", "callers", unmigrated.session)
    database.dispose()
    unmigrated.dispose()
