#!/usr/bin/env bash
# The spreadsheet benchmark, each figure beside Python openpyxl doing the same on the same
# data, in the same run (farm-bench runs the two in turn and reports medians, peak memory and
# the ratio):
#   - import: `frtctl import filings --dry-run` of a generated workbook of paper filings
#     (`frtctl sample-filings`: 58 columns, every form complete; read with the guarded reader,
#     every row checked as an online submission is, then written in bulk with deadlines,
#     versions and audit rows in one transaction against the national data set, and rolled
#     back) against openpyxl in read-only mode only parsing the same file;
#   - export: `frtctl export registry` of the national benchmark data set (a database cursor
#     into a constant-memory worksheet) against openpyxl in write-only mode writing the same
#     rows, read from a CSV of that export's query.
#
#   shared/sheets/bench/run.sh        # from the repository root; seeds on first use
#
# Variables: BENCH_DB (frt_bench, shared with services/ctl/bench/run.sh), FILINGS (1000000),
# ROWS (100000 import rows), RUNS (3), OUT (target/bench/sheets).
set -euo pipefail
cd "$(dirname "$0")/../../.."
BENCH_DB=${BENCH_DB:-frt_bench}
FILINGS=${FILINGS:-1000000}
ROWS=${ROWS:-100000}
RUNS=${RUNS:-3}
OUT=${OUT:-target/bench/sheets}
HERE=shared/sheets/bench
mkdir -p "$OUT"

venv=target/openpyxl-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'openpyxl==3.1.5'
fi
PY="$venv/bin/python"

cargo build --release --locked -p frtctl
BIN=target/release

URL=$(env -u DATABASE_URL "$BIN/frtctl" database-url)
BASE=${URL%/*}
export DATABASE_URL="$BASE/$BENCH_DB"
PGPORT=$(echo "$BASE" | sed -E 's#.*:([0-9]+)$#\1#')
if ! runuser -u postgres -- psql -p "$PGPORT" -tAc "SELECT 1 FROM pg_database WHERE datname = '$BENCH_DB'" | grep -q 1; then
  runuser -u postgres -- psql -p "$PGPORT" -qc "CREATE DATABASE $BENCH_DB OWNER frt"
fi
"$BIN/frtctl" migrate >/dev/null
if [ "$(psql "$DATABASE_URL" -tAc 'SELECT count(*) FROM filings')" -lt "$FILINGS" ]; then
  echo "seeding $FILINGS filings…"
  "$BIN/frtctl" seed-national --filings "$FILINGS" --audit-rows "${AUDIT_ROWS:-0}" >/dev/null
  psql "$DATABASE_URL" -qc "VACUUM ANALYZE" 2>/dev/null
fi
reviewer=bench-reviewer@sh.cac.example
FRT_NEW_PASSWORD=bench-password-2026 "$BIN/frtctl" staff create --email "$reviewer" \
  --name 纸质申报录入 --role reviewer --agency-kind provincial_cac \
  --agency-name 上海市网信办 --province 310000 >/dev/null 2>&1 || true

export FRT__LOG__LEVEL=warn
results="$OUT/results.txt"
: > "$results"

echo "== import: $ROWS paper filings, dry run ==" | tee -a "$results"
"$BIN/frtctl" sample-filings --rows "$ROWS" --province 310000 --out "$OUT/filings.xlsx"
ls -l "$OUT/filings.xlsx" | tee -a "$results"
farm-bench -n "$RUNS" --timeout 3600 \
  --vs "$PY $HERE/openpyxl_bench.py read $OUT/filings.xlsx" \
  -- "$BIN/frtctl" import filings --in "$OUT/filings.xlsx" --dry-run --as "$reviewer" \
  | tee -a "$results"

echo "== export: the registry of $FILINGS filings ==" | tee -a "$results"
# The rows the export writes, as CSV, for openpyxl to write the same.
psql "$DATABASE_URL" -qc "\\copy (SELECT max(f.filing_number) FILTER (WHERE f.kind = 'initial'), o.name, o.uscc, COALESCE(r.name, o.province_code), min((f.decided_at AT TIME ZONE 'Asia/Shanghai')::date) FILTER (WHERE f.kind = 'initial'), max((f.decided_at AT TIME ZONE 'Asia/Shanghai')::date) FILTER (WHERE f.kind <> 'initial'), count(*) FILTER (WHERE f.kind = 'change'), bool_or(f.kind = 'deregistration'), (array_agg(f.form -> 'basic' ->> 'contact_person' ORDER BY f.decided_at DESC))[1], (array_agg(f.form -> 'basic' ->> 'contact_phone' ORDER BY f.decided_at DESC))[1] FROM organisations o JOIN filings f ON f.organisation_id = o.id AND f.status = 'filed' LEFT JOIN regions r ON r.code = o.province_code GROUP BY o.id, o.name, o.uscc, o.province_code, r.name HAVING bool_or(f.kind = 'initial') ORDER BY o.province_code, o.name, o.id) TO '$OUT/registry.csv' WITH CSV"
wc -l "$OUT/registry.csv" | tee -a "$results"
farm-bench -n "$RUNS" --timeout 3600 \
  --vs "$PY $HERE/openpyxl_bench.py write $OUT/registry.csv $OUT/openpyxl.xlsx" \
  -- "$BIN/frtctl" export registry --out "$OUT/registry.xlsx" \
  | tee -a "$results"
echo "figures in $results"
