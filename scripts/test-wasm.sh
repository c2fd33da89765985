#!/usr/bin/env bash
# Browser tests of the wasm module (tests/web_*.rs) in headless Chromium, against cams-relay's
# emulator: builds cams-relay, starts it (relay on 18080, emulator on 18081), a second one whose
# STS credentials last 3 s (relay 18084, emulator 18085) and a silent server for timeouts
# (18082), serves the test page on a fixed origin (18083) that the relays allow, runs
# `cargo test --target wasm32-unknown-unknown`, and stops them all by PID.
# Every `test_key("ID")` in tests/web_*.rs becomes an emulator key ID:ID-secret, an account of
# that test's own (its own 5 QPS window, fault setting scope and counters).
# The tests drive the emulators' admin routes (/__emulator/*) from the test page's origin, which
# only --emulator-admin-cors opens to it (they answer no other page).
# Extra arguments go to cargo test (e.g. --test web_direct).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"

relay_port="${CAMS_RELAY_PORT:-18080}"
emulator_port="${CAMS_EMULATOR_PORT:-18081}"
stall_port="${CAMS_STALL_PORT:-18082}"
page_port="${CAMS_TEST_PAGE_PORT:-18083}"
short_relay_port="${CAMS_SHORT_RELAY_PORT:-18084}"
short_emulator_port="${CAMS_SHORT_EMULATOR_PORT:-18085}"
narrow_relay_port="${CAMS_NARROW_RELAY_PORT:-18086}"
narrow_emulator_port="${CAMS_NARROW_EMULATOR_PORT:-18087}"
# The runner serves the test page here; the relay's origin check must allow it.
export WASM_BINDGEN_TEST_ADDRESS="127.0.0.1:$page_port"
export CAMS_RELAY_URL="http://127.0.0.1:$relay_port"
export CAMS_EMULATOR_URL="http://127.0.0.1:$emulator_port"
export CAMS_STALL_URL="http://127.0.0.1:$stall_port"
export CAMS_SHORT_RELAY_URL="http://127.0.0.1:$short_relay_port"
export CAMS_SHORT_EMULATOR_URL="http://127.0.0.1:$short_emulator_port"
export CAMS_NARROW_RELAY_URL="http://127.0.0.1:$narrow_relay_port"
# A file's tests share one limit for the whole file (default 20 s); paced batches take longer.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-180}"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
log_dir="$(mktemp -d)"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$log_dir"
}
trap cleanup EXIT

cargo build -p cams-relay --features emulator --quiet
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
test_keys=()
for id in $(grep -ohE 'test_key\("[A-Za-z0-9._-]+"\)' tests/web_*.rs | sed -E 's/test_key\("(.*)"\)/\1/' | sort -u); do
  test_keys+=(--emulator-access-key "$id:$id-secret")
done
# Short STS durations allowed so a test can watch a token expire.
"$target_dir/debug/cams-relay" --emulate \
  --listen "127.0.0.1:$relay_port" --emulator-listen "127.0.0.1:$emulator_port" \
  --emulator-access-key demo-access-key-id:demo-access-key-secret "${test_keys[@]}" \
  --emulator-sts-min-duration 1 --allow-origin "http://127.0.0.1:$page_port" \
  --emulator-admin-cors "http://127.0.0.1:$page_port" >"$log_dir/relay.log" 2>&1 &
pids+=($!)
# A relay whose credentials expire every 3 s, with an emulator of its own: a batch outlives them.
"$target_dir/debug/cams-relay" --emulate \
  --listen "127.0.0.1:$short_relay_port" --emulator-listen "127.0.0.1:$short_emulator_port" \
  --sts-duration 3 --emulator-sts-min-duration 1 \
  --allow-origin "http://127.0.0.1:$page_port" --emulator-admin-cors "http://127.0.0.1:$page_port" \
  >"$log_dir/short-relay.log" 2>&1 &
pids+=($!)

# A relay whose session policy allows only create and list: the other two get Ram.PermissionDeny.
"$target_dir/debug/cams-relay" --emulate \
  --listen "127.0.0.1:$narrow_relay_port" --emulator-listen "127.0.0.1:$narrow_emulator_port" \
  --sts-policy '{"Version":"1","Statement":[{"Effect":"Allow","Action":["cams:CreatePhoneMessageQrdl","cams:ListPhoneMessageQrdl"],"Resource":"*"}]}' \
  --allow-origin "http://127.0.0.1:$page_port" --emulator-admin-cors "http://127.0.0.1:$page_port" \
  >"$log_dir/narrow-relay.log" 2>&1 &
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

for relay in "$CAMS_RELAY_URL:relay" "$CAMS_SHORT_RELAY_URL:short-relay" "$CAMS_NARROW_RELAY_URL:narrow-relay"; do
  url="${relay%:*}" log="${relay##*:}"
  for _ in $(seq 1 100); do
    if curl -fsS "$url/healthz" >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  if ! curl -fsS "$url/healthz" >/dev/null 2>&1; then
    echo "test-wasm: cams-relay ($url) did not start:" >&2
    cat "$log_dir/$log.log" >&2
    exit 1
  fi
done

# Only the browser suites: the other integration tests are native (proptest and the like).
cargo test --target wasm32-unknown-unknown -p cams-qrdl --test 'web_*' "$@"
