"""Shared by the bench scripts: machine facts, peak memory, and writing each result into docs/benchmarks.md.

Each script owns one section of the document, delimited by ``<!-- bench:NAME -->`` markers, and rewrites only
that section, so running one benchmark never erases another's figures.
"""

from __future__ import annotations

import os
import platform
import resource
import sys
from datetime import UTC, datetime
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

<!-- Each section is written by its `bench/*.py` script (`make bench`); edit the scripts, not the figures. -->

Speed and memory targets from the issues, measured by the scripts in `bench/` on the machine named in each
section. `BENCH_ARGS` passes options to every script (e.g. a smaller size for a quick look); the figures below
are from full-size runs unless the section says otherwise.
"""


def peak_rss_mb(include_children: bool = True) -> float:
    """Peak resident memory of this process (and its finished children) in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if include_children else 0
    return max(own, kids) / 1024.0


def cached_world(customers: int, months: int, seed: int, profile: str = "default") -> Path:
    """A simulated world under bench/out/, simulated on first use and reused by every later run."""
    from grayshield.sim import WorldParams, simulate

    path = Path(__file__).resolve().parent / "out" / f"world-{profile}-{customers}-{months}-{seed}"
    if not (path / "world.json").exists():
        print(f"simulating {customers:,} customers x {months} months -> {path} (cached for later runs)")
        simulate(WorldParams.for_profile(profile, customers=customers, months=months, seed=seed), path, force=True)
    return path


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}"


def record(name: str, title: str, lines: list[str]) -> None:
    """Replace (or append) section ``name`` of docs/benchmarks.md and echo it to stdout."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join([f"<!-- bench:{name} -->", f"## {title}", "", f"_{stamp}; {machine()}_", "", *lines,
                      f"<!-- /bench:{name} -->"])
    print(body)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else HEADER
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = before + body + after
    else:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    DOC.write_text(text, encoding="utf-8")
