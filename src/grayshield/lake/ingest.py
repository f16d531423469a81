"""The ingest pipeline for one batch: find files, validate each against the contract, publish or refuse it.

A file goes through: inspect (hash, encoding, is it what its name says) -> manifest check (same bytes
already ingested: skip) -> column check -> chunks (parse every column, quarantine bad rows, drop
duplicate keys) -> publish. One bad file or row never stops the batch.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from grayshield.contract import TABLES, Table, get_table
from grayshield.contract.arrow import arrow_schema
from grayshield.core.errors import IngestError
from grayshield.core.logging import get_logger, scrub
from grayshield.lake.keys import KeyIndex
from grayshield.lake.parse import parse_column
from grayshield.lake.report import FileReport, IngestReport
from grayshield.lake.sources import (
    FORMATS,
    Chunk,
    FileRefused,
    JsonlReader,
    SourceFile,
    inspect,
    open_reader,
    prefetch,
)
from grayshield.lake.staging import (
    QUARANTINE_DIR,
    STAGING_DIR,
    FileStage,
    manifest_entry,
    new_stage,
    recover,
)

log = get_logger(__name__)

WORLD_SKIPPED = ("truth", "world.json")  # ground truth is not bank input; the manifest is not a table
QUARANTINE_SCHEMA = pa.schema([
    pa.field("batch_id", pa.string(), nullable=False),
    pa.field("table", pa.string(), nullable=False),
    pa.field("source_file", pa.string(), nullable=False),
    pa.field("line", pa.int64(), nullable=False),
    pa.field("column", pa.string()),
    pa.field("reason", pa.string(), nullable=False),
    pa.field("raw", pa.string()),
    pa.field("ingested_at", pa.timestamp("ms"), nullable=False),
])


@dataclass(frozen=True)
class IngestOptions:
    table: str | None = None  # force every file into this table instead of guessing from its name
    allow_extra_columns: bool = False
    chunk_rows: int = 250_000
    csv_block_bytes: int = 32 << 20  # ~250,000 calls rows per chunk; two chunks in flight with prefetch
    duckdb_memory_limit: str = "2GB"
    duckdb_threads: int | None = None


@dataclass(frozen=True)
class Progress:
    file: str
    bytes_done: int
    bytes_total: int


ProgressCallback = Callable[[Progress], None]


# Finding files and their tables ---------------------------------------------------------------------


def collect_files(paths: list[Path]) -> Iterator[Path]:
    """Files named directly, and data files under directories (a world's truth/ and the lake's _ folders skipped)."""
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        for found in sorted(path.rglob("*")):
            parts = found.relative_to(path).parts
            hidden = any(p.startswith((".", "_")) for p in parts)
            if hidden or parts[0] in WORLD_SKIPPED or not found.is_file():
                continue
            if found.suffix.lower() in FORMATS:
                yield found


def table_for(path: Path, override: str | None) -> Table:
    """The contract table a file feeds: ``--table``, its name (``calls_2024-01.csv``) or a parent folder's."""
    if override:
        return get_table(override)
    stem = path.stem.lower()
    if stem in TABLES:
        return TABLES[stem]
    prefixed = [t for t in TABLES if stem.startswith((f"{t}_", f"{t}-", f"{t}."))]
    if prefixed:
        return TABLES[max(prefixed, key=len)]
    for parent in list(path.parents)[:3]:
        if parent.name in TABLES:
            return TABLES[parent.name]
    raise FileRefused(f"{path.name}: 无法从文件名或目录名判断属于哪张表（可用 --table 指定）")


def check_columns(found: list[str], contract: Table, allow_extra: bool, file_name: str) -> list[str]:
    """The contract columns the file has; missing required or (unless allowed) unknown columns refuse it."""
    missing = [c for c in contract.required_columns if c not in found]
    if missing:
        raise FileRefused(f"{file_name}: 缺少必需列：{', '.join(missing)}")
    unknown = [c or "（空列名）" for c in found if c not in contract.column_names]
    if unknown and not allow_extra:
        raise FileRefused(f"{file_name}: 有合同中没有的列：{', '.join(unknown)}（可用 --allow-extra-columns 忽略）")
    return [c for c in contract.column_names if c in found]


# One chunk ------------------------------------------------------------------------------------------


@dataclass
class ChunkOutcome:
    accepted: int
    rejected: int


class FileIngest:
    """Validates one file's chunks into its stage; knows nothing about other files."""

    def __init__(self, source: SourceFile, contract: Table, stage: FileStage, keys: KeyIndex, batch_id: str) -> None:
        self.source = source
        self.contract = contract
        self.stage = stage
        self.keys = keys
        self.batch_id = batch_id
        self.schema = arrow_schema(contract)
        # via numpy: pyarrow converting a datetime object imports pandas, a second of start-up for nothing
        self.ingested_at = np.datetime64(datetime.now().replace(microsecond=0), "ms")

    def chunk(self, chunk: Chunk) -> ChunkOutcome:
        data = chunk.data
        rows = data.num_rows
        parsed = [
            parse_column(
                data.column(col.name).combine_chunks() if col.name in data.column_names else pa.nulls(rows, pa.string()),
                col,
            )
            for col in self.contract.columns
        ]
        bad = np.zeros(rows, dtype=bool)
        errors: list[tuple[np.ndarray, str, pa.Array]] = []
        for col, result in zip(self.contract.columns, parsed, strict=True):
            invalid = pc.is_valid(result.reasons).to_numpy(zero_copy_only=False)
            if invalid.any():
                positions = np.flatnonzero(invalid)
                errors.append((positions, col.name, result.reasons.take(pa.array(positions))))
                bad |= invalid
        good_positions = np.flatnonzero(~bad)
        table = pa.Table.from_arrays([p.values for p in parsed], schema=self.schema)
        if bad.any():
            table = table.take(pa.array(good_positions))
        duplicate_rows, duplicate_reasons = self.keys.duplicates(table, self.contract)
        if len(duplicate_rows):
            keep = np.ones(table.num_rows, dtype=bool)
            keep[duplicate_rows] = False
            table = table.filter(pa.array(keep))
            errors.append((good_positions[duplicate_rows], ",".join(self.contract.primary_key),
                           pa.array(duplicate_reasons, pa.string())))
        self.stage.in_background(self._write_rows, table)
        rejected = self._write_quarantine(chunk, errors)
        return ChunkOutcome(accepted=table.num_rows, rejected=rejected)

    def _write_rows(self, table: pa.Table) -> None:
        name = self.contract.name
        if self.contract.partition_by is None or table.num_rows == 0:
            self.stage.write(Path(name), table)
            return
        when = table.column(self.contract.partition_by)
        month_index = pc.add(pc.multiply(pc.year(when), 12), pc.subtract(pc.month(when), 1)).to_numpy()
        if (np.diff(month_index) >= 0).all():  # extracts usually come in time order: slice as is
            ordered, sorted_months = table, month_index
        else:  # one take, then zero-copy slices per month
            order = np.argsort(month_index, kind="stable")
            ordered, sorted_months = table.take(pa.array(order)), month_index[order]
        bounds = np.flatnonzero(np.diff(sorted_months)) + 1
        for start, stop in zip(np.r_[0, bounds], np.r_[bounds, len(sorted_months)], strict=True):
            year, month = divmod(int(sorted_months[start]), 12)
            self.stage.write(Path(name) / f"month={year:04d}-{month + 1:02d}", ordered.slice(start, stop - start))

    def _write_quarantine(self, chunk: Chunk, errors: list[tuple[np.ndarray, str, pa.Array]]) -> int:
        """One quarantine record per failing (row, column), plus rows that could not be split into fields."""
        if not errors and not chunk.problems:
            return 0
        positions = np.concatenate([e[0] for e in errors]) if errors else np.empty(0, np.int64)
        distinct = np.unique(positions)
        raw_of = dict(zip(distinct.tolist(), chunk.raw(distinct), strict=True))
        lines = chunk.lines[positions].tolist() + [p.line for p in chunk.problems]
        columns = [name for pos, name, _ in errors for _ in range(len(pos))] + [None] * len(chunk.problems)
        reasons = [r for _, _, rs in errors for r in rs.to_pylist()] + [p.reason for p in chunk.problems]
        raws = [raw_of[p] for p in positions.tolist()] + [p.raw for p in chunk.problems]
        count = len(lines)
        quarantine = pa.table(
            {
                "batch_id": pa.array([self.batch_id] * count, pa.string()),
                "table": pa.array([self.contract.name] * count, pa.string()),
                "source_file": pa.array([str(self.source.path)] * count, pa.string()),
                "line": pa.array(lines, pa.int64()),
                "column": pa.array(columns, pa.string()),
                "reason": pa.array(reasons, pa.string()),
                "raw": pa.array(raws, pa.string()),
                "ingested_at": pa.array(np.full(count, self.ingested_at), pa.timestamp("ms")),
            },
            schema=QUARANTINE_SCHEMA,
        )
        self.stage.in_background(self.stage.write, Path(QUARANTINE_DIR) / self.contract.name, quarantine)
        return len(distinct) + len(chunk.problems)


# The batch ------------------------------------------------------------------------------------------


class _LakeLock:
    """One ingest at a time per lake: a second one would otherwise clean up the first one's staging."""

    def __init__(self, lake: Path) -> None:
        self.path = lake / STAGING_DIR / ".lock"

    def __enter__(self) -> _LakeLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            text = self.path.read_text().strip()
            holder = int(text) if text.isdigit() else 0
            if holder and _alive(holder):
                raise IngestError(f"另一个导入任务（进程 {holder}）正在写入数据湖 {self.path.parents[1]}，请稍后再试")
        self.path.write_text(str(os.getpid()))
        return self

    def __exit__(self, *exc: object) -> None:
        self.path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return pid != os.getpid()


def run_batch(lake: Path, paths: list[Path], options: IngestOptions,
              progress: ProgressCallback | None = None) -> IngestReport:
    """Ingest every file under ``paths`` into ``lake``; returns what happened to each."""
    report = IngestReport(batch_id=datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6])
    if options.table:
        get_table(options.table)  # an unknown --table is the caller's mistake, not a file's
    lake.mkdir(parents=True, exist_ok=True)
    with _LakeLock(lake):
        report.recovered = recover(lake)
        files = list(collect_files(paths))
        total = sum(p.stat().st_size for p in files if p.is_file())
        done = 0
        keys = KeyIndex(lake, options.duckdb_memory_limit, options.duckdb_threads)
        seen_in_batch: set[str] = set()
        try:
            for index, path in enumerate(files):
                def on_chunk(position: int, path: Path = path, base: int = done) -> None:
                    if progress is not None:
                        progress(Progress(path.name, base + position, total))

                result = _ingest_file(lake, path, index, options, keys, report.batch_id, seen_in_batch, on_chunk)
                report.files.append(result)
                done += path.stat().st_size if path.is_file() else 0
                on_chunk(0, base=done)
                log.info("ingest %s: %s accepted=%d rejected=%d", path.name, result.status,
                         result.accepted, result.rejected)
        finally:
            keys.close()
    return report


def _ingest_file(lake: Path, path: Path, index: int, options: IngestOptions, keys: KeyIndex, batch_id: str,
                 seen_in_batch: set[str], on_chunk: Callable[[int], None]) -> FileReport:
    report = FileReport(path=str(path), status="refused")
    try:
        if not path.is_file():
            raise FileRefused(f"{path}: 文件不存在")
        contract = table_for(path, options.table)
        report.table = contract.name
        source = inspect(path)
        report.format, report.encoding, report.sha256 = source.format, source.encoding, source.sha256
        earlier = manifest_entry(lake, source.sha256)
        if earlier is not None or source.sha256 in seen_in_batch:
            report.status = "skipped"
            when = earlier["ingested_at"] if earlier else "本批"
            report.reason = f"相同内容的文件已于 {when} 导入，跳过"
            return report
        allowed = None if options.allow_extra_columns else frozenset(contract.column_names)
        reader = open_reader(source, options.chunk_rows, options.csv_block_bytes, allowed)
        used = check_columns(reader.columns, contract, options.allow_extra_columns, path.name)
        wanted = list(contract.column_names) if isinstance(reader, JsonlReader) else used
        stage = new_stage(lake, batch_id, index)
        work = FileIngest(source, contract, stage, keys, batch_id)
        try:
            for chunk in prefetch(reader.chunks(wanted)):
                outcome = work.chunk(chunk)
                report.accepted += outcome.accepted
                report.rejected += outcome.rejected
                on_chunk(chunk.bytes_read)
        except BaseException:
            stage.discard()
            keys.discard_file()
            raise
    except FileRefused as exc:
        report.accepted = report.rejected = 0
        report.reason = exc.message
        return report
    except (OSError, pa.ArrowException) as exc:  # unreadable or unparsable beyond what the readers foresee
        report.accepted = report.rejected = 0
        report.reason = f"{path.name}: 无法读取或解析（{type(exc).__name__}: {scrub(str(exc))[:200]}）"
        return report
    report.status = "ingested"
    stage.publish(source.sha256, {
        "sha256": source.sha256, "path": str(path), "table": contract.name, "batch_id": batch_id,
        "format": source.format, "encoding": source.encoding, "bytes": source.size,
        "accepted": report.accepted, "rejected": report.rejected,
        "ingested_at": datetime.now().isoformat(timespec="seconds"),
    })
    keys.commit_file()
    seen_in_batch.add(source.sha256)
    return report
