#!/usr/bin/env bash
# Refreshes the README's pictures (docs/img) from the screenshots the page tests take.
# The tests only write tests/page/screenshots/ (untracked); this script runs the ones that take
# README pictures and copies them over the tracked files. Needs www/pkg (scripts/build-wasm.sh)
# and target/debug/cams-relay (cargo build -p cams-relay --features emulator).
# Usage: bash scripts/readme-pictures.sh [manage|batch|style ...]   (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."

shots=tests/page/screenshots
# test file : screenshot -> README picture
declare -A PICTURES=(
  [manage]="readme-manage-light:manage-light readme-manage-dark:manage-dark readme-manage-390:manage-390 readme-manage-thumbnails:manage-thumbnails readme-customise:customise"
  [style]="readme-styled-code:styled-code"
  [batch]="readme-batch-zip:batch-zip readme-batch-preview-light:batch-preview-light readme-batch-preview-dark:batch-preview-dark readme-batch-preview-390:batch-preview-390"
)

files=("$@")
[ ${#files[@]} -eq 0 ] && files=(manage batch style)
for f in "${files[@]}"; do
  [ -n "${PICTURES[$f]:-}" ] || { echo "no README pictures come from tests/page/$f.test.mjs" >&2; exit 2; }
  node --test --test-concurrency=1 "tests/page/$f.test.mjs"
  for pair in ${PICTURES[$f]}; do
    from="$shots/${pair%%:*}.png"
    to="docs/img/${pair##*:}.png"
    if [ -f "$from" ]; then
      cp "$from" "$to"
      echo "$to <- $from"
    else
      echo "missing $from (did its test run?)" >&2
      exit 1
    fi
  done
done
