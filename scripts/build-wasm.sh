#!/usr/bin/env bash
# Builds the browser module: cargo (release, wasm32) -> wasm-bindgen --target web -> npm
# binaryen's wasm-opt -Oz (when installed; Debian's wasm-opt breaks the module), then prints
# raw and gzip -9 sizes. Usage: scripts/build-wasm.sh [OUT_DIR] (default www/pkg).
# Extra cargo flags can go in CARGO_FLAGS, e.g. CARGO_FLAGS=--no-default-features (no QR renderer).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"
out="${1:-www/pkg}"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"

# shellcheck disable=SC2086 # CARGO_FLAGS is a list of flags
cargo build --target wasm32-unknown-unknown --profile wasm-release -p cams-qrdl ${CARGO_FLAGS:-}
mkdir -p "$out"
wasm-bindgen --target web --remove-name-section --remove-producers-section \
  --out-dir "$out" "$target_dir/wasm32-unknown-unknown/wasm-release/cams_qrdl.wasm"

wasm="$out/cams_qrdl_bg.wasm"
wasm_opt=""
for candidate in "$repo/node_modules/.bin/wasm-opt" "$repo/.tools/node_modules/.bin/wasm-opt"; do
  if [ -x "$candidate" ]; then wasm_opt="$candidate"; break; fi
done
if [ -n "$wasm_opt" ]; then
  "$wasm_opt" -Oz "$wasm" -o "$wasm.opt" && mv "$wasm.opt" "$wasm"
else
  echo "build-wasm: npm binaryen not installed (npm ci, or npm install --no-save --prefix .tools binaryen@132); skipping wasm-opt" >&2
fi

size() { printf '%-28s %8d bytes raw %8d bytes gzip -9\n' "$(basename "$1")" "$(wc -c <"$1")" "$(gzip -9c "$1" | wc -c)"; }
echo "build-wasm: $out"
size "$wasm"
size "$out/cams_qrdl.js"
