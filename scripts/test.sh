#!/usr/bin/env bash
# Runs every test: lint, native (signer vectors, core, relay, emulator), the wasm module in
# headless Chromium against the emulator, Alibaba's official Python SDK against the emulator,
# and the page in Chromium. Installs what it needs first. Exit status is non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver
# The relay's pacing tests skip without redis-server on a developer's machine; here setup.sh
# installs it, so its absence is a failure.
export CAMS_REQUIRE_REDIS=1

bash scripts/setup.sh --tests || { echo "setup failed"; exit 1; }

passed=0; failed=0; failed_names=()
stage() {
  local name=$1; shift
  printf '\n\033[1m== %s ==\033[0m\n' "$name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1)); printf '\033[32m-- %s: ok (%ss)\033[0m\n' "$name" $((SECONDS - start))
  else
    failed=$((failed + 1)); failed_names+=("$name"); printf '\033[31m-- %s: FAILED (%ss)\033[0m\n' "$name" $((SECONDS - start))
  fi
}

lint() {
  cargo fmt --all --check &&
  cargo clippy --workspace --all-targets --all-features --quiet -- -D warnings &&
  # The production relay, without the emulator.
  cargo clippy -p cams-relay --all-targets --quiet -- -D warnings &&
  cargo clippy -p cams-qrdl --target wasm32-unknown-unknown --all-targets --quiet -- -D warnings &&
  # Each of the three shipped modules on its own (scripts/build-wasm.sh).
  cargo clippy -p cams-qrdl --target wasm32-unknown-unknown --no-default-features --features client --quiet -- -D warnings &&
  cargo clippy -p cams-qrdl --target wasm32-unknown-unknown --no-default-features --features qr --quiet -- -D warnings &&
  cargo clippy -p cams-qrdl --target wasm32-unknown-unknown --no-default-features --features export --quiet -- -D warnings &&
  cargo clippy -p cams-qrdl --target wasm32-unknown-unknown --no-default-features --features tools --quiet -- -D warnings &&
  # The page's JS: ESLint, and TypeScript's checker over its JSDoc (tsconfig.www.json).
  node_modules/.bin/eslint www tests bench scripts &&
  node_modules/.bin/tsc -p tsconfig.www.json
}
native() { cargo test --workspace --all-features --quiet && cargo test -p cams-relay --lib --quiet; }
build() {
  bash scripts/build-wasm.sh &&
  # The production relay builds without the emulator, and its command line has none of its
  # flags; then the relay the tests run, with it.
  cargo build -p cams-relay --quiet &&
  ! target/debug/cams-relay --help | grep -q -- '--emulator-listen' &&
  cargo build -p cams-relay --features emulator --quiet
}
wasm_browser() { bash scripts/test-wasm.sh; }
official_sdk() { .venv/bin/python -m pytest -q tests/official_sdk; }
page() { node --test --test-concurrency=1 tests/page/*.test.mjs; }

stage lint lint
stage native native
stage build build
stage "wasm in chromium" wasm_browser
stage "official python sdk" official_sdk
stage page page
if [ -f scripts/test-package.sh ]; then stage "npm package" bash scripts/test-package.sh; fi

echo
if [ "$failed" -gt 0 ]; then echo "failed stages: ${failed_names[*]}"; fi
echo "stages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
