#!/usr/bin/env bash
# Builds the browser modules: cargo (wasm-release profile, wasm32) -> wasm-bindgen --target web
# -> npm binaryen's wasm-opt (Debian's wasm-opt breaks the module: TOOLCHAIN notes in the
# README), then prints raw and gzip -9 sizes. Nothing else touches the output. Four modules
# come out of the one crate, by its features:
#   cams_qrdl        the client (createQrdl, CamsClient): feature `client`
#   cams_qrdl_qr     the local QR renderer (renderQrSvg): feature `qr`
#   cams_qrdl_export the print exports (renderQrPng, renderQrPdf): feature `export`
#   cams_qrdl_tools  the signers and the validator (signRpcRequest, signAcs3Request,
#                    validateQrdlRequest): feature `tools`, built for speed (profile wasm-tools)
# Usage: scripts/build-wasm.sh [OUT_DIR] (default www/pkg).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"
out="${1:-www/pkg}"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
mkdir -p "$out"

wasm_opt="$repo/node_modules/.bin/wasm-opt"
[ -x "$wasm_opt" ] || { echo "build-wasm: npm's wasm-opt is missing (npm ci, or bash scripts/setup.sh)" >&2; exit 1; }

size() { printf '%-28s %8d bytes raw %8d bytes gzip -9\n' "$(basename "$1")" "$(wc -c <"$1")" "$(gzip -9c "$1" | wc -c)"; }
echo "build-wasm: $out"

# build NAME FEATURE [PROFILE [WASM_OPT]]: one module, named NAME, with the crate's FEATURE only.
build() {
  local name=$1 feature=$2 profile=${3:-wasm-release} opt=${4:-${WASM_OPT_LEVEL:--Os}}
  cargo build --target wasm32-unknown-unknown --profile "$profile" -p cams-qrdl \
    --no-default-features --features "$feature"
  wasm-bindgen --target web --remove-name-section --remove-producers-section --out-name "$name" \
    --out-dir "$out" "$target_dir/wasm32-unknown-unknown/$profile/cams_qrdl.wasm"
  local wasm="$out/${name}_bg.wasm"
  "$wasm_opt" "$opt" "$wasm" -o "$wasm.opt" && mv "$wasm.opt" "$wasm"
  size "$wasm"
  size "$out/$name.js"
}

build cams_qrdl client
build cams_qrdl_qr qr
build cams_qrdl_export export
# The tools without .cargo/config.toml's compact SHA-256 (RUSTFLAGS, even without a flag that
# matters, replaces the config's target rustflags): sha2's default unrolled rounds, for speed.
RUSTFLAGS="--cfg cams_tools_build" build cams_qrdl_tools tools wasm-tools -O3
