"""Applying a policy: to a text, to Arrow table columns, and to whole files streamed batch by batch.

Files are written to a temporary sibling and renamed into place only when complete, so a crash or a bad row
never leaves a half-masked file under the output name.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from grayshield.core.errors import IngestError, ValidationError
from grayshield.core.logging import get_logger
from grayshield.pii.entities import ENTITY_TYPES, Hit
from grayshield.pii.operators import Mask, Operator
from grayshield.pii.policy import Policy, default_policy
from grayshield.pii.scanner import SEPARATOR, Scanner, default_scanner, paused_gc

if TYPE_CHECKING:
    import pyarrow as pa

log = get_logger(__name__)

TABLE_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
BATCH_ROWS = 50_000
TEXT_BATCH_LINES = 2_000  # lines of a text file scanned and masked as one batch (Scanner.scan_many)


@dataclass
class MaskStats:
    """What a masking run did, without any of the values: safe to log and to print."""

    rows: int = 0
    hits: Counter[str] = field(default_factory=Counter)
    policy_version: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "hits": dict(sorted(self.hits.items())),
            "policy_version": self.policy_version,
        }


def apply_hits(text: str, hits: Sequence[Hit], policy: Policy, key: bytes | None) -> str:
    """Replace each (non-overlapping, ordered) hit by what the policy's operator for its entity returns.

    A batch has thousands of hits and most are plain display masks of letters and digits (cards, phones,
    names): those are sliced here, exactly as :meth:`Mask.apply` slices them, without a method call per hit.
    """
    if not hits:
        return text
    pieces: list[str] = []
    append = pieces.append
    cursor = 0
    plans: dict[str, tuple[Operator, tuple[int, int, str] | None]] = {}
    for hit in hits:
        entity, start, end, value = hit.entity, hit.start, hit.end, hit.text
        plan = plans.get(entity)
        if plan is None:
            plan = plans[entity] = _plan(policy.operator_for(entity))
        append(text[cursor:start])
        sliced = plan[1]
        if sliced is not None and value.isalnum():
            size = len(value)
            first = sliced[0] if sliced[0] < size else size
            last = sliced[1] if sliced[1] < size - first else size - first
            append(value[:first] + sliced[2] * (size - first - last) + value[size - last :])
        else:
            append(plan[0].apply(hit, key))
        cursor = end
    append(text[cursor:])
    return "".join(pieces)


def _plan(operator: Operator) -> tuple[Operator, tuple[int, int, str] | None]:
    """The operator, and (keep_first, keep_last, mask_char) when it is a mask that only keeps ends."""
    if isinstance(operator, Mask) and not (operator.keep_from or operator.keep_admin):
        return operator, (operator.keep_first, operator.keep_last, operator.mask_char)
    return operator, None


def mask_many(
    texts: Sequence[str],
    policy: Policy | None = None,
    *,
    key: bytes | None = None,
    scanner: Scanner | None = None,
    stats: MaskStats | None = None,
) -> list[str]:
    """Each text masked exactly as :func:`mask_text` masks it, in one scan and one replacement pass.

    The texts are joined with the scanner's separator, scanned and masked as one string, and split again: no
    per-document hit lists, offsets or string pieces. For batches of rows, lines and transcripts.
    """
    active_scanner = scanner or default_scanner()
    active_policy = policy or default_policy()
    if any(SEPARATOR in t for t in texts):  # a text holds the separator: mask one by one
        return [mask_text(t, active_policy, key=key, scanner=active_scanner, stats=stats) for t in texts]
    with paused_gc():
        text, entities = _scan_and_apply(active_scanner, SEPARATOR.join(texts), active_policy, key)
    if stats is not None:
        stats.hits.update(entities)
    masked = text.split(SEPARATOR)
    if len(masked) != len(texts):  # an operator's template wrote the separator: never split on a guess
        return [
            apply_hits(t, h, active_policy, key)
            for t, h in zip(texts, active_scanner.scan_many(texts), strict=True)
        ]
    return masked


def mask_text(
    text: str,
    policy: Policy | None = None,
    *,
    key: bytes | None = None,
    scanner: Scanner | None = None,
    stats: MaskStats | None = None,
) -> str:
    """``text`` with every PII hit replaced as the policy (default: JR/T 0171-2020 display masking) says."""
    masked, entities = _scan_and_apply(scanner or default_scanner(), text, policy or default_policy(), key)
    if stats is not None:
        stats.hits.update(entities)
    return masked


def _scan_and_apply(scanner: Scanner, text: str, policy: Policy, key: bytes | None) -> tuple[str, list[str]]:
    """``apply_hits(text, scanner.scan(text), …)`` and the entity of each hit; one call into the native fast
    path when the scanner has it (no Hit objects are built there unless an operator needs one)."""
    if scanner.native is not None:
        result: tuple[str, list[str]] | None = scanner.native.mask(text, policy, key)
        if result is not None:  # None: the engine is busy with another call, use the reference for this one
            return result
    hits = scanner.scan(text)
    return apply_hits(text, hits, policy, key), [h.entity for h in hits]


def _mask_whole(value: str, entity: str, policy: Policy, key: bytes | None) -> str:
    return policy.operator_for(entity).apply(Hit(entity, 0, len(value), value, 1.0, "column"), key)


def parse_columns(spec: str | Sequence[str] | Mapping[str, str | None]) -> dict[str, str | None]:
    """``"remark,name=PERSON_NAME"`` -> {remark: None (scan the text), name: PERSON_NAME (the whole value is one)}."""
    items: Mapping[str, str | None]
    if isinstance(spec, str):
        pairs = [part.strip().partition("=") for part in spec.split(",") if part.strip()]
        items = {name.strip(): (entity.strip() or None) for name, _, entity in pairs}
    elif isinstance(spec, Mapping):
        items = spec
    else:
        items = dict.fromkeys(spec)
    for name, entity in items.items():
        if entity is not None and entity not in ENTITY_TYPES:
            raise ValidationError(
                f"column {name!r}: unknown entity {entity!r}; known: {', '.join(ENTITY_TYPES)}"
            )
    if not items:
        raise ValidationError("no columns given to mask")
    return dict(items)


def mask_table(
    table: pa.Table | pa.RecordBatch,
    columns: str | Sequence[str] | Mapping[str, str | None],
    policy: Policy | None = None,
    *,
    key: bytes | None = None,
    scanner: Scanner | None = None,
    stats: MaskStats | None = None,
) -> pa.Table:
    """A copy of ``table`` whose ``columns`` are masked; a column mapped to an entity is masked as a whole value.

    Masked columns become strings (a masked card number is no longer a number); nulls stay null and every other
    column is untouched.
    """
    import pyarrow as pa

    wanted = parse_columns(columns)
    result = table if isinstance(table, pa.Table) else pa.Table.from_batches([table])
    missing = [c for c in wanted if c not in result.column_names]
    if missing:
        raise ValidationError(f"columns not in the table: {missing}; the table has: {result.column_names}")
    active_policy = policy or default_policy()
    active_scanner = scanner or default_scanner()
    for name, entity in wanted.items():
        index = result.column_names.index(name)
        masked: list[str | None] = result.column(index).cast(pa.string()).to_pylist()
        filled = [i for i, value in enumerate(masked) if value]
        if entity is not None:
            for i in filled:
                masked[i] = _mask_whole(masked[i], entity, active_policy, key)  # type: ignore[arg-type]
            if stats is not None:
                stats.hits[entity] += len(filled)
        else:
            texts: list[str] = [masked[i] for i in filled]  # type: ignore[misc]
            for i, value in zip(
                filled,
                mask_many(texts, active_policy, key=key, scanner=active_scanner, stats=stats),
                strict=True,
            ):
                masked[i] = value
        result = result.set_column(index, pa.field(name, pa.string()), pa.array(masked, type=pa.string()))
    if stats is not None:
        stats.rows += result.num_rows
        stats.policy_version = active_policy.version
    return result


def file_kind(path: Path) -> str:
    """``csv``, ``parquet`` or ``text`` (anything else is read as UTF-8 lines)."""
    return TABLE_SUFFIXES.get(path.suffix.lower(), "text")


@contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """A temporary path next to ``target`` that replaces it only if the block finishes without error."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), None)
    if not header:
        raise IngestError(f"{path}: empty CSV file (no header row)")
    return header


def iter_batches(path: Path, batch_rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
    """Record batches of a CSV (every column read as text, so leading zeros and ``X`` check digits survive)
    or Parquet file, never the whole file in memory."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    kind = file_kind(path)
    try:
        if kind == "parquet":
            yield from pq.ParquetFile(path).iter_batches(batch_size=batch_rows)
            return
        header = _csv_header(path)
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=1 << 22),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in header}),
        )
        yield from reader
    except (pa.ArrowInvalid, OSError) as exc:
        raise IngestError(f"cannot read {path}: {exc}") from None


def mask_file(
    source: Path,
    target: Path,
    columns: str | Sequence[str] | Mapping[str, str | None] | None = None,
    policy: Policy | None = None,
    *,
    key: bytes | None = None,
    scanner: Scanner | None = None,
) -> MaskStats:
    """Mask a text file line by line, or the ``columns`` of a CSV/Parquet file batch by batch, atomically."""
    if not source.is_file():
        raise IngestError(f"input file not found: {source}")
    if source.resolve() == target.resolve():
        raise ValidationError("the output file must differ from the input file")
    active_policy = policy or default_policy()
    stats = MaskStats(policy_version=active_policy.version)
    kind = file_kind(source)
    with atomic_output(target) as tmp:
        if kind == "text":
            _mask_text_file(source, tmp, active_policy, key, scanner, stats)
        else:
            if columns is None:
                raise ValidationError(
                    f"{source.name} is a {kind} file: say which columns to mask (--columns)"
                )
            _mask_table_file(source, tmp, kind, columns, active_policy, key, scanner, stats)
    log.info(
        "masked %s rows, hits per entity %s, policy %s", stats.rows, dict(stats.hits), stats.policy_version
    )
    return stats


def chunks(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    """Consecutive lists of at most ``size`` lines: streaming, yet batched for the scanner."""
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _mask_text_file(
    source: Path, tmp: Path, policy: Policy, key: bytes | None, scanner: Scanner | None, stats: MaskStats
) -> None:
    try:
        with source.open(encoding="utf-8") as src, tmp.open("w", encoding="utf-8") as out:
            for lines in chunks(src, TEXT_BATCH_LINES):
                out.write("".join(mask_many(lines, policy, key=key, scanner=scanner, stats=stats)))
                stats.rows += len(lines)
    except UnicodeDecodeError as exc:
        raise IngestError(f"{source}: not UTF-8 text (byte {exc.start}); convert it first") from None


def _mask_table_file(
    source: Path,
    tmp: Path,
    kind: str,
    columns: str | Sequence[str] | Mapping[str, str | None],
    policy: Policy,
    key: bytes | None,
    scanner: Scanner | None,
    stats: MaskStats,
) -> None:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    writer: pq.ParquetWriter | pacsv.CSVWriter | None = None
    try:
        for batch in iter_batches(source):
            masked = mask_table(batch, columns, policy, key=key, scanner=scanner, stats=stats)
            if writer is None:
                writer = (
                    pq.ParquetWriter(tmp, masked.schema)
                    if kind == "parquet"
                    else pacsv.CSVWriter(tmp, masked.schema)
                )
            writer.write_table(masked)
        if writer is None and kind == "parquet":  # no rows: keep the (masked) schema
            pq.write_table(mask_table(pq.read_schema(source).empty_table(), columns, policy), tmp)
        elif writer is None:  # a CSV with a header and no rows stays as it is
            tmp.write_bytes(source.read_bytes())
    finally:
        if writer is not None:
            writer.close()
