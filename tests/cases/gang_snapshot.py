"""A latest gang-discovery run with one gang, as ``grayshield gangs discover`` writes it, for the console tests."""

from __future__ import annotations

import json
from pathlib import Path

from grayshield.services import strike

NUMBER = "+8617012345678"


def gang_record() -> dict[str, object]:
    return {"gang_id": "GS-0001", "status": "new", "score": 0.97, "counts": {"customer": 2, "number": 1},
            "summary_zh": "团伙 GS-0001：客户 2 个。主要号码：+861******5678。",
            "summary_zh_full": f"团伙 GS-0001：客户 2 个。主要号码：{NUMBER}。",
            "facts": {"evidence": {"shared_numbers": 1}, "templates": [{"template": "T3", "complaints": 2}],
                      "first_seen": "2024-02-01T00:00:00", "last_seen": "2024-05-01T00:00:00"},
            "members": ["customer:C1", "customer:C2", f"number:{NUMBER}"],
            "entities": [{"kind": "号码", "id": NUMBER, "note": "关联客户 2 次"}],
            "graph": {"nodes": [{"id": "customer:C1", "kind": "customer", "label": "C1"},
                                {"id": f"number:{NUMBER}", "kind": "number", "label": NUMBER}],
                      "edges": [[f"number:{NUMBER}", "customer:C1"]]}}


def write_latest_run(state: Path) -> Path:
    """``state`` holding a latest run with :func:`gang_record`; returns ``state``."""
    state.mkdir(parents=True, exist_ok=True)
    (state / strike.LATEST_FILE).write_text(json.dumps({"run": 1, "gangs": [gang_record()]}, ensure_ascii=False),
                                            encoding="utf-8")
    return state
