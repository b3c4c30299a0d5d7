#!/usr/bin/env bash
# Load benchmark over real HTTP: `chatgw demo` on SQLite, then on
# PostgreSQL + Redis, driven by testkit/loadgen with kept-alive connections
# (one request in flight each) at 1, 16 and 64 connections, `/healthz` as the
# floor, and chat turns with `Connection: close` for comparison. Prints a
# markdown table. Loadgen and the gateway share this machine's cores.
#
#   bash scripts/load-bench.sh                    # 10 s per point
#   DURATION=3 CONNS="1 16" bash scripts/load-bench.sh
#   BENCH_BINS="before=/tmp/chatgw-old after=target/release/chatgw" bash scripts/load-bench.sh
#   BACKENDS=sqlite bash scripts/load-bench.sh
#   BUILD=0 ...                                  # no cargo build first
#   FLOOD_CONNS=64 SHOPPER_CONNS=4 ...           # the flood-isolation scenario
#
# Flood isolation (SQLite, `chatgw serve` with two copies of the example
# store): store B's shoppers alone, then the same shoppers while store A is
# flooded, each reported separately (429s from rate limits count apart).
#
# PostgreSQL: a fresh database chatgw_bench_<pid> on $PG_URL_BASE (created
# and dropped here). Redis: $REDIS_URL (session keys expire by their TTL).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONNS=${CONNS:-"1 16 64"}
CLOSE_CONNS=${CLOSE_CONNS:-"16"}
PORT=${PORT:-18080}
BACKENDS=${BACKENDS:-"sqlite postgres"}
PG_URL_BASE=${PG_URL_BASE:-postgres://postgres@127.0.0.1:5432}
BENCH_REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379}
BENCH_BINS=${BENCH_BINS:-"current=target/release/chatgw"}
LOADGEN=target/release/loadgen
FLOOD=${FLOOD:-1}
FLOOD_CONNS=${FLOOD_CONNS:-64}
SHOPPER_CONNS=${SHOPPER_CONNS:-4}
BODY='{"message":"{message}"}'
BASE="http://127.0.0.1:$PORT"

# BUILD=0 runs the binaries as they are (an A/B of builds made earlier).
if [ "${BUILD:-1}" = 1 ]; then cargo build --release --quiet -p chatgw -p loadgen; fi

WORK=$(mktemp -d)
DB="chatgw_bench_$$"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  psql "$PG_URL_BASE/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# A store file for the bench: the demo catalog under `id`/`key`, with the
# README's default abuse limits, or (`high`) limits no bench reaches, since
# every request comes from one address here.
bench_store() { # file id key default|high
  local file=$1 id=$2 key=$3 limits=$4
  sed -e "s/^id = .*/id = \"$id\"/" -e "s/^public_key = .*/public_key = \"$key\"/" \
    -e "s|^path = .*|path = \"$PWD/examples/demo-store/catalog.json\"|" \
    -e '/^\[limits\]/,$d' examples/stores/lumen-thread.toml >"$file"
  if [ "$limits" = high ]; then
    cat >>"$file" <<'TOML'
[limits]
chat_per_ip = { per_minute = 100000000, burst = 1000000 }
chat_per_session = { per_minute = 100000000, burst = 1000000 }
chat_per_store = { per_minute = 100000000, burst = 1000000 }
turns_in_flight = 1024
TOML
  fi
}

start_serve() { # binary stores-dir, then env assignments
  local bin=$1 stores=$2; shift 2
  env "$@" "$bin" serve --stores "$stores" --addr "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 600); do
    if curl -fsS "$BASE/readyz" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$WORK/server.log" >&2; echo "chatgw serve did not start" >&2; exit 1; fi
    sleep 0.1
  done
  echo "chatgw serve did not answer /readyz within 60 s" >&2; exit 1
}

# The demo store, served as a store file with limits no bench reaches.
start_demo() { # binary, then env assignments
  local bin=$1; shift
  rm -rf "$WORK/demo-stores"; mkdir -p "$WORK/demo-stores"
  bench_store "$WORK/demo-stores/demo.toml" demo pk_demo high
  start_serve "$bin" "$WORK/demo-stores" "$@"
}

stop_demo() {
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

# The server's CPU time so far (user + system), in clock ticks.
server_ticks() {
  awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"
}

ROWS="$WORK/rows.md"
point() { # label backend what conns mode, then loadgen arguments
  local label=$1 backend=$2 what=$3 conns=$4 mode=$5; shift 5
  local json="$WORK/point.json"
  # The server's CPU over the measured window (from the end of the
  # warm-up), per answer: steadier than answers/s on shared cores.
  (sleep "$WARMUP"; server_ticks >"$WORK/ticks") &
  local sampler=$!
  "$LOADGEN" -c "$conns" -d "$DURATION" --warmup "$WARMUP" --json "$json" "$@" >&2
  wait "$sampler"
  local ticks=$(( $(server_ticks) - $(cat "$WORK/ticks") ))
  jq -r --arg l "$label" --arg b "$backend" --arg w "$what" --arg m "$mode" --argjson ticks "$ticks" --argjson hz "$(getconf CLK_TCK)" \
    '.[] | "| \($l) | \($b) | \($w) | \(.connections) | \($m) | \(.per_second | floor) | \(.p50_ms * 100 | round / 100) | \(.p99_ms * 100 | round / 100) | \(if .ttft_p50_ms > 0 then (.ttft_p50_ms * 100 | round / 100) else "-" end) | \(if .ttft_p99_ms > 0 then (.ttft_p99_ms * 100 | round / 100) else "-" end) | \(if .ok > 0 then ($ticks * 1000 / $hz / .ok * 1000 | round / 1000) else "-" end) | \(.rate_limited + .bad_status + .bad_body + .io_errors) |"' \
    "$json" >>"$ROWS"
}

run_backend() { # label binary backend
  local label=$1 bin=$2 backend=$3
  case $backend in
    sqlite) start_demo "$bin" DATABASE_URL=sqlite::memory: REDIS_URL= ;;
    postgres)
      psql "$PG_URL_BASE/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null
      psql "$PG_URL_BASE/postgres" -qc "CREATE DATABASE $DB" >/dev/null
      start_demo "$bin" DATABASE_URL="$PG_URL_BASE/$DB" REDIS_URL="$BENCH_REDIS_URL" ;;
    *) echo "unknown backend $backend (sqlite, postgres)" >&2; exit 1 ;;
  esac
  echo "== $label on $backend: $(head -1 "$WORK/server.log")" >&2
  for c in $CONNS; do
    point "$label" "$backend" healthz "$c" keep-alive --url "$BASE/healthz"
    point "$label" "$backend" "chat turn" "$c" keep-alive --url "$BASE/v1/chat" -H 'X-Store-Key: pk_demo' --body "$BODY"
  done
  for c in $CLOSE_CONNS; do
    point "$label" "$backend" "chat turn" "$c" close --close --url "$BASE/v1/chat" -H 'X-Store-Key: pk_demo' --body "$BODY"
  done
  stop_demo
  if [ "$backend" = postgres ]; then psql "$PG_URL_BASE/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null; fi
}

flood_point() { # label what, then loadgen targets
  local label=$1 what=$2; shift 2
  local json="$WORK/point.json"
  "$LOADGEN" -d "$DURATION" --warmup "$WARMUP" --json "$json" "$@" >&2
  jq -r --arg l "$label" --arg w "$what" \
    '.[] | "| \($l) | \($w) | \(.name) | \(.connections) | \(.ok) | \(.per_second | floor) | \(.p50_ms * 100 | round / 100) | \(.p99_ms * 100 | round / 100) | \(.rate_limited) | \(.bad_status + .bad_body + .io_errors) |"' \
    "$json" >>"$FLOOD_ROWS"
}

FLOOD_ROWS="$WORK/flood.md"
run_flood() { # label binary
  local label=$1 bin=$2
  # Store A keeps the default limits (the flood is one address); store B's
  # shoppers stand for many addresses, so its limits are out of reach.
  rm -rf "$WORK/stores"; mkdir -p "$WORK/stores"
  bench_store "$WORK/stores/a.toml" store-a pk_store_a default
  bench_store "$WORK/stores/b.toml" store-b pk_store_b high
  start_serve "$bin" "$WORK/stores" DATABASE_URL=sqlite::memory: REDIS_URL=
  local chat="url=$BASE/v1/chat"
  flood_point "$label" "B alone" --target "shoppers-b,c=$SHOPPER_CONNS,key=pk_store_b,$chat,body=$BODY"
  flood_point "$label" "A flooded" --target "flood-a,c=$FLOOD_CONNS,key=pk_store_a,$chat,body=$BODY" \
    --target "shoppers-b,c=$SHOPPER_CONNS,key=pk_store_b,$chat,body=$BODY"
  stop_demo
}

for pair in $BENCH_BINS; do
  for backend in $BACKENDS; do
    run_backend "${pair%%=*}" "${pair#*=}" "$backend"
  done
done

echo
echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), loadgen and gateway on the same cores; ${DURATION} s per point after ${WARMUP} s warm-up"
echo
echo "| build | backend | request | conns | connection | per s | p50 ms | p99 ms | first token p50 ms | first token p99 ms | server CPU ms each | errors |"
echo "|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"
cat "$ROWS"
if [ "$FLOOD" = 1 ]; then
  for pair in $BENCH_BINS; do run_flood "${pair%%=*}" "${pair#*=}"; done
  echo
  echo "Flood isolation (SQLite, two stores): store A flooded with $FLOOD_CONNS connections, store B's $SHOPPER_CONNS shoppers measured"
  echo
  echo "| build | scenario | target | conns | ok | per s | p50 ms | p99 ms | 429 | other errors |"
  echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
  cat "$FLOOD_ROWS"
fi
