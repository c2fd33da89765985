#!/usr/bin/env bash
# What the client module holds, by part: builds the `client` feature as scripts/build-wasm.sh
# does but keeps the function names (wasm-opt -Os -g), lists every item with twiggy, and sums
# them by name into parts (raw bytes, before gzip; inlined code counts where it landed).
# Usage: bash bench/wasm-parts.sh   (needs `cargo install twiggy`)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"
command -v twiggy >/dev/null || cargo install twiggy --quiet
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cargo build --target wasm32-unknown-unknown --profile wasm-release -p cams-qrdl --no-default-features --features client --quiet
wasm-bindgen --target web --remove-producers-section --out-dir "$out" --out-name a \
  "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/wasm-release/cams_qrdl.wasm"
node_modules/.bin/wasm-opt -Os -g "$out/a_bg.wasm" -o "$out/o.wasm"
twiggy top -n 100000 --format csv "$out/o.wasm" >"$out/top.csv"
python3 - "$out/top.csv" <<'PY'
import collections, csv, re, sys
# First match wins.
PARTS = [
    (r'^"?data segment', 'data (messages, tables, field names)'),
    (r'serde_wasm_bindgen|serde_core|serde::', 'serde + serde-wasm-bindgen (JS values in and out)'),
    (r'flt2dec|f64 as|dec2flt|Formatter|escape_debug|unicode|core::fmt', 'core::fmt (formatting; f64 Display through serde type errors)'),
    (r'sha1|sha2|hmac|digest|base64|hex::|block_buffer', 'RustCrypto sha1/sha2/hmac, base64, hex'),
    (r'percent_encoding|form_urlencoded', 'percent-encoding, form_urlencoded'),
    (r'httpdate|humantime', 'httpdate, humantime'),
    (r'talc', 'allocator (talc)'),
    (r'wasm_bindgen|js_sys|web_sys|externref|wbindgen|wbg', 'wasm-bindgen, js-sys, web-sys (imports, exports, futures)'),
    (r'cams_protocol', 'cams-protocol (signing, validation, pacing, retry, replies, STS)'),
    (r'web::client::(call|http|gate|clock|timers)', 'web::client call path (fetch, pacing gate, retries, clock)'),
    (r'web::client::credentials', 'web::client::credentials (cache, relay, provider)'),
    (r'web::client::(config|request)|web::js', 'web config and request readers'),
    (r'cams_qrdl', 'other web edge (batches, errors, exports)'),
    (r'alloc::|core::|std::|hashbrown', 'core/alloc/std generic code'),
    (r'', 'other (unnamed items, tables, types)'),
]
sizes = collections.Counter()
for row in csv.DictReader(open(sys.argv[1])):
    name = row['Name']
    if 'function names' in name:
        continue
    part = next(label for pattern, label in PARTS if re.search(pattern, name))
    sizes[part] += int(row['ShallowSize'])
total = sum(sizes.values())
print(f'| part | bytes | share |\n|---|---:|---:|')
for part, size in sizes.most_common():
    print(f'| {part} | {size:,} | {100 * size / total:.1f}% |')
print(f'| **total (raw, names section excluded)** | **{total:,}** | |')
PY
