"""``grayshield simulate``: write a simulated card-issuer world (every contract table plus ground truth)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from grayshield.cli.common import console, handle_errors, print_json
from grayshield.sim.params import PROFILE_NAMES, WorldParams


@handle_errors
def simulate(
    customers: int = typer.Option(1_000, "--customers", help="Cardholders in the world."),
    months: int = typer.Option(6, "--months", help="Months simulated."),
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed gives byte-identical files."),
    profile: str = typer.Option("default", "--profile", help=f"One of: {', '.join(PROFILE_NAMES)}."),
    out: Path = typer.Option(..., "--out", help="World directory to create."),
    start: str = typer.Option("2024-01", "--start", help="First simulated month, YYYY-MM."),
    gang_count: int | None = typer.Option(None, "--gang-count", help="Override the profile's gang count."),
    evasion_rate: float | None = typer.Option(None, "--evasion-rate", help="Override the evasion rate."),
    drift: float | None = typer.Option(None, "--drift", help="Override the month-to-month drift."),
    force: bool = typer.Option(False, "--force", help="Replace a non-empty --out directory."),
    json_out: bool = typer.Option(False, "--json", help="Print the manifest as JSON."),
) -> None:
    """模拟 — build a simulated world with black/gray gangs and its ground truth (see docs/simulator.md)."""
    from grayshield.sim import check_out_dir
    from grayshield.sim import simulate as build_world

    params = WorldParams.for_profile(
        profile, customers=customers, months=months, seed=seed, start=start, gang_count=gang_count,
        evasion_rate=evasion_rate, drift=drift,
    )
    check_out_dir(out, force)
    with Progress(TextColumn("模拟客户"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=json_out) as bar:
        task = bar.add_task("customers", total=customers)
        manifest = build_world(params, out, force=force, progress=lambda done, _: bar.update(task, completed=done))
    if json_out:
        print_json(manifest)
        return
    rows = manifest["row_counts"]
    console.print(f"已生成模拟世界 {out}: {customers:,} 名客户, {months} 个月, profile {profile}, seed {seed}; "
                  f"{len(rows)} 张表, 共 {sum(rows.values()):,} 行。报告: {out / 'report.md'}")
