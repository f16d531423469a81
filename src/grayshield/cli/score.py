"""``grayshield score``: daily batch scoring that writes alerts to the operational store."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer

from grayshield.cli.common import console, handle_errors, open_store, print_json
from grayshield.core.errors import ValidationError
from grayshield.core.settings import get_settings

app = typer.Typer(help="评分 — batch scoring into alerts (complaint early warning).", no_args_is_help=True)


def parse_day(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise ValidationError(f"not a date (YYYY-MM-DD): {text!r}") from None


@app.command("complaints")
@handle_errors
def complaints(
    as_of: str | None = typer.Option(None, "--as-of", help="Scoring date YYYY-MM-DD: events before it are "
                                     "used (default: the latest month start the data reaches)."),
    world: Path | None = typer.Option(None, "--world", help="Score a world directory instead of the lake."),
    model_version: str | None = typer.Option(None, "--model-version", help="Model version (default newest)."),
    json_out: bool = typer.Option(False, "--json", help="Print the run summary as JSON."),
) -> None:
    """投诉预警评分 — score every customer on book at --as-of and replace that day's alerts."""
    from grayshield.complaints.dataset import latest_scoring_date
    from grayshield.lake import open_world
    from grayshield.lake.engines import connect
    from grayshield.models.registry import ModelRegistry
    from grayshield.services.complaint_warning import score_to_store
    from grayshield.strategies.repository import StrategyRepository

    settings = get_settings()
    source = open_world(world or settings.lake_dir, connect(settings))
    day = parse_day(as_of) if as_of else latest_scoring_date(source)
    with open_store() as db:
        summary = score_to_store(source, day, ModelRegistry(settings.models_dir), db,
                                 StrategyRepository(settings.strategies_dir), model_version)
    if json_out:
        print_json(summary)
        return
    console.print(f"评分日期 {summary['as_of']}：评分客户 {summary['customers_scored']} 名，"
                  f"生成预警 {summary['alerts']} 条（模型 {summary['model_version']}，策略 {summary['strategy_version']}）")
    for band, count in sorted(summary["bands"].items()):
        console.print(f"  {band} 级预警：{count}")
