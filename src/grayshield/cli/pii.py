"""``grayshield pii``: mask and scan files for customer PII (JR/T 0171-2020)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer
from rich.table import Table

from grayshield.cli.common import console, handle_errors, print_json
from grayshield.core.errors import IngestError, ValidationError
from grayshield.core.settings import get_settings
from grayshield.pii import ENTITY_TYPES, Policy, default_policy, load_policy, mask_file
from grayshield.pii.lexicon import load_lexicon
from grayshield.pii.masking import TEXT_BATCH_LINES, chunks, file_kind, iter_batches, parse_columns
from grayshield.pii.names import KnownNamesRecogniser, known_names_scanner
from grayshield.pii.scanner import Scanner, default_scanner

app = typer.Typer(help="脱敏 — find and mask customer PII in texts and tables.", no_args_is_help=True)


def _policy(path: Path | None) -> Policy:
    return load_policy(path) if path is not None else default_policy()


def _scanner(customers: Path | None) -> Scanner:
    """The default scanner, or one that also knows the customer names of a world or lake folder."""
    if customers is None:
        return default_scanner()
    if not customers.is_dir():
        raise IngestError(f"--customers: not a world or lake folder: {customers}")
    return known_names_scanner(KnownNamesRecogniser.from_world(customers, load_lexicon()).names)


_CUSTOMERS_HELP = (
    "World or lake folder whose customers table names are found anywhere (customer-name dictionary)."
)


def _default_out(source: Path) -> Path:
    return source.with_name(f"{source.stem}.masked{source.suffix}")


@app.command("mask")
@handle_errors
def mask_cmd(
    file: Path = typer.Argument(..., help="Text file (masked line by line) or CSV/Parquet file."),
    columns: str | None = typer.Option(
        None,
        "--columns",
        help="CSV/Parquet columns: 'remark,name=PERSON_NAME' (=ENTITY masks the whole value).",
    ),
    out: Path | None = typer.Option(None, "--out", help="Output file; default FILE.masked.EXT next to FILE."),
    policy: Path | None = typer.Option(
        None, "--policy", help="Policy TOML; default JR/T 0171-2020 display masking."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the run summary as JSON."),
    customers: Path | None = typer.Option(None, "--customers", help=_CUSTOMERS_HELP),
) -> None:
    """脱敏 — write a masked copy of FILE (streamed; the output appears only when complete)."""
    active = _policy(policy)
    target = out or _default_out(file)
    key = get_settings().pii_token_key.get_secret_value().encode()
    stats = mask_file(file, target, columns, active, key=key, scanner=_scanner(customers))
    summary = {"input": str(file), "output": str(target), **stats.to_dict()}
    if json_out:
        print_json(summary)
    else:
        found = "，".join(f"{ENTITY_TYPES[e].label} {n}" for e, n in stats.hits.items()) or "无"
        console.print(f"已脱敏 {stats.rows} 行 → {target}（策略版本 {active.version}；命中：{found}）")


@app.command("scan")
@handle_errors
def scan_cmd(
    file: Path = typer.Argument(..., help="Text file, or CSV/Parquet file (every text column is scanned)."),
    columns: str | None = typer.Option(None, "--columns", help="CSV/Parquet: only these columns."),
    json_out: bool = typer.Option(
        False, "--json", help="Text file: one JSON object per input line; table: one JSON summary."
    ),
    customers: Path | None = typer.Option(None, "--customers", help=_CUSTOMERS_HELP),
) -> None:
    """扫描 — report which PII FILE holds and where."""
    if not file.is_file():
        raise IngestError(f"input file not found: {file}")
    scanner = _scanner(customers)
    if file_kind(file) == "text":
        _scan_text_file(file, json_out, scanner)
    else:
        _scan_table_file(file, columns, json_out, scanner)


def _scan_text_file(file: Path, json_out: bool, scanner: Scanner) -> None:
    totals: Counter[str] = Counter()
    lines = 0
    try:
        with file.open(encoding="utf-8") as fh:
            for chunk in chunks((line.rstrip("\r\n") for line in fh), TEXT_BATCH_LINES):
                for hits in scanner.scan_many(chunk):
                    lines += 1
                    totals.update(h.entity for h in hits)
                    if json_out:
                        print_json({"line": lines, "hits": [h.to_dict() for h in hits]})
    except UnicodeDecodeError as exc:
        raise IngestError(f"{file}: not UTF-8 text (byte {exc.start}); convert it first") from None
    if not json_out:
        _print_totals(f"{file.name}：{lines} 行", totals)


def _scan_table_file(file: Path, columns: str | None, json_out: bool, scanner: Scanner) -> None:
    import pyarrow as pa

    wanted = list(parse_columns(columns)) if columns else None
    per_column: dict[str, Counter[str]] = {}
    rows = 0
    for batch in iter_batches(file):
        names = wanted or [
            f.name for f in batch.schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
        ]
        missing = [c for c in names if c not in batch.schema.names]
        if missing:
            raise ValidationError(f"columns not in {file.name}: {missing}; it has: {batch.schema.names}")
        for name in names:
            counter = per_column.setdefault(name, Counter())
            values = [v for v in batch.column(name).cast(pa.string()).to_pylist() if v]
            for hits in scanner.scan_many(values):
                counter.update(h.entity for h in hits)
        rows += batch.num_rows
    if json_out:
        print_json({"file": str(file), "rows": rows, "columns": {c: dict(n) for c, n in per_column.items()}})
        return
    for column, counts in per_column.items():
        _print_totals(f"{file.name} 列 {column}（{rows} 行）", counts)


def _print_totals(title: str, totals: Counter[str]) -> None:
    table = Table(title=title)
    table.add_column("实体")
    table.add_column("entity")
    table.add_column("命中", justify="right")
    for entity, count in totals.most_common():
        table.add_row(ENTITY_TYPES[entity].label, entity, str(count))
    if not totals:
        table.add_row("—", "—", "0")
    console.print(table)


@app.command("policy")
@handle_errors
def policy_cmd(
    policy: Path | None = typer.Option(
        None, "--policy", help="Policy TOML to validate; default the shipped one."
    ),
) -> None:
    """策略 — validate a policy file and print it as JSON (operator per entity)."""
    active = _policy(policy)
    print_json(active.model_dump())
