"""`make demo`'s pipeline end to end on a small world, with DEBUG logging: it succeeds, prints the headline
figures, writes alerts, and nothing it prints or logs carries a customer's name, ID number or phone number."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def test_demo_pipeline_runs_and_leaks_no_pii(tmp_path: Path) -> None:
    home, world = tmp_path / "home", tmp_path / "world"
    env = {**os.environ, "DEMO_SERVE": "0", "DEMO_MONTHS": "8", "GRAYSHIELD_LOG_LEVEL": "DEBUG",
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    run = subprocess.run(["bash", "scripts/demo.sh", str(home), str(world), "1500"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=1200)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    assert "AUC" in output and "级预警" in output and "Traceback" not in output

    import pyarrow.dataset as ds

    customers = ds.dataset(world / "customers", format="parquet").to_table(
        columns=["name", "id_number", "registered_phone"]).to_pylist()
    leaked = {
        field: [row[field] for row in customers if row[field] and row[field] in output]
        for field in ("id_number", "registered_phone")
    }
    # Full names of three characters or more: shorter ones also occur as ordinary words.
    leaked["name"] = [row["name"] for row in customers if len(row["name"]) >= 3 and row["name"] in output]
    national = [row["registered_phone"].removeprefix("+86") for row in customers]
    leaked["phone_digits"] = [n for n in national if n in output]
    assert not any(leaked.values()), {k: v[:3] for k, v in leaked.items()}
