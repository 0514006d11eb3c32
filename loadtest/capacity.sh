#!/usr/bin/env bash
# The capacity benchmark in one command: starts the server jar on loopback, runs the native-bot load
# generator against it in a process of its own (so the server's CPU figure is the server's alone), raising
# the load a room at a time until loss > 1 % or p99 latency > 50 ms, then stops the server.
# With 2 or more CPUs the server is pinned to the first half of them and the generator to the rest.
# Extra arguments go to the load test (see `java -jar loadtest/target/chorus-loadtest.jar --help`), e.g.
#   bash loadtest/capacity.sh --profile 1080p --step-duration 20s
# Report: loadtest/target/capacity/index.html and result.json; server log: loadtest/target/capacity/server.log
# CAPACITY_JFR=1 also records the server with Java Flight Recorder while the load runs (start-up excluded)
# and writes its hottest methods to loadtest/target/capacity/server-profile.txt (recording: server.jfr).
# CAPACITY_SERVER_JAR=path runs that server jar instead of web/target/chorus-server.jar (to compare two builds);
# CAPACITY_REPORT=dir writes the report there instead of loadtest/target/capacity.
# CAPACITY_LOADTEST_JAR=path runs that load generator jar instead of loadtest/target/chorus-loadtest.jar.
# The server runs with the garbage collector the README recommends for production (-XX:+UseZGC: no pause of
# tens of ms every few seconds); CAPACITY_SERVER_JVM_OPTS="..." replaces that (empty: the JVM's own choice, the
# serial collector on one CPU). The generator runs with ZGC and a 4 GiB heap, since its own pauses would count as
# the server's latency at its bots; CAPACITY_GENERATOR_JVM_OPTS="..." adds options (e.g. -Xlog:gc).
# CAPACITY_GENERATOR_JFR=1 records the load generator too (from 10 s after its start, so bot start-up is mostly
# excluded) and writes its hottest methods to generator-profile.txt in the report (recording: generator.jfr).
set -euo pipefail
cd "$(dirname "$0")/.."
. loadtest/server-lifecycle.sh

if [ ! -f web/target/chorus-server.jar ] || [ ! -f loadtest/target/chorus-loadtest.jar ]; then
  echo "capacity.sh: building the jars (mvn -q -DskipTests package)"
  mvn -B -q -DskipTests package
fi
report=${CAPACITY_REPORT:-loadtest/target/capacity}
server_jar=${CAPACITY_SERVER_JAR:-web/target/chorus-server.jar}
loadtest_jar=${CAPACITY_LOADTEST_JAR:-loadtest/target/chorus-loadtest.jar}
mkdir -p "$report"
port=${CAPACITY_HTTP_PORT:-18480}

cpus=$(nproc)
server_cpus="" generator_cpus=""
if [ "$cpus" -ge 2 ] && command -v taskset >/dev/null 2>&1; then
  half=$((cpus / 2))
  server_cpus="0-$((half - 1))"
  generator_cpus="$half-$((cpus - 1))"
fi
server_pin=() generator_pin=()
[ -n "$server_cpus" ] && server_pin=(taskset -c "$server_cpus")
[ -n "$generator_cpus" ] && generator_pin=(taskset -c "$generator_cpus")

echo "capacity.sh: server on 127.0.0.1:$port${server_cpus:+ (cpus $server_cpus)}, generator${generator_cpus:+ on cpus $generator_cpus}"
start_server capacity.sh "$report/server.log" "$port" env CHORUS_HTTP_HOST=127.0.0.1 CHORUS_HTTP_PORT="$port" CHORUS_MEDIA_ADDRESS=127.0.0.1 CHORUS_MEDIA_PORT=0 \
  "${server_pin[@]}" java ${CAPACITY_SERVER_JVM_OPTS--XX:+UseZGC} -jar "$server_jar"

jcmd="$(dirname "$(readlink -f "$(command -v java)")")/jcmd"
profiling=0
if [ "${CAPACITY_JFR:-0}" = 1 ]; then
  rm -f "$report/server.jfr"
  "$jcmd" "$server_pid" JFR.start name=capacity settings=profile >/dev/null && profiling=1
fi

generator_jfr=()
if [ "${CAPACITY_GENERATOR_JFR:-0}" = 1 ]; then
  rm -f "$report/generator.jfr"
  generator_jfr=("-XX:StartFlightRecording=delay=10s,settings=profile,filename=$(readlink -f "$report")/generator.jfr")
fi

status=0
"${generator_pin[@]}" java -XX:+UseZGC -Xms4g -Xmx4g ${CAPACITY_GENERATOR_JVM_OPTS:-} "${generator_jfr[@]}" -jar "$loadtest_jar" --capacity \
  --server "http://127.0.0.1:$port" --server-pid "$server_pid" --report "$report" \
  --profile 720p --publishers 2 --subscribers 46 --ramp-up 5s "$@" || status=$?
if [ "$profiling" = 1 ]; then
  "$jcmd" "$server_pid" JFR.dump name=capacity filename="$(readlink -f "$report")/server.jfr" >/dev/null || true
fi
stop_server
if [ "$profiling" = 1 ]; then
  if [ -f "$report/server.jfr" ]; then
    java -cp loadtest/target/chorus-loadtest.jar dev.chorus.loadtest.JfrHotMethods "$report/server.jfr" 30 \
      >"$report/server-profile.txt"
    echo "capacity.sh: server profile in $report/server-profile.txt"
  else
    echo "capacity.sh: the server left no recording ($report/server.jfr)" >&2
  fi
fi
if [ ${#generator_jfr[@]} -gt 0 ]; then
  if [ -f "$report/generator.jfr" ]; then
    java -cp "$loadtest_jar" dev.chorus.loadtest.JfrHotMethods "$report/generator.jfr" 30 >"$report/generator-profile.txt"
    echo "capacity.sh: generator profile in $report/generator-profile.txt"
  else
    echo "capacity.sh: the generator left no recording ($report/generator.jfr)" >&2
  fi
fi
exit "$status"
