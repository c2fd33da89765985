#!/usr/bin/env bash
# Tests the npm package as a user gets it: builds it (scripts/build-package.sh), checks the
# size budget and that the public .d.ts has no `any`, packs it with `npm pack`, installs the
# tarball into scratch projects in a temp directory (npm install --no-audit --no-fund), type-checks
# tests/package/example.ts with `tsc --noEmit --strict`, builds a Vite app with `vite build`, and
# runs the Chromium tests (tests/package/*.test.mjs) against cams-relay's emulator: the Vite
# build served by the relay, and a plain static page that imports the module by an import map.
#
# Budgets: the client module (cams_qrdl_bg.wasm + cams_qrdl.js) at most BUDGET bytes gzip -9
# (default 92160 = 90 KiB), the QR module (cams-qrdl/qr) at most QR_BUDGET (default 40960 =
# 40 KiB), the export module (cams-qrdl/export: PNG, PDF, logo decoding, the frame text's glyphs)
# at most EXPORT_BUDGET (default 122880 = 120 KiB; BENCHMARKS.md says what it holds), each file
# gzipped on its own as a server sends it. `any`: none in cams_qrdl.d.ts and
# cams_qrdl_bg.wasm.d.ts, with nothing excluded (build-package.sh types wasm-bindgen's raw exports
# with `unknown`), nor in the QR module's two.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"
budget="${BUDGET:-92160}"
qr_budget="${QR_BUDGET:-40960}"
export_budget="${EXPORT_BUDGET:-122880}"
vite_version="${VITE_VERSION:-8.3.8}"

work="$(mktemp -d "${TMPDIR:-/tmp}/cams-package-test.XXXXXX")"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
say() { printf '\033[1mtest-package:\033[0m %s\n' "$*"; }
fail() { printf '\033[31mtest-package: %s\033[0m\n' "$*" >&2; exit 1; }

# 1. The package.
bash scripts/build-package.sh "$work/pkg"
pkg="$work/pkg"

# 2. Size budget.
wasm_gz=$(gzip -9c "$pkg/cams_qrdl_bg.wasm" | wc -c)
js_gz=$(gzip -9c "$pkg/cams_qrdl.js" | wc -c)
total=$((wasm_gz + js_gz))
# Over budget fails the script, after the other checks have run (so they still report).
over_budget=""
if [ "$total" -gt "$budget" ]; then
  over_budget="the module is $total bytes gzip -9 (wasm $wasm_gz + glue $js_gz), $((total - budget)) over the budget of $budget"
  printf '\033[31mtest-package: %s\033[0m\n' "$over_budget" >&2
else
  say "size: $total bytes gzip -9 (wasm $wasm_gz + glue $js_gz), budget $budget"
fi
qr_total=$(($(gzip -9c "$pkg/cams_qrdl_qr_bg.wasm" | wc -c) + $(gzip -9c "$pkg/cams_qrdl_qr.js" | wc -c)))
if [ "$qr_total" -gt "$qr_budget" ]; then
  over_budget="${over_budget:+$over_budget; }the QR module is $qr_total bytes gzip -9, $((qr_total - qr_budget)) over the budget of $qr_budget"
  printf '\033[31mtest-package: the QR module is %s bytes gzip -9, over %s\033[0m\n' "$qr_total" "$qr_budget" >&2
else
  say "the QR module (cams-qrdl/qr, loaded only to draw codes locally): $qr_total bytes gzip -9, budget $qr_budget"
fi

export_total=$(($(gzip -9c "$pkg/cams_qrdl_export_bg.wasm" | wc -c) + $(gzip -9c "$pkg/cams_qrdl_export.js" | wc -c)))
if [ "$export_total" -gt "$export_budget" ]; then
  over_budget="${over_budget:+$over_budget; }the export module is $export_total bytes gzip -9, $((export_total - export_budget)) over the budget of $export_budget"
  printf '\033[31mtest-package: the export module is %s bytes gzip -9, over %s\033[0m\n' "$export_total" "$export_budget" >&2
else
  say "the export module (cams-qrdl/export, loaded on a page's first PNG or PDF download): $export_total bytes gzip -9, budget $export_budget"
fi

# 3. No `any` in the public types (as a word, outside comments).
for dts in "$pkg"/cams_qrdl*.d.ts; do
  if sed -e 's://.*$::' -e 's:/\*.*\*/::g' "$dts" | grep -v '^\s*\*' | grep -nw 'any'; then
    fail "$(basename "$dts") has \`any\` (lines above)"
  fi
done
tools_total=$(($(gzip -9c "$pkg/cams_qrdl_tools_bg.wasm" | wc -c) + $(gzip -9c "$pkg/cams_qrdl_tools.js" | wc -c)))
say "the tools module (cams-qrdl/tools): $tools_total bytes gzip -9"
say "types: no any in $(cd "$pkg" && echo cams_qrdl*.d.ts)"

# 4. npm pack: the tarball holds exactly the package's files.
(cd "$pkg" && npm pack --silent --pack-destination "$work" >/dev/null)
tarball=$(ls "$work"/cams-qrdl-*.tgz)
listed=$(tar -tzf "$tarball" | sed 's:^package/::' | sort | tr '\n' ' ')
expected=$(printf '%s\n' LICENSE README.md cams_qrdl.d.ts cams_qrdl.js cams_qrdl_bg.wasm \
  cams_qrdl_bg.wasm.d.ts cams_qrdl_export.d.ts cams_qrdl_export.js cams_qrdl_export_bg.wasm \
  cams_qrdl_export_bg.wasm.d.ts cams_qrdl_qr.d.ts cams_qrdl_qr.js cams_qrdl_qr_bg.wasm \
  cams_qrdl_qr_bg.wasm.d.ts cams_qrdl_tools.d.ts cams_qrdl_tools.js cams_qrdl_tools_bg.wasm \
  cams_qrdl_tools_bg.wasm.d.ts package.json | sort | tr '\n' ' ')
[ "$listed" = "$expected" ] || fail "the tarball holds: $listed (expected: $expected)"
say "packed $(basename "$tarball"): $listed"

npm_install() { (cd "$1" && npm install --no-audit --no-fund --loglevel=error "${@:2}" >/dev/null); }

# 5. A plain static page: the tarball installed into an empty directory, no bundler.
static="$work/static"
mkdir -p "$static"
echo '{ "name": "cams-static-page", "private": true }' >"$static/package.json"
npm_install "$static" "$tarball"
cp tests/package/app/static.html tests/package/app/main.js "$static/"

# 6. TypeScript: the example against the installed package (tests/package/tsconfig.json: strict,
#    noEmit, library checks on, no ambient @types).
cp tests/package/example.ts tests/package/example-disposable.ts tests/package/tsconfig.json \
  tests/package/tsconfig.disposable.json "$static/"
node_modules/.bin/tsc -p "$static/tsconfig.json"
say "tsc --noEmit --strict (lib ES2022 + DOM, skipLibCheck false): example.ts uses the whole API"
node_modules/.bin/tsc -p "$static/tsconfig.disposable.json"
say "tsc with esnext.disposable: example-disposable.ts uses a client with \`using\`"

# 7. A scratch Vite project built with `vite build`.
vite="$work/vite"
mkdir -p "$vite"
cat >"$vite/package.json" <<EOF
{ "name": "cams-vite-app", "private": true, "type": "module",
  "scripts": { "build": "vite build" },
  "devDependencies": { "vite": "$vite_version" } }
EOF
npm_install "$vite" "$tarball"
cp tests/package/app/index.html tests/package/app/main.js "$vite/"
(cd "$vite" && npx --no-install vite build --logLevel warn)
say "vite $vite_version build: $(ls "$vite/dist/assets" | tr '\n' ' ')"

# 8. Chromium against the emulator.
cargo build -p cams-relay --features emulator --quiet
relay_bin="${CARGO_TARGET_DIR:-$repo/target}/debug/cams-relay"
CAMS_RELAY_BIN="$relay_bin" CAMS_VITE_DIST="$vite/dist" CAMS_STATIC_DIR="$static" \
  node --test --test-concurrency=1 tests/package/

[ -z "$over_budget" ] || fail "$over_budget"
