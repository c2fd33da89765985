#!/usr/bin/env bash
# Benchmarks (`make bench`): prints figures, asserts nothing. Builds the npm package into pkg/
# (and prints each part's size), cams-relay in release mode, installs Debian's wrk when missing,
# then runs, on loopback only:
#   size       the package's parts, raw and gzip -9 (from scripts/build-package.sh)
#   sign       µs per signRpcRequest in Node beside @alicloud/openapi-util's getRPCSignature
#   coldstart  headless Chromium: page load to module ready, and to the first QR on screen
#   roundtrip  createQrdl p50/p99 straight at the emulator and through the relay (N=200)
#   sts        GET /sts throughput under wrk (10 s)
#   batch      100 creates at the emulator's 5 QPS: client.createQrdls vs a naive Promise.all
#   pacing     the relay's account pacer: 10 clients x 100 creates through 2 relays and 1 Redis,
#              and the relay's added latency with and without Redis (relay/benches/pacing.rs;
#              installs Debian's redis-server when missing)
#   manage     "My QR codes" with 2,000 codes in headless Chromium: the table's first render,
#              click to table, a search and a sort (the page's www/pkg built first)
#   zip        headless Chromium: the batch ZIP (www/js/exports.js) of 2,000 codes as SVG, PNG
#              and PDF (builds www/pkg)
# Usage: scripts/bench.sh [size|sign|coldstart|roundtrip|sts|batch|pacing|manage|zip]...   (default: all)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"

all=(size sign coldstart roundtrip sts batch pacing manage zip)
want=("$@")
[ ${#want[@]} -eq 0 ] && want=("${all[@]}")
wants() { local w; for w in "${want[@]}"; do [ "$w" = "$1" ] && return 0; done; return 1; }
for w in "${want[@]}"; do
  case " ${all[*]} " in *" $w "*) ;; *) echo "bench: unknown benchmark '$w' (one of: ${all[*]})" >&2; exit 2 ;; esac
done

section() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }
sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# What is needed: the wasm toolchain and npm tools, Chromium, wrk, a release relay.
bash scripts/setup.sh >/dev/null
if ! command -v wrk >/dev/null && wants sts; then
  echo "bench: installing wrk (Debian)"
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
if ! command -v redis-server >/dev/null && wants pacing; then
  echo "bench: installing redis-server (Debian)"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
if [ ! -x /usr/bin/chromium ] && { wants coldstart || wants manage; }; then
  echo "bench: installing chromium (Debian)"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

section machine
echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu:      $(nproc) × $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
echo "memory:   $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
echo "os:       $(. /etc/os-release && echo "$PRETTY_NAME"), $(uname -r)"
echo "node:     $(node --version); rustc: $(rustc --version | cut -d' ' -f2); chromium: $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}')"

section "size (scripts/build-package.sh pkg)"
bash scripts/build-package.sh pkg 2>&1 | grep -v '^ *\(Compiling\|Finished\)'
export CAMS_PKG="$repo/pkg"

if wants coldstart || wants roundtrip || wants sts || wants batch || wants manage; then
  cargo build --release --quiet -p cams-relay --features emulator
  export CAMS_RELAY_BIN="$target_dir/release/cams-relay"
fi

if wants sign; then
  section "sign (node bench/sign.mjs)"
  node bench/sign.mjs
fi

if wants coldstart; then
  section "coldstart (node bench/coldstart.mjs)"
  site="$(mktemp -d "${TMPDIR:-/tmp}/cams-bench-site.XXXXXX")"
  trap 'rm -rf "$site"' EXIT
  mkdir -p "$site/node_modules/cams-qrdl"
  cp -r pkg/. "$site/node_modules/cams-qrdl/"
  # cams-relay serves pages under a CSP without inline scripts, so no import map: the page
  # imports the module file by its path.
  sed '/<script type="importmap">/,/<\/script>/d; /No bundler: the package name/d' \
    tests/package/app/static.html >"$site/static.html"
  sed -e "s#from 'cams-qrdl'#from './node_modules/cams-qrdl/cams_qrdl.js'#" \
    -e "s#from 'cams-qrdl/qr'#from './node_modules/cams-qrdl/cams_qrdl_qr.js'#" \
    tests/package/app/main.js >"$site/main.js"
  node bench/coldstart.mjs --site "$site"
fi

if wants roundtrip; then
  section "roundtrip (node bench/roundtrip.mjs)"
  node bench/roundtrip.mjs
fi

if wants sts; then
  section "sts (node bench/sts.mjs)"
  node bench/sts.mjs
fi

if wants batch; then
  section "batch (node bench/batch.mjs)"
  node bench/batch.mjs
fi

if wants pacing; then
  section "pacing (cargo bench -p cams-relay --features emulator --bench pacing)"
  cargo bench --quiet -p cams-relay --features emulator --bench pacing
fi

if wants manage; then
  section "manage (node bench/manage.mjs)"
  bash scripts/build-wasm.sh >/dev/null
  node bench/manage.mjs
fi

if wants zip; then
  section "zip (node bench/zip.mjs)"
  bash scripts/build-wasm.sh >/dev/null
  node bench/zip.mjs
fi
