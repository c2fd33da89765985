#!/usr/bin/env bash
# Builds the publishable npm package `cams-qrdl` into pkg/ (or OUT_DIR): the four wasm modules
# (the client, `cams-qrdl`, the QR renderer, `cams-qrdl/qr`, the print exports,
# `cams-qrdl/export`, and the tools, `cams-qrdl/tools`) and their JS glue and types
# from scripts/build-wasm.sh (cargo, wasm-bindgen --target web, npm binaryen's wasm-opt), the
# glue minified with npm's terser, our package.json (npm/package.json with the
# version from Cargo.toml), the npm README and LICENSE. Needs nothing beyond the registries: no
# wasm-pack, no downloads at build time. Prints each part's size, raw and gzip -9, and each
# module's (wasm + JS glue).
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

# The JS glue of every module, minified (terser, a pinned devDependency): wasm-bindgen writes it
# for reading, with comments, and it is a tenth of what a page downloads. Export and class names
# are kept, and so is `new URL("<name>_bg.wasm", import.meta.url)`, which bundlers look for.
for name in cams_qrdl cams_qrdl_qr cams_qrdl_export cams_qrdl_tools; do
  node_modules/.bin/terser "$out/$name.js" --module --compress passes=2 --mangle \
    --keep-classnames -o "$out/$name.min.js"
  mv "$out/$name.min.js" "$out/$name.js"
  grep -q "new URL(\"${name}_bg.wasm\",import.meta.url)" "$out/$name.js" ||
    { echo "build-package: the minified $name.js lost its wasm URL" >&2; exit 1; }
done
# The glue imports nothing but the wasm file: no snippets/ may be needed.
if [ -e "$out/snippets" ] || grep -q './snippets/' "$out/cams_qrdl.js"; then
  echo "build-package: the glue imports a snippet" >&2; exit 1
fi

# Types: wasm-bindgen describes the module's raw exports (InitOutput in cams_qrdl.d.ts, and all
# of cams_qrdl_bg.wasm.d.ts) with `any`. Nobody calls those; they are typed `unknown` instead so
# the published declarations hold no `any` at all. Only those two places are touched.
node -e '
  const fs = require("fs");
  const out = process.argv[1];
  for (const name of ["cams_qrdl", "cams_qrdl_qr", "cams_qrdl_export", "cams_qrdl_tools"]) {
    const main = `${out}/${name}.d.ts`;
    const text = fs.readFileSync(main, "utf8");
    const start = text.indexOf("export interface InitOutput {");
    const end = text.indexOf("\n}\n", start);
    if (start < 0 || end < 0) { console.error(`build-package: no InitOutput in ${name}.d.ts`); process.exit(1); }
    fs.writeFileSync(main, text.slice(0, start) + text.slice(start, end).replace(/\bany\b/g, "unknown") + text.slice(end));
    const bg = `${out}/${name}_bg.wasm.d.ts`;
    fs.writeFileSync(bg, fs.readFileSync(bg, "utf8").replace(/\bany\b/g, "unknown"));
  }
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
for f in cams_qrdl_bg.wasm cams_qrdl.js cams_qrdl.d.ts cams_qrdl_bg.wasm.d.ts \
  cams_qrdl_qr_bg.wasm cams_qrdl_qr.js cams_qrdl_qr.d.ts cams_qrdl_qr_bg.wasm.d.ts \
  cams_qrdl_export_bg.wasm cams_qrdl_export.js cams_qrdl_export.d.ts cams_qrdl_export_bg.wasm.d.ts \
  cams_qrdl_tools_bg.wasm cams_qrdl_tools.js cams_qrdl_tools.d.ts cams_qrdl_tools_bg.wasm.d.ts \
  package.json README.md LICENSE; do
  row "$f"
done
# module NAME LABEL FILE...: a module's files, each gzipped on its own as a server sends them.
module() {
  local raw=0 gzipped=0 f
  for f in "${@:3}"; do
    raw=$((raw + $(wc -c <"$out/$f"))); gzipped=$((gzipped + $(gz "$out/$f")))
  done
  printf '  %-24s %9d %9d\n' "$2" "$raw" "$gzipped"
}
module cams_qrdl "module (wasm + glue)" cams_qrdl_bg.wasm cams_qrdl.js
module cams_qrdl_qr "qr module (wasm + glue)" cams_qrdl_qr_bg.wasm cams_qrdl_qr.js
module cams_qrdl_export "export module (wasm + glue)" cams_qrdl_export_bg.wasm cams_qrdl_export.js
module cams_qrdl_tools "tools module (wasm + glue)" cams_qrdl_tools_bg.wasm cams_qrdl_tools.js
