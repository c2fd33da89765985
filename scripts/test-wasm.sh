#!/usr/bin/env bash
# Browser tests of the wasm module (tests/web_*.rs) in headless Chromium, against cams-relay's
# emulator: builds cams-relay, starts it (relay on 18080, emulator on 18081) and a silent server
# for timeouts (18082), serves the test page on a fixed origin (18083) that the relay allows, runs `cargo test --target wasm32-unknown-unknown`, and stops both by PID.
# Extra arguments go to cargo test (e.g. --test web_direct).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"

relay_port="${CAMS_RELAY_PORT:-18080}"
emulator_port="${CAMS_EMULATOR_PORT:-18081}"
stall_port="${CAMS_STALL_PORT:-18082}"
page_port="${CAMS_TEST_PAGE_PORT:-18083}"
# The runner serves the test page here; the relay's origin check must allow it.
export WASM_BINDGEN_TEST_ADDRESS="127.0.0.1:$page_port"
export CAMS_RELAY_URL="http://127.0.0.1:$relay_port"
export CAMS_EMULATOR_URL="http://127.0.0.1:$emulator_port"
export CAMS_STALL_URL="http://127.0.0.1:$stall_port"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
log_dir="$(mktemp -d)"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$log_dir"
}
trap cleanup EXIT

cargo build -p cams-relay --quiet
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
# Short STS durations allowed so a test can watch a token expire.
"$target_dir/debug/cams-relay" --emulate \
  --listen "127.0.0.1:$relay_port" --emulator-listen "127.0.0.1:$emulator_port" \
  --emulator-access-key demo-access-key-id:demo-access-key-secret \
  --emulator-sts-min-duration 1 --allow-origin "http://127.0.0.1:$page_port" >"$log_dir/relay.log" 2>&1 &
pids+=($!)

# Accepts connections and never answers: the timeout test's endpoint.
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
held = []
while True:
    c, _ = s.accept(); held.append(c)
' "$stall_port" &
pids+=($!)

for _ in $(seq 1 100); do
  if curl -fsS "$CAMS_RELAY_URL/healthz" >/dev/null 2>&1; then break; fi
  sleep 0.1
done
if ! curl -fsS "$CAMS_RELAY_URL/healthz" >/dev/null 2>&1; then
  echo "test-wasm: cams-relay did not start:" >&2
  cat "$log_dir/relay.log" >&2
  exit 1
fi

# Only the browser suites: the other integration tests are native (proptest and the like).
cargo test --target wasm32-unknown-unknown -p cams-qrdl --test 'web_*' "$@"
