# server.sh - what the shell integration tests of the server's pages share:
# a work directory removed at exit, pass and fail counters, and the server
# started on a free loopback port and stopped again. Sourced by
# tests/integration/test_site.sh and test_propositions.sh:
#
#   . "$root/tests/support/server.sh"
#   need_tools xmllint curl
#   server_args=(--admin-keys "$work/keys")   # what every start adds
#   start [ARGS...] || ...                    # sets $base and $pid
#   ok / bad "what went wrong"
#   stop
#   finish                                    # prints the counts, fails on a failure
#
# The caller sets $build (the build directory with the programs) and
# builds its index in "$work/index" before the first start.

# need_tools TOOL...: stops the test with one failure when a tool is missing.
need_tools() {
  local tool
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "$tool is missing: run scripts/install-deps.sh"
      echo "0 passed, 1 failed"
      exit 1
    fi
  done
}

work=$(mktemp -d)
pid=
server_args=()
server_cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap server_cleanup EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAILED: $*"; }

# start [ARGS...]: the server on a free loopback port over "$work/index", at
# the tests' fixed clock, with "${server_args[@]}" and ARGS; sets $base.
# Returns 1 (the server's log printed) when it does not come up.
start() {
  rm -f "$work/port"
  "$build/vindplaats-server" --index "$work/index" --port 0 --port-file "$work/port" \
    --data-dir "$work/store" --now 2026-12-01T08:00:00+01:00 --no-access-log \
    "${server_args[@]}" "$@" 2>"$work/server.log" &
  pid=$!
  for _ in $(seq 100); do
    [[ -s $work/port ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ ! -s $work/port ]]; then
    cat "$work/server.log"
    return 1
  fi
  base="http://127.0.0.1:$(cat "$work/port")"
  # The service map is built off the request path after the start and
  # answers 503 until then (slow under a sanitizer or a loaded machine):
  # wait for it, so the page checks see the pages and not the wait.
  for _ in $(seq 600); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$base/v1/libraries") != 503 ]] && break
    sleep 0.2
  done
}
stop() {
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  pid=
}

# finish: the counts, and the test's exit status.
finish() {
  echo "$passed passed, $failed failed"
  [[ $failed -eq 0 ]]
}
