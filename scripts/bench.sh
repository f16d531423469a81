#!/usr/bin/env bash
# `make bench`: every speed and memory target, each script printing its figure and updating docs/benchmarks.md.
# BENCH_SCALE=small runs scaled-down versions for a quick look.
set -euo pipefail
py=.venv/bin/python
for script in bench/*.py; do
  [ "$(basename "$script")" = "_common.py" ] && continue
  echo "== $script"
  "$py" "$script" ${BENCH_ARGS:-}
done
