"""``grayshield ingest PATH...``: validate files against the data contract and load them into the lake.

Exit codes: 0 every row accepted; 3 some rows quarantined or some files refused (everything valid was
still loaded); domain errors keep their own codes (65 bad input, 66 not found, 78 configuration).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from grayshield.cli.common import console, handle_errors, print_json
from grayshield.core.settings import get_settings

if TYPE_CHECKING:
    from grayshield.lake.report import IngestReport

STATUS_TEXT = {"ingested": "[green]已导入[/]", "skipped": "[yellow]已跳过[/]", "refused": "[red]已拒绝[/]"}


def _print_report(report: IngestReport) -> None:
    files = Table(title=f"导入报告 批次 {report.batch_id}")
    for name, justify in (("文件", "left"), ("表", "left"), ("状态", "left"), ("接受行", "right"),
                          ("隔离行", "right"), ("说明", "left")):
        files.add_column(name, justify=justify)  # type: ignore[arg-type]
    for f in report.files:
        files.add_row(Path(f.path).name, f.table or "-", STATUS_TEXT[f.status], f"{f.accepted:,}",
                      f"{f.rejected:,}", f.reason or "")
    console.print(files)
    totals = Table(title="按表汇总")
    totals.add_column("表")
    totals.add_column("接受行", justify="right")
    totals.add_column("隔离行", justify="right")
    for name, counts in report.tables.items():
        totals.add_row(name, f"{counts['accepted']:,}", f"{counts['rejected']:,}")
    console.print(totals)
    if report.rejected:
        console.print("被隔离的行可用 [bold]grayshield lake quarantine[/] 查看。")


@handle_errors
def ingest(
    paths: list[Path] = typer.Argument(..., metavar="PATH", help="Files, folders of files, or whole world folders."),
    table: str | None = typer.Option(None, "--table", help="Load every file into this contract table."),
    allow_extra_columns: bool = typer.Option(
        False, "--allow-extra-columns", help="Drop columns the contract does not know instead of refusing the file."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the ingest report as one JSON object."),
) -> None:
    """导入 — validate CSV / JSONL / Parquet files against the data contract and load them into the lake.

    Exit code 0: all rows accepted; 3: some rows quarantined or files refused (valid rows still loaded).
    """
    from grayshield.lake import Lake
    from grayshield.lake.ingest import Progress as IngestProgress

    lake = Lake(get_settings())
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("导入中", total=None)

        def show(event: IngestProgress) -> None:
            bar.update(task, description=f"导入 {event.file}", completed=event.bytes_done, total=event.bytes_total)

        report = lake.ingest(paths, table=table, allow_extra_columns=allow_extra_columns, progress=show)
    if json_out:
        print_json(report.to_dict())
    else:
        _print_report(report)
    raise typer.Exit(code=report.exit_code)
