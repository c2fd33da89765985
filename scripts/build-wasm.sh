#!/usr/bin/env bash
# Builds the browser modules: cargo (wasm-release profile, wasm32) -> wasm-bindgen --target web
# -> npm binaryen's wasm-opt -Os (when installed; Debian's wasm-opt breaks the module) ->
# scripts/trap-panics.mjs (core's panic functions trap at once, so core::fmt drops out; -Os
# again; the name section removed) -> scripts/short-imports.mjs (short names for the glue's
# imports), then prints raw and gzip -9 sizes. The client's glue imports src/web/host.js, which
# scripts/inline-snippets.mjs puts into the glue (no snippets/ ships). -Os, not -Oz: on this code -Oz makes the raw file 1 % smaller
# but the gzip -9 file, what is downloaded, 0.3 % larger (BENCHMARKS.md). Two modules come out of the one crate, by its features:
#   cams_qrdl     the client (createQrdl, CamsClient, signRpcRequest): feature `client`
#   cams_qrdl_qr  the local QR renderer (renderQrSvg): feature `qr`
# Usage: scripts/build-wasm.sh [OUT_DIR] (default www/pkg).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"
out="${1:-www/pkg}"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
mkdir -p "$out"

wasm_opt=""
for candidate in "$repo/node_modules/.bin/wasm-opt" "$repo/.tools/node_modules/.bin/wasm-opt"; do
  if [ -x "$candidate" ]; then wasm_opt="$candidate"; break; fi
done
[ -n "$wasm_opt" ] ||
  echo "build-wasm: npm binaryen not installed (npm ci, or npm install --no-save --prefix .tools binaryen@132); skipping wasm-opt" >&2

size() { printf '%-28s %8d bytes raw %8d bytes gzip -9\n' "$(basename "$1")" "$(wc -c <"$1")" "$(gzip -9c "$1" | wc -c)"; }
echo "build-wasm: $out"

# Panic locations name their source files; without this, a dependency's is an absolute path on
# the build machine (/home/.../.cargo/registry/src/index.crates.io-.../js-sys-.../src/lib.rs),
# which makes the module depend on where it was built and costs bytes. Now js-sys-.../src/lib.rs.
remap=()
for dir in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
  remap+=("--remap-path-prefix=$dir=")
done
export RUSTFLAGS="${RUSTFLAGS:-} ${remap[*]}"

# build NAME FEATURE: one module, named NAME, with the crate's FEATURE only.
build() {
  local name=$1 feature=$2
  cargo build --target wasm32-unknown-unknown --profile wasm-release -p cams-qrdl \
    --no-default-features --features "$feature"
  # Names kept for trap-panics.mjs, which removes them.
  wasm-bindgen --target web --remove-producers-section --out-name "$name" \
    --out-dir "$out" "$target_dir/wasm32-unknown-unknown/wasm-release/cams_qrdl.wasm"
  node scripts/inline-snippets.mjs "$out" "$name.js" >/dev/null
  local wasm="$out/${name}_bg.wasm"
  if [ -n "$wasm_opt" ]; then
    "$wasm_opt" -Os -g "$wasm" -o "$wasm.opt" && mv "$wasm.opt" "$wasm"
    BINARYEN="$(dirname "$wasm_opt")/../binaryen/index.js" node scripts/trap-panics.mjs "$wasm" >/dev/null
  fi
  node scripts/short-imports.mjs "$wasm" "$out/$name.js" >/dev/null
  size "$wasm"
  size "$out/$name.js"
}

build cams_qrdl client
build cams_qrdl_qr qr
