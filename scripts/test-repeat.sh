#!/usr/bin/env bash
# Runs the two stages that drive a browser N times (default 5): the wasm module's browser tests
# (scripts/test-wasm.sh) and the page tests (tests/page), to show they do not flake. Builds once
# first (the modules in www/pkg, the relay with its emulator, the browser tests); each run then
# only runs. Every stage of every run is logged to target/test-repeat/run-<n>-<stage>.log, and
# at the end every failure is listed with its run number. Exit status is non-zero if any failed.
#   bash scripts/test-repeat.sh [N]      (make test-repeat N=5)
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"

runs="${1:-${N:-5}}"
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [N]  (N: how many runs, at least 1)" >&2
  exit 2
fi
out="$repo/target/test-repeat"
rm -rf "$out"
mkdir -p "$out"

echo "test-repeat: building once" >&2
if ! {
  bash scripts/build-wasm.sh &&
    cargo build -p cams-relay --features emulator --quiet &&
    cargo test --target wasm32-unknown-unknown -p cams-qrdl --test 'web_*' --no-run --quiet
} >"$out/build.log" 2>&1; then
  echo "test-repeat: the build failed (see $out/build.log):" >&2
  tail -n 40 "$out/build.log" >&2
  exit 1
fi

failures=()
# stage N NAME COMMAND...: runs one stage of run N, logged; a failure is noted with what failed.
stage() {
  local n="$1" name="$2"
  shift 2
  local log="$out/run-$n-$name.log" start=$SECONDS
  if "$@" >"$log" 2>&1; then
    echo "run $n/$runs $name: ok ($((SECONDS - start)) s)"
    return
  fi
  echo "run $n/$runs $name: FAILED ($((SECONDS - start)) s), log: $log"
  # The failing tests by name: wasm-bindgen-test's "failures:" list, node:test's "not ok" lines.
  local which
  which="$(
    {
      sed -n '/^failures:$/,/^test result/p' "$log" | grep -E '^    [A-Za-z0-9_:]+$' | sed 's/^ */wasm: /'
      grep -E '^ *not ok [0-9]+ - ' "$log" | sed -E 's/^ *not ok [0-9]+ - /page: /'
    } | sort -u
  )"
  if [ -z "$which" ]; then which="(no test named; see the log)"; fi
  while IFS= read -r line; do failures+=("run $n $name: $line (log: $log)"); done <<<"$which"
}

for n in $(seq 1 "$runs"); do
  stage "$n" wasm bash scripts/test-wasm.sh
  stage "$n" page node --test --test-concurrency=1 tests/page/*.test.mjs
done

echo
if [ "${#failures[@]}" -eq 0 ]; then
  echo "test-repeat: $runs of $runs runs passed (browser and page tests); logs in $out"
  exit 0
fi
echo "test-repeat: ${#failures[@]} failure(s) in $runs runs:"
printf '  %s\n' "${failures[@]}"
exit 1
