"""``grayshield text classify`` and ``normalize`` through Typer's runner, on real files and models."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from grayshield.cli.text import app
from grayshield.core.settings import get_settings
from grayshield.text.evaluation import train_world

runner = CliRunner()


def _flat(output: str) -> str:
    """Rich wraps long messages; compare with the line breaks taken out."""
    return " ".join(output.split())


def _objects(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_classify_without_a_model_falls_back_to_the_lexicon(cli_home: Path, tmp_path: Path) -> None:
    source = tmp_path / "posts.txt"
    source.write_text("亭息挂帐找我，电话 138 1234 5678\n\n今天天气很好\n", encoding="utf-8")
    result = runner.invoke(app, ["classify", str(source)])
    assert result.exit_code == 0, result.output
    first, second = _objects(result.stdout)
    assert first["line"] == 1 and second["line"] == 3
    assert first["label"] == "blackgray_ad" and first["model"] == "lexicon_fallback"
    assert first["hits"][0]["surface"] == "亭息挂帐"  # type: ignore[index]
    assert first["contacts"][0]["value"] == "13812345678"  # type: ignore[index]
    assert "lexicon fallback" in _flat(result.stderr)


def test_classify_reads_stdin_and_uses_the_newest_trained_model(cli_home: Path, tiny_world: Path) -> None:
    train_world(tiny_world, get_settings().models_dir)
    result = runner.invoke(app, ["classify", "-", "--task", "utterances"], input="我是他的代理人，受他委托\n")
    assert result.exit_code == 0, result.output
    (obj,) = _objects(result.stdout)
    assert obj["model"] == "text/utterances/v0001" and obj["label"] == "proxy_representation"
    assert "lexicon fallback" not in _flat(result.stderr) and "lexicon changed" not in _flat(result.stderr)
    meta = get_settings().models_dir / "text" / "utterances" / "v0001" / "metadata.json"
    meta.write_text(meta.read_text(encoding="utf-8").replace("default@", "older@"), encoding="utf-8")
    stale = runner.invoke(app, ["classify", "-", "--task", "utterances", "--model", str(meta.parent)], input="你好\n")
    assert stale.exit_code == 0 and "lexicon changed since training" in _flat(stale.stderr)


def test_classify_errors_are_clear(cli_home: Path, tmp_path: Path) -> None:
    missing = runner.invoke(app, ["classify", str(tmp_path / "absent.txt")])
    assert missing.exit_code == 66 and "file not found" in _flat(missing.output)
    binary = tmp_path / "gbk.txt"
    binary.write_bytes("停息挂账".encode("gbk"))
    bad = runner.invoke(app, ["classify", str(binary)])
    assert bad.exit_code == 65 and "not UTF-8" in _flat(bad.output)
    task = runner.invoke(app, ["classify", "-", "--task", "tweets"], input="x\n")
    assert task.exit_code == 65 and "unknown text task" in _flat(task.output)
    model = runner.invoke(app, ["classify", "-", "--model", str(tmp_path)], input="x\n")
    assert model.exit_code == 66 and "no metadata.json" in _flat(model.output)


def test_normalize_shows_the_text_hits_and_mapping(cli_home: Path) -> None:
    result = runner.invoke(app, ["normalize", "停✖息掛賬", "--json"])
    assert result.exit_code == 0, result.output
    (obj,) = _objects(result.stdout)
    assert obj["normalized"] == "停息挂账"
    assert [m["original"] for m in obj["mapping"]] == ["停", "息", "掛", "賬"]  # type: ignore[union-attr]
    assert [m["start"] for m in obj["mapping"]] == [0, 2, 3, 4]  # type: ignore[union-attr]
    evasive = runner.invoke(app, ["normalize", "亭息挂帐!", "--json"])
    assert _objects(evasive.stdout)[0]["mapping"][0] == {"char": "停", "original": "亭息挂帐", "start": 0, "end": 4}  # type: ignore[index]
    plain = runner.invoke(app, ["normalize", "-"], input="tx挂账\n")
    assert plain.exit_code == 0 and "停息挂账" in plain.output
