"""``grayshield gangs``: discover gangs in a world, list them, show one with its evidence."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from grayshield.cli.common import console, handle_errors, print_json
from grayshield.core.settings import get_settings

app = typer.Typer(help="团伙 — gang discovery across calls, complaints, social media and the staff log.",
                  no_args_is_help=True)
STATE_HELP = "Folder holding gang ids between runs (default: <home>/gangs)."


def _state(state: Path | None) -> Path:
    return state or get_settings().home_dir / "gangs"


@app.command("discover")
@handle_errors
def discover_cmd(
    world: Path = typer.Argument(..., metavar="WORLD", help="World folder (simulated or an ingested extract)."),
    state: Path | None = typer.Option(None, "--state", help=STATE_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """发现团伙 — build the entity graph, find communities, keep gang ids stable with earlier runs."""
    from grayshield.services import strike
    from grayshield.services.evaluation import check_world

    run = strike.discover_gangs(check_world(world), _state(state))
    if json_out:
        print_json(run.as_dict())
        return
    console.print(f"第 {run.run} 次运行：节点 {run.nodes}，边 {run.edges}，发现团伙 {len(run.gangs)} 个")
    _table(run.as_dict()["gangs"])


@app.command("list")
@handle_errors
def list_cmd(
    state: Path | None = typer.Option(None, "--state", help=STATE_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """团伙列表 — the gangs of the latest run, most suspicious first (numbers masked)."""
    from grayshield.services import strike

    gangs = [{k: g[k] for k in ("gang_id", "status", "score", "counts", "summary_zh")}
             for g in strike.list_gangs(_state(state))]
    if json_out:
        print_json(gangs)
        return
    _table(gangs)


@app.command("show")
@handle_errors
def show_cmd(
    gang_id: str = typer.Argument(..., metavar="GANG_ID"),
    state: Path | None = typer.Option(None, "--state", help=STATE_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print JSON (facts included, numbers masked)."),
) -> None:
    """团伙详情 — why it is a gang: evidence counts, busiest numbers and accounts, templates, regions, time span."""
    from grayshield.services import strike

    gang = strike.get_gang(_state(state), gang_id)
    shown = {k: gang[k] for k in ("gang_id", "status", "score", "counts", "summary_zh")}
    shown["evidence"] = gang["facts"]["evidence"]
    if json_out:
        print_json(shown)
        return
    console.print(shown["summary_zh"])


def _table(gangs: list[dict[str, object]]) -> None:
    table = Table(title=f"团伙（{len(gangs)}）")
    for col in ("编号", "状态", "可疑度", "客户", "号码", "社交账号"):
        table.add_column(col)
    for g in gangs:
        counts = g["counts"]
        assert isinstance(counts, dict)
        table.add_row(str(g["gang_id"]), str(g["status"]), f"{g['score']:.2f}", str(counts.get("customer", 0)),
                      str(counts.get("number", 0)), str(counts.get("account", 0)))
    console.print(table)
