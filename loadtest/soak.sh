#!/usr/bin/env bash
# The churn soak in one command: starts the server jar on loopback, then runs the load test's SoakRun against
# it: native bots and two headless Chromium pages join, drop their signaling socket and resume, and leave, every
# few seconds, for 30 minutes (after a 30 s warm-up). The server's heap after GC, live threads, open file
# descriptors, pooled buffers, transports, rooms and sessions are read after the warm-up and again after
# everyone left; the exit status is 0 only when each is back to that baseline. Then it stops the server.
# Extra arguments go to SoakRun, e.g.
#   bash loadtest/soak.sh --duration 5m --bots 4
# (options: --duration --warmup --bots --room-size --pages --every --drops --settle --profile
#  --heap-tolerance-mib --thread-tolerance --fd-tolerance).
# Report: loadtest/target/soak/index.html and result.json; server log: loadtest/target/soak/server.log
# SOAK_HTTP_PORT moves the server's port (default 18500; its SFU takes a free UDP port);
# SOAK_REPORT=dir writes the report there instead.
set -euo pipefail
cd "$(dirname "$0")/.."
. loadtest/server-lifecycle.sh

if [ ! -f web/target/chorus-server.jar ] || [ ! -f loadtest/target/chorus-loadtest.jar ]; then
  echo "soak.sh: building the jars (mvn -q -DskipTests package)"
  mvn -B -q -DskipTests package
fi
report=${SOAK_REPORT:-loadtest/target/soak}
port=${SOAK_HTTP_PORT:-18500}
mkdir -p "$report"

echo "soak.sh: server on 127.0.0.1:$port"
start_server soak.sh "$report/server.log" "$port" env CHORUS_HTTP_HOST=127.0.0.1 CHORUS_HTTP_PORT="$port" \
  CHORUS_MEDIA_ADDRESS=127.0.0.1 CHORUS_MEDIA_PORT=0 java -jar web/target/chorus-server.jar

status=0
java -cp loadtest/target/chorus-loadtest.jar dev.chorus.loadtest.SoakRun --server "http://127.0.0.1:$port" \
  --server-pid "$server_pid" --report "$report" "$@" || status=$?
stop_server
exit "$status"
