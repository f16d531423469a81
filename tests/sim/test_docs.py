"""docs/simulator.md documents every parameter and every profile value."""

from __future__ import annotations

from pathlib import Path

from grayshield.sim import PROFILES, WorldParams

DOC = Path(__file__).resolve().parents[2] / "docs" / "simulator.md"


def test_every_parameter_is_documented_with_its_profile_values() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name, field in WorldParams.model_fields.items():
        if name == "profile":
            continue
        row = next((line for line in text.splitlines() if line.startswith(f"| `{name}` |")), None)
        assert row is not None, f"{name} is not documented"
        cells = [c.strip() for c in row.split("|")[2:5]]
        assert cells == [str(PROFILES[p].get(name, field.default)) for p in ("easy", "default", "hard")], name
