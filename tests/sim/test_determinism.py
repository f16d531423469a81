"""Same seed and parameters, byte-identical world; another seed, another world; bad input, clear errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from grayshield.core.errors import ValidationError
from grayshield.sim import WorldParams, simulate


def _digest(world: Path) -> dict[str, str]:
    return {str(p.relative_to(world)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(world.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    params = WorldParams.for_profile("default", customers=250, months=3, seed=3, chunk_customers=100)
    simulate(params, tmp_path / "a")
    simulate(params, tmp_path / "b")
    first, second = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    assert len(first) > 30
    assert first == second


def test_another_seed_gives_another_world(tmp_path: Path) -> None:
    simulate(WorldParams.for_profile("easy", customers=100, months=2, seed=1), tmp_path / "a")
    simulate(WorldParams.for_profile("easy", customers=100, months=2, seed=2), tmp_path / "b")
    a = (tmp_path / "a" / "customers" / "part-00000.parquet").read_bytes()
    assert a != (tmp_path / "b" / "customers" / "part-00000.parquet").read_bytes()


def test_non_empty_folder_is_refused_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "world"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    params = WorldParams.for_profile("easy", customers=50, months=1)
    with pytest.raises(ValidationError, match="not empty"):
        simulate(params, out)
    assert (out / "keep.txt").exists()
    simulate(params, out, force=True)
    assert not (out / "keep.txt").exists() and (out / "world.json").exists()
    assert not list(tmp_path.glob(".*partial"))


@pytest.mark.parametrize(("profile", "overrides", "message"), [
    ("nightmare", {}, "unknown profile"),
    ("default", {"start": "2024-13"}, "start"),
    ("default", {"customers": 0}, "customers"),
    ("default", {"evasion_rate": 1.5}, "evasion_rate"),
    ("default", {"no_such_knob": 1}, "no_such_knob"),
])
def test_bad_parameters_are_clear_errors(profile: str, overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        WorldParams.for_profile(profile, **overrides)


@pytest.mark.parametrize("profile", ["easy", "hard"])
def test_tiny_worlds_still_build(tmp_path: Path, profile: str) -> None:
    """Edge sizes: ten customers, one month, a single gang; empty groups must not break any stage."""
    manifest = simulate(WorldParams.for_profile(profile, customers=10, months=1, seed=3, gang_count=1), tmp_path / "w")
    assert manifest["row_counts"]["customers"] == 10
    assert manifest["row_counts"]["truth/gangs"] == 1
