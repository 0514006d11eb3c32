#!/usr/bin/env bash
# What recording costs while forwarding: starts the server jar on loopback with the server API on, then runs the
# native-bot load generator twice against it, ROOMS meetings of three publishers (audio and ~300 kbit/s video each,
# --profile 360p), first without recording, then with every room recorded from its first join (POST
# /api/v1/rooms/{room}/recording as each room appears). Prints, per run, the load test's summary (server CPU,
# forwarding loss and latency), the recording writer thread's CPU, the recordings' counters
# (chorus_recording_dropped_packets_total: what the writer could not take) and the size of the files.
#   bash loadtest/recording-cost.sh [ROOMS] [extra load-test arguments]     (ROOMS default 8)
# With 2 or more CPUs the server is pinned to the first half of them and the generator to the rest, as in
# capacity.sh. Reports: loadtest/target/recording-cost/{off,on}/; files go to a temporary data directory,
# deleted at the end. RECORDING_COST_ORDER="on off" runs the recorded load first (the second run of a pair tends
# to meet a busier machine); RECORDING_COST_DURATION (default 40s) sets the full-load time.
set -euo pipefail
cd "$(dirname "$0")/.."
. loadtest/server-lifecycle.sh

rooms=${1:-8}
shift || true
if [ ! -f web/target/chorus-server.jar ] || [ ! -f loadtest/target/chorus-loadtest.jar ]; then
  echo "recording-cost.sh: building the jars (mvn -q -DskipTests package)"
  mvn -B -q -DskipTests package
fi
report=${RECORDING_COST_REPORT:-loadtest/target/recording-cost}
port=${RECORDING_COST_HTTP_PORT:-18485}
duration=${RECORDING_COST_DURATION:-40s}
mkdir -p "$report"
data=$(mktemp -d)
key=recording-cost
secret="recording-cost-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"

cpus=$(nproc)
server_pin=() generator_pin=()
if [ "$cpus" -ge 2 ] && command -v taskset >/dev/null 2>&1; then
  half=$((cpus / 2))
  server_pin=(taskset -c "0-$((half - 1))")
  generator_pin=(taskset -c "$half-$((cpus - 1))")
fi

start_server recording-cost.sh "$report/server.log" "$port" env CHORUS_HTTP_HOST=127.0.0.1 CHORUS_HTTP_PORT="$port" \
  CHORUS_MEDIA_ADDRESS=127.0.0.1 CHORUS_MEDIA_PORT=0 CHORUS_API_KEY="$key" CHORUS_API_SECRET="$secret" \
  CHORUS_DATA_DIR="$data" "${server_pin[@]}" java -XX:+UseZGC -jar web/target/chorus-server.jar
trap 'stop_server; rm -rf "$data"' EXIT

api() { # api METHOD PATH: one call with a fresh HS256 token
  local b64 now h p sig
  b64() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
  now=$(date +%s)
  h=$(printf '{"alg":"HS256","typ":"JWT","kid":"%s"}' "$key" | b64)
  p=$(printf '{"iat":%d,"exp":%d}' "$now" "$((now + 60))" | b64)
  sig=$(printf '%s.%s' "$h" "$p" | openssl dgst -sha256 -hmac "$secret" -binary | b64)
  curl -s -X "$1" "http://127.0.0.1:$port$2" -H "Authorization: Bearer $h.$p.$sig"
}

writer_ticks() { # CPU ticks (1/100 s) of the recording writer thread so far
  local t=0 d
  for d in /proc/"$server_pid"/task/*; do
    if [ "$(cat "$d/comm" 2>/dev/null)" = "chorus-recordin" ]; then
      t=$(awk '{print $14 + $15}' "$d/stat")
    fi
  done
  echo "$t"
}

record_rooms() { # starts recording every room as it appears, until all ROOMS are (it then stays out of the way)
  declare -A started
  local n=0
  while [ "$n" -lt "$rooms" ]; do
    for r in $(api GET /api/v1/rooms | python3 -c 'import json, sys; print(" ".join(x["name"] for x in json.load(sys.stdin)["rooms"]))' 2>/dev/null); do
      if [ -z "${started[$r]:-}" ] && api POST "/api/v1/rooms/$r/recording" | grep -q '"recording"'; then
        started[$r]=1
        n=$((n + 1))
      fi
    done
    sleep 0.3
  done
}

for mode in ${RECORDING_COST_ORDER:-off on}; do
  out="$report/$mode"
  mkdir -p "$out"
  w0=$(writer_ticks)
  recorder=""
  if [ "$mode" = on ]; then
    record_rooms &
    recorder=$!
  fi
  "${generator_pin[@]}" java -XX:+UseZGC -Xms2g -Xmx2g -jar loadtest/target/chorus-loadtest.jar \
    --server "http://127.0.0.1:$port" --server-pid "$server_pid" --report "$out" --rooms "$rooms" \
    --publishers 3 --subscribers 0 --profile 360p --duration "$duration" --ramp-up 5s "$@" >"$out/loadtest.log" 2>&1 || true
  [ -n "$recorder" ] && kill "$recorder" 2>/dev/null && wait "$recorder" 2>/dev/null || true
  w1=$(writer_ticks)
  sleep 1 # the generator's bots have left: every recording's rooms ended and its files closed
  echo "== $rooms meetings of three, recording $mode"
  grep -h "summary\|forwarded_pps" "$out/loadtest.log" | tail -1 || tail -3 "$out/loadtest.log"
  echo "recording writer thread CPU: $(awk -v t=$((w1 - w0)) 'BEGIN { printf "%.2f s", t / 100 }')"
  curl -s "http://127.0.0.1:$port/metrics" | grep -E '^chorus_recording' || true
  echo "files: $(find "$data" -name '*.webm' | wc -l) WebM files, $(du -sh "$data" | cut -f1)"
done
