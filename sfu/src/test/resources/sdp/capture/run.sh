#!/bin/bash
# Runs cdp.mjs against headless Chromium inside a network namespace that has only
# loopback, so nothing can leave the machine. Run as root:
#   sfu/src/test/resources/sdp/capture/run.sh capture <dir>
#   sfu/src/test/resources/sdp/capture/run.sh accept "<answer command>"
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec unshare -n bash -c '
  set -euo pipefail
  ip link set lo up
  profile=$(mktemp -d)
  python3 -m http.server 8765 --bind 127.0.0.1 --directory "'"$here"'" >/dev/null 2>&1 &
  server=$!
  chromium --headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --use-fake-device-for-media-stream --use-fake-ui-for-media-stream \
    --allow-loopback-in-peer-connection --user-data-dir="$profile" \
    --remote-debugging-address=127.0.0.1 --remote-debugging-port=9222 \
    about:blank >/dev/null 2>&1 &
  browser=$!
  trap "kill $browser $server 2>/dev/null; wait $browser 2>/dev/null; rm -rf $profile" EXIT
  sleep 1
  node --experimental-websocket "'"$here"'/cdp.mjs" "$@"
' run "$@"
