"""``--train`` may be a folder of worlds for callers: the detectors learn from a default and a hard quarter
together, and the report names every world it learnt from."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from grayshield.cli.main import app

runner = CliRunner()


def _folder_of(worlds: tuple[Path, ...], root: Path) -> Path:
    folder = root / "training"
    folder.mkdir()
    for i, world in enumerate(worlds):
        (folder / f"w{i}").symlink_to(world, target_is_directory=True)
    return folder


def test_train_and_eval_on_a_folder_of_worlds(cli_home: Path, toy_worlds: tuple[Path, Path],
                                              withheld_world: Path, tmp_path: Path) -> None:
    train, test = toy_worlds
    folder = _folder_of((train, withheld_world), tmp_path)

    trained = runner.invoke(app, ["train", "callers", "--world", str(folder), "--json"])
    assert trained.exit_code == 0, trained.output
    assert json.loads(trained.stdout)["version"] == "v0001"

    evaluated = runner.invoke(app, ["eval", "callers", "--train", str(folder), "--test", str(test), "--json"])
    assert evaluated.exit_code == 0, evaluated.output
    report = json.loads(evaluated.stdout)
    assert [w["seed"] for w in report["train_world"]["worlds"]] == [1, 5]
    assert report["test_world"]["seed"] == 2


def test_a_folder_of_worlds_is_refused_where_it_cannot_be_used(cli_home: Path, toy_worlds: tuple[Path, Path],
                                                               tmp_path: Path) -> None:
    folder = _folder_of(toy_worlds, tmp_path)
    complaints = runner.invoke(app, ["train", "complaints", "--world", str(folder)])
    assert complaints.exit_code == 66 and "not a world" in complaints.output
    outcomes = runner.invoke(app, ["train", "callers", "--world", str(folder), "--labels", "outcomes"])
    assert outcomes.exit_code == 65 and "多个世界" in outcomes.output
    empty = tmp_path / "empty"
    empty.mkdir()
    assert runner.invoke(app, ["train", "callers", "--world", str(empty)]).exit_code == 66
