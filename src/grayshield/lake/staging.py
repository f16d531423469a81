"""Write-then-publish: nothing a reader can see is ever half written.

Each source file's output (its table partitions and its quarantine rows) is written under
``<lake>/_staging/<batch>/<n>/``. Publishing first writes a journal of the renames, then renames every part
into place (each rename is atomic), then records the file in the manifest and drops the journal. A crash
before the journal leaves only staging files, which the next run deletes; a crash after it is rolled
forward by the next run, so a file's rows are either all visible or none are.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

STAGING_DIR = "_staging"
MANIFEST_DIR = "_manifest"
QUARANTINE_DIR = "_quarantine"
JOURNAL = "PUBLISH.json"
MAX_PENDING = 2


def _write_json_atomically(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(payload, fh, ensure_ascii=False, indent=2, default=str)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


@dataclass
class FileStage:
    """Parquet writers for one source file's output, kept open across its chunks (one part per partition).

    Writing happens on one background thread so encoding Parquet overlaps with validating the next chunk;
    at most ``MAX_PENDING`` writes wait, which bounds the memory they hold.
    """

    lake: Path
    folder: Path
    part_name: str
    _writers: dict[Path, pq.ParquetWriter] = field(default_factory=dict)
    _pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, "lake-writer"))
    _pending: deque[Future[None]] = field(default_factory=deque)

    def in_background(self, work: Callable[..., None], *args: Any) -> None:
        """Run ``work(*args)`` on the writer thread, after every write queued before it."""
        self._pending.append(self._pool.submit(work, *args))
        while len(self._pending) > MAX_PENDING:
            self._pending.popleft().result()

    def write(self, relative: Path, table: pa.Table) -> None:
        """Append ``table`` to the part that will be published as ``<lake>/<relative>/<part_name>``.

        Call it from work run :meth:`in_background`, or before any is queued.
        """
        if table.num_rows == 0:
            return
        writer = self._writers.get(relative)
        if writer is None:
            target = self.folder / relative / self.part_name
            target.parent.mkdir(parents=True, exist_ok=True)
            writer = self._writers[relative] = pq.ParquetWriter(target, table.schema)
        writer.write_table(table)

    def close(self) -> None:
        """Finish queued writes (raising their errors) and close every part."""
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            for writer in self._writers.values():
                writer.close()
            self._writers.clear()
            self._pool.shutdown(wait=True, cancel_futures=True)

    def publish(self, manifest_key: str, manifest_entry: dict[str, Any]) -> None:
        self.close()
        moves = [
            (str(p), str(self.lake / p.relative_to(self.folder)))
            for p in sorted(self.folder.rglob("*.parquet"))
        ]
        _write_json_atomically(
            self.folder / JOURNAL, {"moves": moves, "manifest_key": manifest_key, "manifest": manifest_entry}
        )
        _complete(self.folder)

    def discard(self) -> None:
        with contextlib.suppress(Exception):  # the output is thrown away: a failed write there changes nothing
            self.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _complete(folder: Path) -> None:
    """Carry out (or finish) a journalled publish; safe to run again after a crash at any point."""
    journal = json.loads((folder / JOURNAL).read_text(encoding="utf-8"))
    for source, target in journal["moves"]:
        if Path(source).exists():
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    lake = folder.parents[2]
    _write_json_atomically(lake / MANIFEST_DIR / f"{journal['manifest_key']}.json", journal["manifest"])
    shutil.rmtree(folder)


def new_stage(lake: Path, batch_id: str, index: int) -> FileStage:
    folder = lake / STAGING_DIR / batch_id / f"{index:05d}"
    folder.mkdir(parents=True, exist_ok=True)
    return FileStage(lake=lake, folder=folder, part_name=f"part-{batch_id}-{index:05d}.parquet")


def recover(lake: Path) -> dict[str, int]:
    """Roll journalled publishes forward and delete unpublished staging left by a crashed run."""
    staging = lake / STAGING_DIR
    counts = {"rolled_forward": 0, "discarded": 0}
    if not staging.is_dir():
        return counts
    for batch in sorted(p for p in staging.iterdir() if p.is_dir()):
        for folder in sorted(p for p in batch.iterdir() if p.is_dir()):
            if (folder / JOURNAL).exists():
                _complete(folder)
                counts["rolled_forward"] += 1
            else:
                shutil.rmtree(folder)
                counts["discarded"] += 1
        shutil.rmtree(batch, ignore_errors=True)
    return counts


def manifest_entry(lake: Path, sha256: str) -> dict[str, Any] | None:
    """What the manifest recorded when a file with these bytes was ingested, or None if it never was."""
    path = lake / MANIFEST_DIR / f"{sha256}.json"
    if not path.exists():
        return None
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded
