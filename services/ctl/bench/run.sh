#!/usr/bin/env bash
# The load benchmark: the reviewer's queue (first and deep pages, with and without filters),
# decisions per second and submission throughput, driven by wrk against the release services
# on a national data set (1,000,000 filings, 10,000,000 audit rows), and pgbench running the
# same INSERT statements as a submission against the same database for the ceiling.
#
#   services/ctl/bench/run.sh            # from the repository root; seeds on first use
#
# Variables: BENCH_DB (default frt_bench), FILINGS (1000000), AUDIT_ROWS (10000000),
# DURATION (20s per run), OUT (target/bench), FRT_ENV (local), PARTS (which runs: "queue decisions submissions
# pages", all by default; "pages" is the portal's /filings and /filings/{id} and casework's
# workbench and filing page, each in a browser session), NO_BUILD (set: measure again with the
# release binaries already built). The database is the local cluster's (the same
# one `frtctl up` provisions); the run leaves its figures in $OUT/results.txt.
set -euo pipefail
cd "$(dirname "$0")/../../.."
BENCH_DB=${BENCH_DB:-frt_bench}
FILINGS=${FILINGS:-1000000}
AUDIT_ROWS=${AUDIT_ROWS:-10000000}
DURATION=${DURATION:-20s}
OUT=${OUT:-target/bench}
PARTS=${PARTS:-queue decisions submissions pages}
part() { case " $PARTS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
BENCH=services/ctl/bench
mkdir -p "$OUT"

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk
  else
    echo "wrk is missing: sudo apt-get install wrk" >&2; exit 1
  fi
fi

# NO_BUILD=1 measures again with the release binaries already built.
[ -n "${NO_BUILD:-}" ] || cargo build --release --locked -p frtctl -p portal -p casework
BIN=target/release

# The local cluster, as `frtctl up` provisions it, and a database of the benchmark's own.
URL=$(env -u DATABASE_URL "$BIN/frtctl" database-url)
BASE=${URL%/*}
export DATABASE_URL="$BASE/$BENCH_DB"
PGPORT=$(echo "$BASE" | sed -E 's#.*:([0-9]+)$#\1#')
if ! runuser -u postgres -- psql -p "$PGPORT" -tAc "SELECT 1 FROM pg_database WHERE datname = '$BENCH_DB'" | grep -q 1; then
  runuser -u postgres -- psql -p "$PGPORT" -qc "CREATE DATABASE $BENCH_DB OWNER frt"
fi
"$BIN/frtctl" migrate
if [ "$(psql "$DATABASE_URL" -tAc 'SELECT count(*) FROM filings')" -lt "$FILINGS" ]; then
  echo "seeding $FILINGS filings and $AUDIT_ROWS audit rows…"
  "$BIN/frtctl" seed-national --filings "$FILINGS" --audit-rows "$AUDIT_ROWS"
  psql "$DATABASE_URL" -qc "VACUUM ANALYZE" 2>/dev/null
fi

# The services as deployed: one process each, two HTTP workers, their own pools.
export FRT_ENV=${FRT_ENV:-local} FRT__HTTP__WORKERS=2 FRT__DATABASE__POOL_SIZE=12 FRT__LOG__LEVEL=warn
"$BIN/portal" > "$OUT/portal.log" 2>&1 & PORTAL=$!
"$BIN/casework" > "$OUT/casework.log" 2>&1 & CASEWORK=$!
trap 'kill $PORTAL $CASEWORK 2>/dev/null || true' EXIT
for port in 8081 8082; do
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || {
    echo "the service on $port did not start; see $OUT/portal.log and $OUT/casework.log" >&2; exit 1; }
done

results="$OUT/results.txt"
: > "$results"
run() { # name connections script url args…
  local name=$1 conns=$2 script=$3 url=$4; shift 4
  printf '%-40s ' "$name, $conns connections" | tee -a "$results"
  wrk -t2 -c"$conns" -d"$DURATION" -s "$BENCH/$script" "$url" -- "$@" | tail -1 | tee -a "$results"
}
# Fresh sessions and work lists before each run that changes data (every request does new work),
# and a checkpoint so no run pays for the writes of the one before it.
prepare() {
  "$BIN/frtctl" bench-prepare --out "$OUT" >/dev/null
  runuser -u postgres -- psql -p "$PGPORT" -qc CHECKPOINT 2>/dev/null || true
}

prepare
# The deep cursor: 10,000 into the largest queue, or half of a smaller one; none without a
# queue (a small FILINGS), and then the deep runs are left out, saying so.
DEEP_PROVINCE='' DEEP_CURSOR='' DEEP=0
read -r DEEP_PROVINCE DEEP_CURSOR DEEP < "$OUT/deep.txt" || true
Q="$OUT/reviewers.txt"
part queue && for c in 4 8; do
  run "queue, first page"                $c queue.lua http://127.0.0.1:8082 "$Q" 2 "limit=50"
  run "queue, first page, filtered"      $c queue.lua http://127.0.0.1:8082 "$Q" 2 "limit=50&risk=low&late=false&kind=initial&assignee=unassigned"
  if [ -n "$DEEP_CURSOR" ]; then
    run "queue, $DEEP deep"              $c queue.lua http://127.0.0.1:8082 "$Q" 2 "limit=50&after=$DEEP_CURSOR" "$DEEP_PROVINCE"
    run "queue, $DEEP deep, filtered"    $c queue.lua http://127.0.0.1:8082 "$Q" 2 "limit=50&after=$DEEP_CURSOR&kind=initial&late=false" "$DEEP_PROVINCE"
  else
    echo "queue, deep pages: left out (no submitted filings to page into)" | tee -a "$results"
  fi
done

# The ceiling: the same INSERT statements a submission writes, straight from pgbench on
# seeded drafts, at the same concurrency as the HTTP run beside it.
ceiling() {
  psql "$DATABASE_URL" -qc "DROP TABLE IF EXISTS bench_drafts; CREATE TABLE bench_drafts AS \
    SELECT row_number() OVER (ORDER BY md5(id::text)) AS n, id, created_by FROM \
    (SELECT id, created_by FROM filings WHERE status = 'draft' ORDER BY md5(id::text) DESC LIMIT 30000) d; \
    CREATE INDEX ON bench_drafts (n)"
  local n
  n=$(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM bench_drafts")
  if [ "$n" -lt 10 ]; then
    echo "pgbench, $1 clients: left out (too few drafts left; seed a fresh BENCH_DB)" | tee -a "$results"
    return 0
  fi
  printf '%-40s ' "pgbench, a submission's writes, $1 clients" | tee -a "$results"
  pgbench -n -M prepared -c "$1" -j 2 -T "${DURATION%s}" -D drafts="$n" -f "$BENCH/submit.pgbench.sql" "$DATABASE_URL" 2>&1 \
    | awk '/^latency average/ {lat=$4} /^tps/ {printf "{\"tps\": %.0f, \"latency_avg_ms\": %.1f}\n", $3, lat}' | tee -a "$results"
  psql "$DATABASE_URL" -qc "DROP TABLE bench_drafts"
}
part decisions && for c in 8 16; do
  prepare; run "decisions (record)" $c post.lua http://127.0.0.1:8082 "$OUT/decide.txt" 2 "/api/v1/filings/%s/record"
done
part submissions && for c in 8 32; do
  prepare; run "submissions" $c post.lua http://127.0.0.1:8081 "$OUT/submit.txt" 2 "/api/v1/filings/%s/submit"
  runuser -u postgres -- psql -p "$PGPORT" -qc CHECKPOINT 2>/dev/null || true
  ceiling $c
done
# The portal's pages a processor opens most: its filings, and one filing with its time limits
# explained, server-rendered for a browser session.
part pages && for c in 4 8; do
  run "portal page /filings"            $c pages.lua http://127.0.0.1:8081 "$OUT/pages.txt" 2 "/filings"
  run "portal page /filings/{id}"       $c pages.lua http://127.0.0.1:8081 "$OUT/pages.txt" 2 "/filings/%s"
  run "casework page / (workbench)"     $c pages.lua http://127.0.0.1:8082 "$OUT/staff_pages.txt" 2 "/" frt-casework-session
  run "casework page /filings/{id}"     $c pages.lua http://127.0.0.1:8082 "$OUT/staff_pages.txt" 2 "/filings/%s" frt-casework-session
done
echo "figures in $results"
