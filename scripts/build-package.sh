#!/usr/bin/env bash
# Builds the publishable npm package `cams-qrdl` into pkg/ (or OUT_DIR): the wasm module and its
# JS glue and types from scripts/build-wasm.sh (cargo, wasm-bindgen --target web, npm binaryen's
# wasm-opt -Oz), the glue minified with npm's terser, our package.json (npm/package.json with the
# version from Cargo.toml), the npm README and LICENSE. Needs nothing beyond the registries: no
# wasm-pack, no downloads at build time. Prints each part's size, raw and gzip -9, and the
# shipped module's (wasm + JS glue).
# Usage: scripts/build-package.sh [OUT_DIR]    then: cd pkg && npm pack
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
out="${1:-pkg}"
case "$out" in /*) ;; *) out="$repo/$out" ;; esac

# The wasm target, the exact wasm-bindgen CLI and npm's wasm-opt (skipped when present).
bash scripts/setup.sh >/dev/null
if [ ! -x node_modules/.bin/wasm-opt ]; then
  echo "build-package: npm's wasm-opt is missing (npm ci); a package must be optimised" >&2
  exit 1
fi

# A fresh directory: files from an older build (or a renamed output) must not ship.
rm -rf "$out"
bash scripts/build-wasm.sh "$out" >/dev/null
# wasm-bindgen may write files npm must not publish (a .gitignore would hide everything else).
rm -f "$out/.gitignore" "$out/package.json"

# The JS glue, minified (terser, a pinned devDependency): wasm-bindgen writes it for reading,
# with comments, and it is a tenth of what a page downloads. Export and class names are kept,
# and so is `new URL("cams_qrdl_bg.wasm", import.meta.url)`, which bundlers look for.
node_modules/.bin/terser "$out/cams_qrdl.js" --module --compress passes=2 --mangle \
  --keep-classnames -o "$out/cams_qrdl.min.js"
mv "$out/cams_qrdl.min.js" "$out/cams_qrdl.js"
grep -q 'new URL("cams_qrdl_bg.wasm",import.meta.url)' "$out/cams_qrdl.js" ||
  { echo "build-package: the minified glue lost its wasm URL" >&2; exit 1; }

# Types: wasm-bindgen describes the module's raw exports (InitOutput in cams_qrdl.d.ts, and all
# of cams_qrdl_bg.wasm.d.ts) with `any`. Nobody calls those; they are typed `unknown` instead so
# the published declarations hold no `any` at all. Only those two places are touched.
node -e '
  const fs = require("fs");
  const out = process.argv[1];
  const main = `${out}/cams_qrdl.d.ts`;
  const text = fs.readFileSync(main, "utf8");
  const start = text.indexOf("export interface InitOutput {");
  const end = text.indexOf("\n}\n", start);
  if (start < 0 || end < 0) { console.error("build-package: no InitOutput in cams_qrdl.d.ts"); process.exit(1); }
  fs.writeFileSync(main, text.slice(0, start) + text.slice(start, end).replace(/\bany\b/g, "unknown") + text.slice(end));
  const bg = `${out}/cams_qrdl_bg.wasm.d.ts`;
  fs.writeFileSync(bg, fs.readFileSync(bg, "utf8").replace(/\bany\b/g, "unknown"));
' "$out"

version=$(awk -F'"' '/^version = / {print $2; exit}' Cargo.toml)
node -e '
  const fs = require("fs");
  const [template, out, version] = process.argv.slice(1);
  const pkg = JSON.parse(fs.readFileSync(template, "utf8"));
  pkg.version = version;
  for (const f of pkg.files) {
    if (!["README.md", "LICENSE"].includes(f) && !fs.existsSync(`${out}/${f}`)) {
      console.error(`build-package: ${f} is in "files" but was not built`);
      process.exit(1);
    }
  }
  fs.writeFileSync(`${out}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
' npm/package.json "$out" "$version"
cp npm/README.md "$out/README.md"
cp LICENSE "$out/LICENSE"

gz() { gzip -9c "$1" | wc -c; }
row() { printf '  %-24s %9d %9d\n' "$1" "$(wc -c <"$out/$1")" "$(gz "$out/$1")"; }
echo "build-package: cams-qrdl@$version in $out"
printf '  %-24s %9s %9s\n' file "bytes" "gzip -9"
for f in cams_qrdl_bg.wasm cams_qrdl.js cams_qrdl.d.ts cams_qrdl_bg.wasm.d.ts package.json README.md LICENSE; do
  row "$f"
done
shipped=$(($(gz "$out/cams_qrdl_bg.wasm") + $(gz "$out/cams_qrdl.js")))
printf '  %-24s %9d %9d\n' "module (wasm + glue)" \
  $(($(wc -c <"$out/cams_qrdl_bg.wasm") + $(wc -c <"$out/cams_qrdl.js"))) "$shipped"
