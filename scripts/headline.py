"""Print the headline figures of a `grayshield train AREA --json` result (read from stdin) for the demo."""

from __future__ import annotations

import json
import sys
from typing import Any


def out(line: str) -> None:
    sys.stdout.write(line + "\n")


def metrics_line(name: str, m: dict[str, Any]) -> str:
    return (f"   {name:<16} AUC {m['auc']:.3f}  KS {m['ks']:.3f}  top-5% capture {m['capture_at_5pct']:.1%}  "
            f"positives {m['positives']}")


def main() -> None:
    area = sys.argv[1] if len(sys.argv) > 1 else "?"
    info: dict[str, Any] = json.load(sys.stdin)
    if "version" in info:
        out(f"   {area}: model {info.get('model', area)} {info['version']}")
    for key, value in info.items():
        if key in ("model", "version", "path"):
            continue
        if key == "oot_validation" and isinstance(value, dict):
            for name, m in value.items():
                if isinstance(m, dict) and "auc" in m:
                    out(metrics_line(name, m))
        elif isinstance(value, dict):
            shown = {k: v for k, v in value.items() if k != "path"}
            out(f"   {key:<16} {json.dumps(shown, ensure_ascii=False)[:160]}")
        else:
            out(f"   {key:<16} {value}")


if __name__ == "__main__":
    main()
