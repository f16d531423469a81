"""``grayshield eval AREA`` and ``grayshield train AREA``: quality on held-out worlds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from grayshield.cli.common import console, handle_errors, open_store, print_json
from grayshield.core.settings import get_settings
from grayshield.services import evaluation


def _flatten(prefix: str, value: Any, rows: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for key, sub in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), sub, rows)
    elif isinstance(value, float):
        rows.append((prefix, f"{value:.4f}"))
    elif isinstance(value, list) and len(value) > 8:
        rows.append((prefix, f"[{len(value)} items]"))
    else:
        rows.append((prefix, str(value)))


@handle_errors
def evaluate(
    area: str = typer.Argument(..., help=f"One of: {', '.join(evaluation.AREAS)}."),
    train: Path = typer.Option(..., "--train", help="World to train on."),
    test: Path = typer.Option(..., "--test", help="Held-out world to report on."),
    out: Path | None = typer.Option(None, "--out", help="Folder for plots and detailed outputs."),
    labels: str | None = typer.Option(
        None, "--labels", help="Train on: truth (the train world's), outcomes (closed cases, reviewed tags and "
        "take-downs in the store) or both (truth, store overrides). Default: the area's own evaluation on truth."),
    json_out: bool = typer.Option(False, "--json", help="Print the metrics as one JSON object."),
) -> None:
    """评估 — train AREA's detector on --train and report its quality on the held-out --test world."""
    if labels is None:
        result = evaluation.evaluate(area, train, test, out)
    else:
        with open_store() as database:
            result = evaluation.evaluate_labels(area, train, test, labels, database)
    if json_out:
        print_json(result)
        return
    rows: list[tuple[str, str]] = []
    _flatten("", result, rows)
    table = Table(title=f"评估结果 {area}", show_lines=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in rows:
        table.add_row(key, value)
    console.print(table)


@handle_errors
def train(
    area: str = typer.Argument(..., help=f"One of: {', '.join(evaluation.AREAS)}."),
    world: Path = typer.Option(..., "--world", help="World to train on."),
    labels: str | None = typer.Option(
        None, "--labels", help="truth (the world's simulated truth), outcomes (closed cases, reviewed tags and "
        "platform take-downs in the operational store: the labels real data has) or both (truth, store "
        "overrides). Default: truth when the world has it, else outcomes."),
    json_out: bool = typer.Option(False, "--json", help="Print the model info as JSON."),
) -> None:
    """训练 — train AREA's detector on WORLD and save a versioned model under the models folder."""
    with open_store() as database:
        info = evaluation.train(area, world, get_settings().models_dir, labels, database)
    if json_out:
        print_json(info)
    else:
        console.print(f"已训练 {area}: {info}")
