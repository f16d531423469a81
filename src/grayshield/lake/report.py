"""What an ingest did, per file and per table: the object the CLI prints and scripts read as JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

FileStatus = Literal["ingested", "skipped", "refused"]

EXIT_ALL_ACCEPTED = 0
EXIT_SOME_REJECTED = 3  # some rows quarantined or some files refused; everything valid was still loaded


@dataclass
class FileReport:
    path: str
    status: FileStatus
    table: str | None = None
    format: str | None = None
    encoding: str | None = None
    sha256: str | None = None
    accepted: int = 0
    rejected: int = 0
    reason: str | None = None  # why a file was refused or skipped


@dataclass
class IngestReport:
    batch_id: str
    files: list[FileReport] = field(default_factory=list)
    recovered: dict[str, int] = field(default_factory=dict)  # leftovers of a crashed run cleaned up first

    @property
    def tables(self) -> dict[str, dict[str, int]]:
        totals: dict[str, dict[str, int]] = {}
        for f in self.files:
            if f.table is not None and f.status == "ingested":
                entry = totals.setdefault(f.table, {"accepted": 0, "rejected": 0})
                entry["accepted"] += f.accepted
                entry["rejected"] += f.rejected
        return totals

    @property
    def accepted(self) -> int:
        return sum(f.accepted for f in self.files if f.status == "ingested")

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files if f.status == "ingested")

    @property
    def refused(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "refused"]

    @property
    def exit_code(self) -> int:
        return EXIT_SOME_REJECTED if self.rejected or self.refused else EXIT_ALL_ACCEPTED

    def to_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "accepted_rows": self.accepted,
            "rejected_rows": self.rejected,
            "refused_files": len(self.refused),
            "skipped_files": sum(f.status == "skipped" for f in self.files),
            "tables": self.tables,
            "files": [asdict(f) for f in self.files],
            "recovered": self.recovered,
            "exit_code": self.exit_code,
        }
