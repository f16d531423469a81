"""Training on outcomes: cases closed through the case service become the only labels a trainer sees, and a
model trained on a sample of them works on a held-out world."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from grayshield.cli.main import app
from grayshield.lake import open_world
from grayshield.services import label_training
from grayshield.services.labels import Verdict, open_labels, record_verdicts, truth_sample_verdicts
from grayshield.store import Database, upgrade


@pytest.fixture(scope="module")
def world(simulated_world: Callable[..., Path]) -> Path:
    return simulated_world("hard", 2_000, 6, seed=21)


def _store(path: Path, verdicts: list[Verdict]) -> Database:
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    with database.session() as s:
        record_verdicts(s, "analyst1", verdicts)
    return database


def _decided_numbers(world: Path) -> tuple[dict[str, int], str]:
    """30 gang and 60 clean numbers that call in, and one gang number an analyst cleared (truth says gang)."""
    truth = open_world(world).truth("numbers").to_pandas()
    callers = open_world(world).table("calls").select("caller_number").to_pandas()["caller_number"]
    calling = truth[truth["number"].isin(callers)].sort_values("number")
    gang = calling[calling["is_blackgray"]]["number"].tolist()
    clean = calling[~calling["is_blackgray"]]["number"].tolist()
    decided = {**dict.fromkeys(gang[:30], 1), **dict.fromkeys(clean[:60], 0), gang[30]: 0}
    return decided, gang[30]


def _verdicts(decided: dict[str, int]) -> list[Verdict]:
    return [Verdict("number", n, "taken_down" if label else "cleared", "核查结论") for n, label in decided.items()]


def test_outcome_training_uses_exactly_the_store_labels(world: Path, tmp_path: Path) -> None:
    decided, cleared_gang_number = _decided_numbers(world)
    database = _store(tmp_path / "store.db", _verdicts(decided))
    source = open_labels(open_world(world), "outcomes", "callers", database.session)
    assert source.counts("callers")["numbers"] == {"positive": 30, "negative": 61}

    frames = label_training.caller_frames(source)
    trained = dict(zip(frames.numbers["number"], frames.numbers["is_blackgray"], strict=True))
    assert set(trained) <= set(decided) and len(trained) >= 80  # the decided numbers that called in the window
    assert all(trained[n] == decided[n] for n in trained)
    assert trained[cleared_gang_number] == 0  # the store's cleared overrides the world's truth
    calls = open_world(world).table("calls").select("call_id", "caller_number").to_pandas()
    proxy = dict(zip(frames.calls["call_id"], frames.calls["is_proxy"], strict=True))
    assert set(proxy) <= set(calls.loc[calls["caller_number"].isin(decided), "call_id"])
    of_cleared = calls.loc[calls["caller_number"] == cleared_gang_number, "call_id"]
    assert of_cleared.isin(list(proxy)).any() and not any(proxy.get(c, 0) for c in of_cleared)
    database.dispose()


def test_cli_trains_callers_on_outcomes(world: Path, tmp_path: Path, cli_home: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from grayshield.core.settings import get_settings

    decided, _ = _decided_numbers(world)
    store = tmp_path / "cli-store.db"
    _store(store, _verdicts(decided)).dispose()
    monkeypatch.setenv("GRAYSHIELD_DATABASE_URL", f"sqlite:///{store}")
    get_settings.cache_clear()
    runner = CliRunner()
    result = runner.invoke(app, ["train", "callers", "--world", str(world), "--labels", "outcomes", "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["labels"]["mode"] == "outcomes"
    assert info["labels"]["numbers"] == {"positive": 30, "negative": 61}
    assert 80 <= info["trained_numbers"] <= 91
    metadata = json.loads((Path(info["path"]) / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["labels"] == "outcomes" and metadata["numbers"] == info["trained_numbers"]

    bad = runner.invoke(app, ["train", "callers", "--world", str(world), "--labels", "gossip"])
    assert bad.exit_code == 65 and "未知标签来源" in bad.output
    other = runner.invoke(app, ["train", "text", "--world", str(world), "--labels", "outcomes"])
    assert other.exit_code != 0 and "Traceback" not in other.output


def test_outcome_only_training_works_on_a_held_out_world(world: Path, simulated_world: Callable[..., Path],
                                                         tmp_path: Path) -> None:
    """Half the gang numbers and complaints, a third of the rest, closed as cases: the only labels used."""
    held_out = simulated_world("hard", 2_000, 6, seed=22)
    verdicts = [v for v in truth_sample_verdicts(open_world(world), 0.5, seed=3, negative_share=0.3)
                if v.subject_type == "number"]
    database = _store(tmp_path / "sample.db", verdicts)
    source = open_labels(open_world(world), "outcomes", "callers", database.session)
    result = label_training.evaluate("callers", source, held_out)
    numbers, calls = result["habitual_numbers"], result["proxy_calls"]
    assert result["labels"]["numbers"]["positive"] == sum(v.outcome == "taken_down" for v in verdicts)
    assert numbers["auc"] >= 0.95 and calls["auc"] >= 0.95, (numbers, calls)
    assert result["trained_on"]["numbers"] < len(pd.read_parquet(world / "truth" / "numbers"))
    database.dispose()


def test_complaint_and_social_models_train_on_verdicts_alone(world: Path, tmp_path: Path) -> None:
    """Complaint verdicts and account decisions are the only labels; an analyst's cleared overrides truth."""
    sample = truth_sample_verdicts(open_world(world), 0.6, seed=5, negative_share=0.4)
    verdicts = [v for v in sample if v.subject_type in ("complaint", "account")]
    truth = open_world(world).truth("complaints").to_pandas()
    flipped = next(v for v in verdicts if v.subject_type == "complaint" and v.outcome == "confirmed_gang")
    verdicts.append(Verdict("complaint", flipped.subject_id, "cleared", "复核后排除"))
    database = _store(tmp_path / "verdicts.db", verdicts)
    source = open_labels(open_world(world), "outcomes", "complaints", database.session)
    served = source.labels("complaints").set_index("complaint_id")["is_proxy"]
    assert not served[flipped.subject_id] and bool(truth.set_index("complaint_id").loc[flipped.subject_id, "is_proxy"])
    decided = {v.subject_id for v in verdicts if v.subject_type == "complaint"}
    assert len(served) == len(decided)

    info = label_training.train("complaints", source, tmp_path / "models")
    assert info["trained_complaints"] == len(decided) and info["labels"]["mode"] == "outcomes"

    social = open_labels(open_world(world), "outcomes", "social", database.session)
    accounts = {v.subject_id for v in verdicts if v.subject_type == "account"}
    assert sum(social.counts("social")["social_accounts"].values()) == len(accounts)
    trained = label_training.train("social", social, tmp_path / "models")
    assert trained["training_accounts"] == len(accounts)  # every decided account, and no other
    assert trained["training_blackgray_accounts"] == sum(
        v.outcome == "taken_down" for v in verdicts if v.subject_type == "account")
    database.dispose()
