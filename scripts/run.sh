#!/usr/bin/env bash
# Builds everything and starts cams-relay on its built-in emulator, serving the page.
# Extra arguments go to cams-relay (e.g. --listen 0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh
bash scripts/build-wasm.sh
cargo build --release -p cams-relay --features emulator
exec target/release/cams-relay --www www "$@"
