#!/usr/bin/env bash
# Installs what building (and, with --tests, testing) needs, skipping whatever is already there.
# Idempotent: safe to run before every build. Needs root (or sudo) only for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

want_tests=0
[ "${1:-}" = "--tests" ] && want_tests=1
say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

# 1. The wasm target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. The wasm-bindgen CLI, exactly the version Cargo.lock pins (the two must match).
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  say "installing wasm-bindgen-cli $bindgen_version (about 3 minutes, once)"
  # Not --locked: its lockfile wants a crate version this registry lacks (TOOLCHAIN.md).
  cargo install wasm-bindgen-cli --version "$bindgen_version"
fi

# 3. npm tools: wasm-opt from npm binaryen (Debian's breaks the module), playwright-core.
if [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dev tools"
  npm ci --no-audit --no-fund --loglevel=error
fi

sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ "$want_tests" = 1 ]; then
  # 4. Chromium and its driver, for wasm-bindgen-test and the page tests.
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    say "installing chromium and chromium-driver"
    sudo_if_needed apt-get update -qq
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  # A Chinese font, so the zh-CN screenshots of the page tests (tests/page/i18n.test.mjs) and
  # docs/img/page-zh-CN.png show characters rather than empty boxes.
  if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
    say "installing fonts-wqy-microhei"
    sudo_if_needed apt-get update -qq
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null
  fi
  # 5. Redis, for the relay's shared pacer tests (relay/tests/pacing, which start their own
  #    redis-server on a free port). Debian's package; its service is not needed (or started
  #    where there is no init).
  if ! command -v redis-server >/dev/null; then
    say "installing redis-server"
    sudo_if_needed apt-get update -qq
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  fi
  # 6. Python venv with Alibaba's official SDKs (the official-client test and the vector script).
  if [ ! -x .venv/bin/python ] || [ tests/official_sdk/requirements.txt -nt .venv/.installed ]; then
    say "creating .venv with Alibaba's official Python SDK"
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check -r tests/official_sdk/requirements.txt
    touch .venv/.installed
  fi
fi
say "ready"
