#!/usr/bin/env bash
# The quality table in one command: starts the server jar on loopback announcing a UDP impairment proxy as its
# media candidate (CHORUS_MEDIA_PUBLIC_ADDRESS/PORT, as behind a 1:1 NAT), then runs the load test's --quality
# mode, which starts that proxy in its own process in front of the SFU's UDP port and holds one two-party
# headless-Chromium call per loss level and RED mode (default 0, 2, 5 and 10 % random loss in both directions
# of every flow, 50 ms delay each way, each level without then with Opus RED, 60 s each: about 10 minutes),
# then stops the server. The report has the audio lost after recovery (concealed) next to the video.
# Extra arguments go to the load test (see `java -jar loadtest/target/chorus-loadtest.jar --help`), e.g.
#   bash loadtest/quality.sh --loss-levels 0,5 --duration 30s --red on
# Report: loadtest/target/quality.json and quality.md; server log: loadtest/target/quality-server.log
# Ports (loopback): QUALITY_HTTP_PORT (default 18490), QUALITY_MEDIA_PORT (the SFU's own UDP port, 18491),
# QUALITY_PROXY_PORT (the proxy, announced to browsers, 18492).
set -euo pipefail
cd "$(dirname "$0")/.."
. loadtest/server-lifecycle.sh

if [ ! -f web/target/chorus-server.jar ] || [ ! -f loadtest/target/chorus-loadtest.jar ]; then
  echo "quality.sh: building the jars (mvn -q -DskipTests package)"
  mvn -B -q -DskipTests package
fi
mkdir -p loadtest/target
log=loadtest/target/quality-server.log
port=${QUALITY_HTTP_PORT:-18490}
media_port=${QUALITY_MEDIA_PORT:-18491}
proxy_port=${QUALITY_PROXY_PORT:-18492}

echo "quality.sh: server on 127.0.0.1:$port, SFU UDP 127.0.0.1:$media_port behind the proxy on 127.0.0.1:$proxy_port"
start_server quality.sh "$log" "$port" env CHORUS_HTTP_HOST=127.0.0.1 CHORUS_HTTP_PORT="$port" CHORUS_MEDIA_ADDRESS=127.0.0.1 \
  CHORUS_MEDIA_PORT="$media_port" CHORUS_MEDIA_PUBLIC_ADDRESS=127.0.0.1 CHORUS_MEDIA_PUBLIC_PORT="$proxy_port" CHORUS_MEDIA_TCP_PORT=-1 \
  java -jar web/target/chorus-server.jar

status=0
java -jar loadtest/target/chorus-loadtest.jar --quality --server "http://127.0.0.1:$port" \
  --media-target "127.0.0.1:$media_port" --proxy-port "$proxy_port" --report loadtest/target "$@" || status=$?
stop_server
exit "$status"
