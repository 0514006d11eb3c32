#!/usr/bin/env bash
# Starts or stops a private coturn (Debian package `coturn`, /usr/bin/turnserver) on
# loopback for tests: TURN REST auth (use-auth-secret) with the given shared secret, the
# given listening port and relay port range, no configuration file from /etc, no
# syslog, no CLI, no TLS listeners, verbose (sessions and allocations are logged).
# The process id is kept in DIR/turnserver.pid, so `stop` ends exactly the process
# `start` began, and its log goes to DIR/turnserver.log.
#
#   conf/coturn-loopback.sh start DIR SECRET PORT RELAY_MIN RELAY_MAX
#   conf/coturn-loopback.sh stop DIR
#
# `start` returns once coturn listens on 127.0.0.1:PORT (UDP and TCP), or fails with
# its log. Loopback peers are allowed (--allow-loopback-peers): the SFU is on 127.0.0.1.
set -euo pipefail

TURNSERVER=${CHORUS_TURNSERVER:-/usr/bin/turnserver}

die() { echo "coturn-loopback.sh: $*" >&2; exit 1; }

start() {
  [ $# -eq 5 ] || die "usage: start DIR SECRET PORT RELAY_MIN RELAY_MAX"
  local dir=$1 secret=$2 port=$3 min=$4 max=$5
  [ -x "$TURNSERVER" ] || die "$TURNSERVER not found; install it with: apt-get install -y coturn (conf/test.sh does this)"
  mkdir -p "$dir"
  local log="$dir/turnserver.log" pidfile="$dir/turnserver.pid"
  [ ! -f "$pidfile" ] || die "$pidfile exists: stop that coturn first"
  : >"$log"
  # -n: no configuration file (ignore /etc/turnserver.conf); pid file and the (unused)
  # user database in DIR rather than /var.
  "$TURNSERVER" -n \
    --listening-ip=127.0.0.1 --relay-ip=127.0.0.1 --listening-port="$port" \
    --min-port="$min" --max-port="$max" \
    --use-auth-secret --static-auth-secret="$secret" --realm=chorus.test \
    --fingerprint --allow-loopback-peers --no-multicast-peers \
    --no-cli --no-tls --no-dtls --no-rfc5780 --no-software-attribute \
    --verbose --log-file="$log" --simple-log --no-stdout-log \
    --pidfile="$dir/turnserver.own.pid" --userdb="$dir/turndb" \
    </dev/null >"$dir/turnserver.out" 2>&1 &
  local pid=$!
  echo "$pid" >"$pidfile"
  # Ready once both listeners are up (coturn logs them), or failed when it exited.
  for _ in $(seq 1 100); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pidfile"
      cat "$log" "$dir/turnserver.out" >&2
      die "turnserver exited at start-up (log above)"
    fi
    if listening "$port"; then
      echo "$pid"
      return 0
    fi
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  cat "$log" >&2
  die "turnserver did not open 127.0.0.1:$port within 10 s (log above)"
}

# Whether 127.0.0.1:PORT is open: UDP and TCP by ss(8) when present, else a TCP connect.
listening() {
  if command -v ss >/dev/null 2>&1; then
    ss -lnu "src 127.0.0.1:$1" | grep -q ":$1 " && ss -lnt "src 127.0.0.1:$1" | grep -q ":$1 "
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

stop() {
  [ $# -eq 1 ] || die "usage: stop DIR"
  local pidfile="$1/turnserver.pid"
  [ -f "$pidfile" ] || return 0
  local pid
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$pidfile"
}

cmd=${1:-}
shift || true
case "$cmd" in
  start) start "$@" ;;
  stop) stop "$@" ;;
  *) die "usage: $0 start DIR SECRET PORT RELAY_MIN RELAY_MAX | stop DIR" ;;
esac
