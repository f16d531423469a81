"""Opening source files: what they are, how they are encoded, and their rows in bounded chunks.

Every file is first read once end to end to hash it (the idempotence key) and to decide its encoding
from the bytes; then a reader streams it in chunks. A problem with the file as a whole raises
:class:`FileRefused`; a row that cannot even be split into fields becomes a :class:`RowProblem` and the
rest of the file carries on.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from grayshield.core.errors import IngestError

FORMATS = {".csv": "csv", ".txt": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
           ".parquet": "parquet", ".pq": "parquet"}
PARQUET_MAGIC = b"PAR1"
UTF8_BOM = codecs.BOM_UTF8
READ_BLOCK = 8 << 20
HEADER_SCAN = 1 << 20  # a header line is found in the first MiB without scanning a whole block
JSONL_HEADER_LINES = 100  # keys of the first lines stand in for a header when checking required columns


class FileRefused(IngestError):
    """The whole file is refused; the message says why and, where it helps, where."""


@dataclass(frozen=True)
class SourceFile:
    path: Path
    format: str  # csv | jsonl | parquet
    sha256: str
    size: int
    encoding: str | None  # utf-8 | gb18030 for text formats


@dataclass
class RowProblem:
    """A row refused before type checks (wrong field count, not a JSON object)."""

    line: int
    reason: str
    raw: str


@dataclass
class Chunk:
    """A slice of a file: its rows as found (text for CSV/JSONL), their line numbers, and their raw text."""

    data: pa.Table
    lines: np.ndarray  # int64: physical line of each row's start (CSV/JSONL) or row number (Parquet)
    raw: Callable[[np.ndarray], list[str]]  # raw text of the rows at these positions
    problems: list[RowProblem] = field(default_factory=list)
    bytes_read: int = 0  # position in the file after this chunk, for progress


def format_of(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise FileRefused(f"{path.name}: 不支持的文件类型 {path.suffix!r}（支持 CSV、JSONL、Parquet）") from None


class _DecodeProbe:
    """Feeds blocks to an incremental decoder and remembers the byte offset of the first invalid byte."""

    def __init__(self, encoding: str) -> None:
        self._decoder = codecs.getincrementaldecoder(encoding)()
        self._consumed = 0
        self.error_offset: int | None = None

    def feed(self, block: bytes, final: bool = False) -> None:
        if self.error_offset is not None:
            return
        pending = len(self._decoder.getstate()[0])
        try:
            self._decoder.decode(block, final=final)
        except UnicodeDecodeError as exc:
            self.error_offset = self._consumed - pending + exc.start
        self._consumed += len(block)


def _decode_offset(path: Path, encoding: str) -> int | None:
    """Byte offset of the first byte that is not valid in ``encoding``, or None if the file decodes."""
    probe = _DecodeProbe(encoding)
    with path.open("rb") as fh:
        while block := fh.read(READ_BLOCK):
            probe.feed(block)
            if probe.error_offset is not None:
                break
    probe.feed(b"", final=True)
    return probe.error_offset


def inspect(path: Path, declared_format: str | None = None) -> SourceFile:
    """Hash the file and check that its bytes are what its name says; refuse it otherwise.

    One pass does the hash, the NUL-byte check and UTF-8 validation; GB18030 needs a second pass only
    for files that are not UTF-8.
    """
    fmt = declared_format or format_of(path)
    digest = hashlib.sha256()
    utf8 = _DecodeProbe("utf-8")
    size = 0
    head = b""
    has_nul = False
    ascii_only = True
    with path.open("rb") as fh:
        while block := fh.read(READ_BLOCK):
            if not head:
                head = block[:4096]
            has_nul = has_nul or b"\x00" in block
            ascii_only = ascii_only and block.isascii()
            digest.update(block)
            if fmt != "parquet":
                utf8.feed(block)
            size += len(block)
    utf8.feed(b"", final=True)
    if size == 0 or (fmt != "parquet" and not head.strip(b" \t\r\n" + UTF8_BOM)):
        raise FileRefused(f"{path.name}: 文件为空")
    if fmt == "parquet":
        if not head.startswith(PARQUET_MAGIC):
            raise FileRefused(f"{path.name}: 扩展名是 Parquet，但内容不是 Parquet 文件（缺少 PAR1 文件头）")
        return SourceFile(path, fmt, digest.hexdigest(), size, None)
    if head.startswith(PARQUET_MAGIC):
        raise FileRefused(f"{path.name}: 内容是 Parquet 文件，与扩展名 {path.suffix} 不符")
    if has_nul:
        raise FileRefused(f"{path.name}: 是二进制文件（含 NUL 字节），不是 {fmt.upper()} 文本")
    first_char = head.lstrip(UTF8_BOM + b" \t\r\n")[:1]
    if fmt == "jsonl" and first_char != b"{":
        raise FileRefused(f"{path.name}: 不是 JSON Lines 文件（首个非空字符应为 '{{'）")
    gb_error = None if ascii_only else _decode_offset(path, "gb18030")  # stops at the first bad byte
    if utf8.error_offset is None:
        both = not ascii_only and gb_error is None and not head.startswith(UTF8_BOM)  # a BOM settles it
        encoding = "gb18030" if both and _reads_more_chinese_as_gb18030(path) else "utf-8"
        return SourceFile(path, fmt, digest.hexdigest(), size, encoding)
    if gb_error is None:
        return SourceFile(path, fmt, digest.hexdigest(), size, "gb18030")
    raise FileRefused(
        f"{path.name}: 编码无法识别：按 UTF-8 在第 {utf8.error_offset} 字节处无效，"
        f"按 GB18030/GBK 在第 {gb_error} 字节处无效（请导出为 UTF-8 或 GBK）"
    )


def _reads_more_chinese_as_gb18030(path: Path) -> bool:
    """For bytes valid in both encodings, the reading with fewer implausible characters wins, UTF-8 on a tie.

    Short GBK text can be valid UTF-8 (停 is CD A3, which UTF-8 reads as a combining mark) and short UTF-8 text
    can be valid GBK (。X reads as the rare 銆俋). A bank extract holds ASCII, common hanzi (GB2312) and
    Chinese punctuation; anything else — combining marks, Latin-1 letters, Cyrillic, rare hanzi — is implausible.
    """
    with path.open("rb") as fh:
        sample = fh.read(1 << 20)
    return _implausible(sample.decode("gb18030", errors="ignore")) < _implausible(
        sample.decode("utf-8", errors="ignore"))


def _implausible(text: str) -> int:
    return sum(1 for char in set(text) if not _plausible(char))


def _plausible(char: str) -> bool:
    if char.isascii():
        return True
    if not ("\u4e00" <= char <= "\u9fff" or "\u3000" <= char <= "\u303f" or "\uff00" <= char <= "\uffef"
            or char in "·—‘’“”…"):
        return False
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def utf8_blocks(source: SourceFile, block_size: int) -> Iterator[tuple[bytes, int]]:
    """The file as UTF-8 bytes in blocks, without BOM, with the file position after each block.

    UTF-8 was validated by :func:`inspect`, so it passes through untouched; GB18030 is transcoded.
    """
    decoder = None if source.encoding == "utf-8" else codecs.getincrementaldecoder(str(source.encoding))()
    with source.path.open("rb") as fh:
        first = True
        while block := fh.read(block_size):
            if decoder is not None:
                block = decoder.decode(block).encode("utf-8")
            elif first:
                block = block.removeprefix(UTF8_BOM)
            first = False
            yield block, fh.tell()
        if decoder is not None and (tail := decoder.decode(b"", final=True)):
            yield tail.encode("utf-8"), fh.tell()


# CSV ------------------------------------------------------------------------------------------------


class CsvReader:
    """RFC 4180 CSV in chunks that end on record boundaries, with each record's physical line number.

    Record boundaries are found with numpy (a newline outside quotes: an even count of quote characters
    before it), so line numbers stay right when quoted fields hold newlines; pyarrow then parses each
    chunk's fields. Records with the wrong number of fields are split off as problems before parsing.
    """

    def __init__(self, source: SourceFile, block_size: int = 32 << 20) -> None:
        self.source = source
        self.block_size = block_size
        self._blocks = utf8_blocks(source, block_size)
        self._carry = b""
        self._position = 0
        self._next_line = 1
        self.columns = self._read_header()

    def _read_header(self) -> list[str]:
        buffer = b""
        for block, position in self._blocks:
            buffer += block
            self._position = position
            ends = _record_ends(np.frombuffer(buffer, np.uint8)[:HEADER_SCAN])
            if not len(ends) and len(buffer) > HEADER_SCAN:
                ends = _record_ends(np.frombuffer(buffer, np.uint8))
            if len(ends):
                header, self._carry = buffer[: ends[0]], buffer[ends[0] + 1 :]
                break
        else:
            header, self._carry = buffer, b""
        self._next_line = 1 + header.count(b"\n") + 1
        names = next(csv.reader([header.decode("utf-8").rstrip("\r")]), [])
        names = [n.strip() for n in names]
        if not any(names):
            raise FileRefused(f"{self.source.path.name}: 缺少表头行")
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise FileRefused(f"{self.source.path.name}: 表头列名重复：{', '.join(duplicated)}")
        return names

    def chunks(self, wanted: list[str]) -> Iterator[Chunk]:
        pending = self._carry
        exhausted = False
        while not exhausted:
            try:
                block, self._position = next(self._blocks)
                buffer = pending + block
            except StopIteration:
                exhausted, buffer = True, pending
            data = np.frombuffer(buffer, np.uint8)
            newlines = np.flatnonzero(data == 10)
            ends = _record_ends(data, newlines, quoted=b'"' in buffer)
            if not exhausted:
                if not len(ends):
                    pending = buffer
                    continue
                cut = int(ends[-1]) + 1
                pending, buffer, data = buffer[cut:], buffer[:cut], data[:cut]
                newlines = newlines[newlines < cut]
            elif buffer and (not len(ends) or ends[-1] != len(buffer) - 1):
                self._check_tail(buffer, data, ends)
                ends = np.append(ends, len(buffer))
            if len(ends):
                yield self._chunk(buffer, data, ends, newlines, wanted)

    def _check_tail(self, buffer: bytes, data: np.ndarray, ends: np.ndarray) -> None:
        """A last record without a newline is fine unless the file was cut off inside it."""
        start = int(ends[-1]) + 1 if len(ends) else 0
        line = self._next_line + int(np.count_nonzero(data[:start] == 10))
        if np.count_nonzero(data[start:] == 34) % 2:
            raise FileRefused(f"{self.source.path.name}: 文件被截断：第 {line} 行的引号没有闭合，文件在此中断")
        fields = next(csv.reader([buffer[start:].decode("utf-8").rstrip("\r")]), [])
        if 0 < len(fields) < len(self.columns):
            raise FileRefused(
                f"{self.source.path.name}: 文件被截断：最后一行（第 {line} 行）只有 {len(fields)} 个字段，"
                f"应为 {len(self.columns)} 个，且没有换行结尾"
            )

    def _chunk(self, buffer: bytes, data: np.ndarray, ends: np.ndarray, newlines: np.ndarray,
               wanted: list[str]) -> Chunk:
        starts = np.concatenate(([0], ends[:-1] + 1))
        lines = self._next_line + np.searchsorted(newlines, starts)
        self._next_line += len(newlines)
        lengths = ends - starts
        last_byte = data[np.maximum(ends - 1, 0)]
        blank = (lengths == 0) | ((lengths == 1) & (last_byte == 13))  # pyarrow skips empty lines too
        keep = ~blank
        try:
            table = _parse_csv(buffer, self.columns, wanted)
        except pa.ArrowInvalid:  # some record has the wrong number of fields: find them, parse the rest
            table, problems = self._parse_without_bad_records(buffer, data, starts, ends, lines, keep, wanted)
        else:
            problems = []
        kept_starts, kept_ends = starts[keep], ends[keep]
        if table.num_rows != len(kept_starts):
            raise FileRefused(
                f"{self.source.path.name}: 第 {int(lines[0])} 行起的 CSV 结构无法一致解析（引号用法不符合 RFC 4180）"
            )

        def raw(indices: np.ndarray) -> list[str]:
            return [_decode(buffer[kept_starts[i] : kept_ends[i]]) for i in indices]

        return Chunk(table, lines[keep].astype(np.int64), raw, problems, self._position)

    def _parse_without_bad_records(self, buffer: bytes, data: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                                   lines: np.ndarray, keep: np.ndarray,
                                   wanted: list[str]) -> tuple[pa.Table, list[RowProblem]]:
        """Split off records whose field count differs from the header (``keep`` is updated in place)."""
        field_counts = _field_counts(data, starts, ends)
        wrong = keep & (field_counts != len(self.columns))
        problems = [
            RowProblem(int(lines[i]), f"字段数为 {field_counts[i]}，表头为 {len(self.columns)} 列",
                       _decode(buffer[starts[i] : ends[i]]))
            for i in np.flatnonzero(wrong)
        ]
        keep &= ~wrong
        byte_keep = np.repeat(keep, np.diff(np.append(starts, len(data))))
        body = data[byte_keep[: len(data)]].tobytes()
        table = _parse_csv(body, self.columns, wanted) if keep.any() else _empty(wanted)
        return table, problems


def _record_ends(data: np.ndarray, newlines: np.ndarray | None = None, quoted: bool = True) -> np.ndarray:
    """Positions of newlines that end a record (outside quotes), for a buffer starting at a record start."""
    if newlines is None:
        newlines = np.flatnonzero(data == 10)
    if not quoted:  # the caller checked the bytes for '"' (a fast memchr): no quotes, every newline ends a record
        return newlines
    quotes = np.flatnonzero(data == 34)
    if not len(quotes):
        return newlines
    outside_quotes: np.ndarray = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
    return outside_quotes


def _field_counts(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    commas = np.flatnonzero(data == 44)
    quotes = np.flatnonzero(data == 34)
    if len(quotes):
        commas = commas[np.searchsorted(quotes, commas) % 2 == 0]
    record_of_comma = np.searchsorted(starts, commas, side="right") - 1
    counts = np.bincount(record_of_comma, minlength=len(starts)) + 1
    return counts[: len(starts)]


def _parse_csv(body: bytes, columns: list[str], wanted: list[str]) -> pa.Table:
    import pyarrow.csv as pcsv

    return pcsv.read_csv(
        io.BytesIO(body),
        read_options=pcsv.ReadOptions(column_names=columns, block_size=16 << 20),
        parse_options=pcsv.ParseOptions(newlines_in_values=True),
        convert_options=pcsv.ConvertOptions(
            column_types=dict.fromkeys(columns, pa.string()),
            include_columns=wanted,
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=False,
        ),
    )


def _empty(columns: list[str]) -> pa.Table:
    return pa.table({c: pa.array([], pa.string()) for c in columns})


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").rstrip("\r")


# JSON Lines -----------------------------------------------------------------------------------------


class JsonlReader:
    """One JSON object per line. Values become text so every format goes through the same type checks.

    JSON parsing is per line in Python (the standard library has no vectorised reader that keeps line
    numbers and survives a bad line); CSV is the bulk path.
    """

    def __init__(self, source: SourceFile, chunk_rows: int, allowed_keys: frozenset[str] | None = None) -> None:
        self.source = source
        self.chunk_rows = chunk_rows
        self.allowed_keys = allowed_keys  # None: any key (extra ones are dropped later)
        self.columns = self._first_keys()

    def _first_keys(self) -> list[str]:
        keys: dict[str, None] = {}
        for _, _, value in self._objects(limit=JSONL_HEADER_LINES):
            if isinstance(value, dict):
                keys.update(dict.fromkeys(value))
        if not keys:
            raise FileRefused(f"{self.source.path.name}: 没有可读的 JSON 对象")
        return list(keys)

    def _objects(self, limit: int | None = None) -> Iterator[tuple[int, str, object]]:
        assert self.source.encoding is not None
        encoding = "utf-8-sig" if self.source.encoding == "utf-8" else self.source.encoding
        with self.source.path.open(encoding=encoding, newline="") as fh:
            for number, line in enumerate(fh, start=1):
                if limit is not None and number > limit:
                    return
                text = line.rstrip("\r\n")
                if not text.strip():
                    continue
                try:
                    yield number, text, json.loads(text)
                except json.JSONDecodeError as exc:
                    if not line.endswith("\n") and number > 1:
                        raise FileRefused(
                            f"{self.source.path.name}: 文件被截断：最后一行（第 {number} 行）不是完整的 JSON"
                        ) from exc
                    yield number, text, exc

    def chunks(self, wanted: list[str]) -> Iterator[Chunk]:
        batch: list[tuple[int, str, dict[str, object]]] = []
        problems: list[RowProblem] = []
        for number, text, value in self._objects():
            if isinstance(value, json.JSONDecodeError):
                problems.append(RowProblem(number, f"不是有效的 JSON（{value.msg}）", text))
            elif not isinstance(value, dict):
                problems.append(RowProblem(number, "不是 JSON 对象", text))
            else:
                unknown = set() if self.allowed_keys is None else set(value) - self.allowed_keys
                if unknown:
                    raise FileRefused(
                        f"{self.source.path.name}: 第 {number} 行有合同中没有的列：{', '.join(sorted(unknown))}"
                        "（可用 --allow-extra-columns 忽略）"
                    )
                batch.append((number, text, value))
            if len(batch) >= self.chunk_rows:
                yield self._chunk(batch, problems, wanted)
                batch, problems = [], []
        if batch or problems:
            yield self._chunk(batch, problems, wanted)

    def _chunk(self, batch: list[tuple[int, str, dict[str, object]]], problems: list[RowProblem],
               wanted: list[str]) -> Chunk:
        table = pa.table({c: pa.array([_as_text(row.get(c)) for _, _, row in batch], pa.string()) for c in wanted})
        texts = [text for _, text, _ in batch]

        def raw(indices: np.ndarray) -> list[str]:
            return [texts[i] for i in indices]

        return Chunk(table, np.array([n for n, _, _ in batch], np.int64), raw, problems, self.source.size)


def _as_text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


# Parquet --------------------------------------------------------------------------------------------


class ParquetReader:
    """Parquet row groups in batches; 'line' is the 1-based row number and the raw row is JSON."""

    def __init__(self, source: SourceFile, chunk_rows: int) -> None:
        import pyarrow.parquet as pq

        self.source = source
        self.chunk_rows = chunk_rows
        try:
            self._file = pq.ParquetFile(source.path)
        except (pa.ArrowException, OSError) as exc:
            raise FileRefused(f"{source.path.name}: 不是可读的 Parquet 文件（可能已截断或损坏）：{exc}") from exc
        self.columns = list(self._file.schema_arrow.names)

    def chunks(self, wanted: list[str]) -> Iterator[Chunk]:
        first_row = 1
        total = max(self._file.metadata.num_rows, 1)
        try:
            for batch in self._file.iter_batches(batch_size=self.chunk_rows, columns=wanted):
                table = pa.Table.from_batches([batch])
                start = first_row

                def raw(indices: np.ndarray, table: pa.Table = table) -> list[str]:
                    rows = table.take(pa.array(indices, pa.int64())).to_pylist()
                    return [json.dumps(r, ensure_ascii=False, default=str) for r in rows]

                first_row += table.num_rows
                progress = int(self.source.size * min(first_row / total, 1.0))
                yield Chunk(table, np.arange(start, first_row, dtype=np.int64), raw, [], progress)
        except (pa.ArrowException, OSError) as exc:
            raise FileRefused(f"{self.source.path.name}: Parquet 文件在第 {first_row} 行附近损坏：{exc}") from exc


Reader = CsvReader | JsonlReader | ParquetReader


def open_reader(source: SourceFile, chunk_rows: int, csv_block_bytes: int,
                allowed_keys: frozenset[str] | None) -> Reader:
    """The reader for the file's format; ``allowed_keys`` lets JSONL refuse unknown keys on any line."""
    if source.format == "csv":
        return CsvReader(source, csv_block_bytes)
    if source.format == "jsonl":
        return JsonlReader(source, chunk_rows, allowed_keys)
    return ParquetReader(source, chunk_rows)


def prefetch(chunks: Iterator[Chunk], depth: int = 1) -> Iterator[Chunk]:
    """Read the next chunk in a thread while the caller validates and writes this one.

    pyarrow and numpy release the GIL, so reading and validating overlap on two cores; ``depth`` bounds
    how many chunks wait in memory. An error in the reader is raised here, in the caller's thread.
    """
    handoff: queue.Queue[Chunk | BaseException | None] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: Chunk | BaseException | None) -> bool:
        """Hand over ``item`` unless the consumer has gone (then the reader stops)."""
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not offer(chunk):
                    return
            offer(None)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            offer(exc)

    worker = threading.Thread(target=produce, name="ingest-reader", daemon=True)
    worker.start()
    try:
        while (item := handoff.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()
