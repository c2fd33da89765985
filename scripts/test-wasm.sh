#!/usr/bin/env bash
# Browser tests of the wasm module (tests/web_*.rs) in headless Chromium, against cams-relay's
# emulator. Every server listens on a free port (nothing here binds a fixed one):
# - a relay with its emulator (the demo key and every test key below);
# - a second one whose STS credentials last 3 s, with an emulator of its own;
# - a third whose session policy allows only create and list;
# - a silent server that accepts connections and never answers (timeouts), and a port where
#   nothing listens (refused connections);
# - the test page, served by wasm-bindgen's runner on WASM_BINDGEN_TEST_ADDRESS, an origin the
#   relays allow: picked (bound on port 0 and released) before they start, and the whole run is
#   tried once more on a new port if something else took it in between.
# The relays are started with `--listen 127.0.0.1:0 --emulator-listen 127.0.0.1:0` and their
# addresses read from what they print (as tests/support/relay.mjs does). The URLs go to
# target/test-wasm/servers.json, which the tests read at run time from the test page's own
# origin (tests/web_support), so a run on other ports rebuilds nothing. One run per checkout at a
# time (a lock on that directory); the servers are stopped by PID.
# Every `test_key("ID")` in tests/web_*.rs becomes an emulator key ID:ID-secret, an account of
# that test's own (its own 5 QPS window, fault setting scope and counters).
# The tests drive the emulators' admin routes (/__emulator/*) from the test page's origin, which
# only --emulator-admin-cors opens to it (they answer no other page).
# Extra arguments go to cargo test (e.g. --test web_direct).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"

# A file's tests share one limit for the whole file (default 20 s); paced batches take longer.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-180}"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
# Served by the runner from the package root: the path is fixed relative to it.
state_dir="$repo/target/test-wasm"
servers_json="$state_dir/servers.json"
mkdir -p "$state_dir"
exec 9>"$state_dir/lock"
if ! flock -n 9; then
  echo "test-wasm: another run in this checkout holds $state_dir/lock; waiting for it" >&2
  flock 9
fi
log_dir="$(mktemp -d)"

pids=()
stop_servers() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
  rm -f "$servers_json"
}
cleanup() {
  stop_servers
  rm -rf "$log_dir"
}
trap cleanup EXIT

cargo build -p cams-relay --features emulator --quiet
# Built first, so that little time passes between picking the page's port and the runner binding it.
cargo test --target wasm32-unknown-unknown -p cams-qrdl --test 'web_*' --no-run "$@"

test_keys=()
for id in $(grep -ohE 'test_key\("[A-Za-z0-9._-]+"\)' tests/web_*.rs | sed -E 's/test_key\("(.*)"\)/\1/' | sort -u); do
  test_keys+=(--emulator-access-key "$id:$id-secret")
done

# A loopback port nothing listens on right now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_relay NAME ARGS...: a relay with its emulator, both on free ports, output in NAME.log.
start_relay() {
  local name="$1"
  shift
  "$target_dir/debug/cams-relay" --emulate --listen 127.0.0.1:0 --emulator-listen 127.0.0.1:0 \
    --allow-origin "$page_origin" --emulator-admin-cors "$page_origin" "$@" >"$log_dir/$name.log" 2>&1 &
  pids+=($!)
}

# printed NAME PATTERN PID: the URL after PATTERN in NAME.log, once the server printed it.
printed() {
  local log="$log_dir/$1.log" pattern="$2" pid="$3" url=""
  for _ in $(seq 1 200); do
    url="$(grep -oE "$pattern https?://[^ ]+" "$log" 2>/dev/null | head -n1 | awk '{print $NF}')" || true
    if [ -n "$url" ]; then
      echo "${url%/}"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "test-wasm: $1 did not report its address ($pattern):" >&2
  cat "$log" >&2
  return 1
}

start_servers() {
  page_port="$(free_port)"
  page_origin="http://127.0.0.1:$page_port"
  # Short STS durations allowed so a test can watch a token expire.
  start_relay relay --emulator-access-key demo-access-key-id:demo-access-key-secret "${test_keys[@]}" \
    --emulator-sts-min-duration 1
  local relay_pid=$!
  # Credentials that expire every 3 s, with an emulator of its own: a batch outlives them.
  start_relay short-relay --sts-duration 3 --emulator-sts-min-duration 1
  local short_pid=$!
  # A session policy that allows only create and list: the other two get Ram.PermissionDeny.
  start_relay narrow-relay \
    --sts-policy '{"Version":"1","Statement":[{"Effect":"Allow","Action":["cams:CreatePhoneMessageQrdl","cams:ListPhoneMessageQrdl"],"Resource":"*"}]}'
  local narrow_pid=$!
  # Accepts connections and never answers: the timeout test's endpoint.
  python3 -u -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0)); s.listen(64)
print("stall listening on http://127.0.0.1:%d" % s.getsockname()[1])
held = []
while True:
    c, _ = s.accept(); held.append(c)
' >"$log_dir/stall.log" 2>&1 &
  pids+=($!)
  local stall_pid=$!

  local relay emulator short_relay short_emulator narrow_relay stall closed
  relay="$(printed relay serving "$relay_pid")"
  emulator="$(printed relay 'emulator listening on' "$relay_pid")"
  short_relay="$(printed short-relay serving "$short_pid")"
  short_emulator="$(printed short-relay 'emulator listening on' "$short_pid")"
  narrow_relay="$(printed narrow-relay serving "$narrow_pid")"
  stall="$(printed stall 'stall listening on' "$stall_pid")"
  # Where nothing listens (a port just bound and released): refused connections.
  closed="http://127.0.0.1:$(free_port)"
  cat >"$servers_json" <<EOF
{"relay":"$relay","emulator":"$emulator","shortRelay":"$short_relay","shortEmulator":"$short_emulator","narrowRelay":"$narrow_relay","stall":"$stall","closed":"$closed"}
EOF
  # The runner serves the test page here; the relays' origin checks allow it.
  export WASM_BINDGEN_TEST_ADDRESS="127.0.0.1:$page_port"
}

# Only the browser suites: the other integration tests are native (proptest and the like).
for attempt in 1 2; do
  start_servers
  set +e
  cargo test --target wasm32-unknown-unknown -p cams-qrdl --test 'web_*' "$@" 2>&1 | tee "$log_dir/cargo.log"
  status="${PIPESTATUS[0]}"
  set -e
  if [ "$status" -eq 0 ]; then exit 0; fi
  # Something else bound the page's port between picking it and a runner binding it.
  if [ "$attempt" -eq 1 ] && grep -q "Address already in use" "$log_dir/cargo.log"; then
    echo "test-wasm: the test page's port $page_port was taken meanwhile; once more on another" >&2
    stop_servers
    continue
  fi
  exit "$status"
done
