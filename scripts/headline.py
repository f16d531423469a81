"""Print the headline figures of a `grayshield train AREA --json` result (read from stdin) for the demo."""

from __future__ import annotations

import json
import sys


def out(line: str) -> None:
    sys.stdout.write(line + "\n")


def main() -> None:
    area = sys.argv[1] if len(sys.argv) > 1 else "?"
    info = json.load(sys.stdin)
    out(f"   {area}: model {info.get('model', area)} {info.get('version', '')}")
    for name, metrics in (info.get("oot_validation") or info.get("metrics") or {}).items():
        if isinstance(metrics, dict) and "auc" in metrics:
            out(f"   {name:<16} AUC {metrics['auc']:.3f}  KS {metrics['ks']:.3f}  "
                  f"top-5% capture {metrics['capture_at_5pct']:.1%}  positives {metrics['positives']}")
        elif isinstance(metrics, dict | float | int):
            out(f"   {name:<16} {json.dumps(metrics, ensure_ascii=False)[:160]}")


if __name__ == "__main__":
    main()
