#!/usr/bin/env bash
# System packages and services the test suite needs: PostgreSQL (running, trust auth on 127.0.0.1),
# Debian's Chromium for browser tests, a JRE for Spark local mode, poppler and a CJK font for rendering checks,
# a C compiler for the PII engine's native fast path.
# Idempotent; safe to run on every CI run.
set -euo pipefail

need=()
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)  # renders evidence-package PDFs in tests
fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-noto-cjk)  # Chinese in screenshots and PDF checks
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)  # compiles the PII native fast path (hatch_build.py)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing system packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
if ! pg_up; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  conf=/etc/postgresql/$version/main/pg_hba.conf
  if ! grep -q "^host all all 127.0.0.1/32 trust" "$conf"; then
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\nlocal all all trust' "$conf"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
pg_up || { echo "PostgreSQL did not start" >&2; exit 1; }
echo "PostgreSQL is up on 127.0.0.1:5432"
