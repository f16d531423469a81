"""``grayshield text``: classify texts and show what the normaliser makes of them."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from grayshield.cli.common import console, handle_errors, print_json
from grayshield.core.errors import IngestError, NotFoundError, ValidationError
from grayshield.core.settings import get_settings

if TYPE_CHECKING:
    from grayshield.text.engine import LoadedModel

# The text engine (NumPy, pandas through the model registry) loads inside the commands, so that
# ``grayshield --help`` does not pay for it.

app = typer.Typer(help="文本引擎 — normalise evasion spellings, match the lexicon, classify, extract contacts.",
                  no_args_is_help=True)
BATCH = 2000


def _lines(source: str) -> Iterator[tuple[int, str]]:
    """(line number, text) for every non-blank line of FILE or stdin ('-')."""
    if source == "-":
        stream = sys.stdin
    else:
        path = Path(source)
        if not path.is_file():
            raise NotFoundError(f"file not found: {path}")
        stream = path.open(encoding="utf-8")
    try:
        for number, line in enumerate(stream, start=1):
            text = line.rstrip("\r\n")
            if text.strip():
                yield number, text
    except UnicodeDecodeError as exc:
        raise IngestError(f"{source}: not UTF-8 text (byte {exc.start}); convert it first, e.g. iconv -f GBK") from exc
    finally:
        if stream is not sys.stdin:
            stream.close()


def _model(task: str, model: Path | None) -> LoadedModel:
    from grayshield.text import latest_model, load_model
    from grayshield.text.engine import fallback_model

    if model is not None:
        return load_model(model)
    found = latest_model(get_settings().models_dir, task)
    if found is None:
        console.print(f"[yellow]提示[/]: 未找到已训练的 {task} 模型，改用词库评分 (lexicon fallback)；"
                      f"训练: grayshield train text --world WORLD")
        return fallback_model(task)
    return found


@app.command("classify")
@handle_errors
def classify_cmd(
    source: str = typer.Argument(..., metavar="FILE|-", help="One text per line; '-' reads stdin."),
    task: str = typer.Option("posts", "--task", help="Which classifier: posts or utterances."),
    model: Path | None = typer.Option(None, "--model", help="A model version folder; default: the newest trained."),
    lexicon: list[str] = typer.Option(["default"], "--lexicon", help="Registered lexicon(s) to use."),
    explain: int = typer.Option(5, "--explain", min=0, help="How many top features to show per text."),
) -> None:
    """分类 — one JSON object per input line: label, probability, lexicon hits and contacts with spans."""
    from grayshield.text import TextEngine, load_lexicon

    loaded = _model(task, model)
    if loaded.metadata.get("task", task) != task:
        raise ValidationError(f"{model} is a {loaded.metadata.get('task')} model, not a {task} model")
    engine = TextEngine(load_lexicon(*lexicon), {task: loaded})
    trained_with = loaded.metadata.get("lexicon")
    if trained_with and trained_with != engine.lexicon.identity:
        console.print(f"[yellow]提示[/]: 模型训练时的词库为 {trained_with}，当前词库为 {engine.lexicon.identity}；"
                      "词库改动后建议重新训练 (lexicon changed since training)")
    lines = _lines(source)
    while batch := list(islice(lines, BATCH)):
        results = engine.classify_many([text for _, text in batch], task, explain)
        for (number, _), result in zip(batch, results, strict=True):
            print_json({"line": number, **result})


@app.command("normalize")
@handle_errors
def normalize_cmd(
    text: str = typer.Argument(..., metavar="TEXT|-", help="The text; '-' reads one text per line from stdin."),
    lexicon: list[str] = typer.Option(["default"], "--lexicon", help="Registered lexicon(s) to use."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON (one object per text)."),
) -> None:
    """规范化 — show the normalised text, the lexicon hits and where each character came from."""
    from grayshield.text import TextEngine, load_lexicon

    engine = TextEngine(load_lexicon(*lexicon))
    texts = [t for _, t in _lines("-")] if text == "-" else [text]
    for original in texts:
        normalised = engine.normaliser.normalise(original)
        mapping = [{"char": c, "original": original[s:e], "start": s, "end": e}
                   for c, (s, e) in zip(normalised.text, normalised.spans, strict=True)]
        hits = [normalised.hit_dict(h) for h in normalised.hits]
        if json_out:
            print_json({"original": original, "normalized": normalised.text, "hits": hits, "mapping": mapping})
            continue
        console.print(f"原文: {original}\n规范化: [bold]{normalised.text}[/]")
        table = Table("词条", "类别", "原文片段", "位置", "变体")
        for hit in hits:
            label = engine.lexicon.categories[hit["category"]].label
            table.add_row(hit["term"], label, hit["surface"], f"{hit['start']}-{hit['end']}",
                          "是" if hit["evasion"] else "否")
        console.print(table)
        console.print("映射: " + " ".join(f"{m['char']}←{m['original']}" for m in mapping if m["char"] != m["original"]))
