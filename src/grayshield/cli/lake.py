"""``grayshield lake``: what the lake holds, and the rows ingest quarantined."""

from __future__ import annotations

import typer
from rich.table import Table

from grayshield.cli.common import console, handle_errors, print_json
from grayshield.core.logging import scrub
from grayshield.core.settings import get_settings

app = typer.Typer(help="数据湖 — what the lake holds and what ingest quarantined.", no_args_is_help=True)


@app.command("summary")
@handle_errors
def summary(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Rows and months covered per table, and quarantined rows per table."""
    from grayshield.lake import Lake

    info = Lake(get_settings()).summary()
    if json_out:
        print_json(info)
        return
    table = Table(title=f"数据湖 {info['lake']}")
    table.add_column("表")
    table.add_column("行数", justify="right")
    table.add_column("月份")
    table.add_column("隔离行", justify="right")
    for name, entry in info["tables"].items():
        months = entry["months"]
        span = f"{months[0]} ~ {months[-1]}（{len(months)} 个月）" if months else "-"
        table.add_row(name, f"{entry['rows']:,}", span, f"{entry['quarantined']:,}")
    console.print(table)


@app.command("quarantine")
@handle_errors
def quarantine(
    table_name: str | None = typer.Option(None, "--table", help="Only this contract table."),
    limit: int = typer.Option(20, "--limit", min=1, help="At most this many rows, newest batch first."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Rejected rows with file, line, column and reason; raw rows are shown with phone/ID-like digits masked."""
    from grayshield.contract import get_table
    from grayshield.lake import Lake

    rows = Lake(get_settings()).quarantine()
    if table_name:
        get_table(table_name)
        rows = rows.filter(rows.table == table_name)
    frame = rows.order_by([rows.batch_id.desc(), rows.source_file, rows.line]).limit(limit).execute()
    records = [
        {"batch_id": r.batch_id, "table": r.table, "source_file": r.source_file, "line": int(r.line),
         "column": None if r.column is None or r.column != r.column else r.column,
         "reason": r.reason, "raw": scrub(r.raw or "")}
        for r in frame.itertuples()
    ]
    if json_out:
        print_json({"rows": records})
        return
    view = Table(title="隔离区")
    for name in ("表", "文件", "行", "列", "原因", "原始行（已脱敏）"):
        view.add_column(name)
    for r in records:
        view.add_row(r["table"], r["source_file"].rsplit("/", 1)[-1], str(r["line"]), r["column"] or "-",
                     r["reason"], r["raw"][:80])
    console.print(view)
