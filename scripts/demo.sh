#!/usr/bin/env bash
# `make demo`: the main job end to end on the embedded defaults — simulate a small world, ingest it into the
# lake, migrate the operational store, train and score every engine that exists, print what it found, and end
# with the console running (DEMO_SERVE=0 skips the console, e.g. in tests).
set -euo pipefail
home=${1:-var/demo}
world=${2:-var/worlds/demo}
customers=${3:-5000}
months=${DEMO_MONTHS:-9}
port=${DEMO_PORT:-8000}
gs=.venv/bin/grayshield
export GRAYSHIELD_HOME="$home"

step() { printf '\n== %s\n' "$*"; }

step "1 模拟世界 simulate: $customers customers, $months months -> $world"
if [ ! -f "$world/world.json" ]; then
  $gs simulate --customers "$customers" --months "$months" --seed 20240101 --profile default --out "$world"
else
  echo "   (already there; delete $world to regenerate)"
fi

step "2 运营库 operational store"
$gs db upgrade

step "3 入湖 ingest (re-ingesting is a no-op)"
set +e
$gs ingest "$world"
rc=$?
set -e
# Exit 3 means some rows were quarantined or files refused: reported above, not a failure of the demo.
if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then exit "$rc"; fi
$gs lake summary

step "4 投诉预警 complaint early warning: train (out-of-time validation), then score the latest date"
$gs train complaints --world "$world" --json | .venv/bin/python scripts/headline.py complaints
$gs score complaints

for area in text callers compliance social; do
  step "5 ${area}: train on the demo world"
  $gs train "$area" --world "$world" --json | .venv/bin/python scripts/headline.py "$area"
done

step "6 来电号码 caller numbers: score every number with reasons"
$gs callers score --top 5

step "7 舆情监测 social monitoring: scan the world's posts as a crawl, watch, tag, file a report batch"
crawl="$home/social/crawls/demo"
if [ ! -d "$crawl" ]; then
  mkdir -p "$crawl" && cp -r "$world/social_posts" "$world/social_accounts" "$crawl/"
fi
$gs social scan "$crawl" --format contract --watch 20 --tags --top 5
$gs social report "$crawl" --format contract --top 20 --formats csv,xlsx --out "$home/social/reports" \
  --actor demo-monitor

step "8 合规 compliance: transcript QA into the review queue, process-anomaly alerts"
$gs compliance qa "$world" --save --actor demo-qa
$gs compliance process "$world" --save --actor demo-qa

step "9 打击 strike team: gangs across calls, complaints, social media and the staff log"
$gs gangs discover "$world"

if [ "${DEMO_SERVE:-1}" = "1" ]; then
  step "10 控制台 console"
  read -r user password < <($gs users demo)
  echo "   控制台 http://127.0.0.1:$port/   登录 $user / $password   (Ctrl-C stops the console)"
  exec $gs serve --host 127.0.0.1 --port "$port"
fi
