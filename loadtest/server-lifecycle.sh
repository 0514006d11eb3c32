# Sourced by capacity.sh and quality.sh: runs the server jar in the background, waits until it
# answers HTTP, and stops it by its PID when the script exits.

# start_server TAG LOG HTTP_PORT COMMAND...: starts COMMAND (sets server_pid), waits at most 60 s.
start_server() {
  local tag=$1 log=$2 http_port=$3
  shift 3
  "$@" >"$log" 2>&1 &
  server_pid=$!
  trap stop_server EXIT
  for _ in $(seq 1 120); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$http_port") 2>/dev/null; then return 0; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "$tag: the server exited; see $log" >&2; exit 1
    fi
    sleep 0.5
  done
  echo "$tag: the server did not start within 60 s" >&2
  exit 1
}

stop_server() {
  if [ -n "${server_pid:-}" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.3; done
    kill -0 "$server_pid" 2>/dev/null && kill -9 "$server_pid" 2>/dev/null || true
  fi
}
