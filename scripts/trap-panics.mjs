// Makes core's panic entry points trap at once, then optimises (-Os) and drops the name section.
//
// The shipped module's #[panic_handler] (src/lib.rs) traps without reading its message, but
// core's precompiled panic functions (panic_fmt, panic_bounds_check, unwrap_failed, ...) still
// write the message's parts to the stack first, and those writes hold on to core::fmt: the
// formatter, integer printing, char counting, about 1.5 KB gzipped. On nightly, build-std with
// panic_immediate_abort does the same as this script. The behaviour does not change: a panic
// trapped before and traps now, only without the stores nothing reads.
//
// Needs the module with its name section (wasm-bindgen without --remove-name-section): the
// functions are found by name. Fails if none is found, so a renamed core function cannot
// silently undo the saving.
//
//   [BINARYEN=.../binaryen/index.js] [KEEP_NAMES=1] node scripts/trap-panics.mjs <module>_bg.wasm
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

// npm's binaryen: the project's, or the one BINARYEN points at (scripts/build-wasm.sh).
const { default: binaryen } = await import(
  process.env.BINARYEN ? pathToFileURL(process.env.BINARYEN).href : 'binaryen'
);

const path = process.argv[2];
if (!path) {
  console.error('usage: node scripts/trap-panics.mjs <module>_bg.wasm');
  process.exit(2);
}

// core's and alloc's functions that only ever end in a panic. Mangled names carry a crate hash
// in brackets: core[c5930c85a12de822]::panicking::panic_fmt.
const PANICS = [
  /^core(\[[0-9a-f]+\])?::panicking::/,
  /^core(\[[0-9a-f]+\])?::slice::index::slice_(start_index_len|end_index_len|index_order|index)_fail/,
  /^core(\[[0-9a-f]+\])?::str::slice_error_fail/,
  /^core(\[[0-9a-f]+\])?::(option|result)::(unwrap_failed|expect_failed)/,
  /^core(\[[0-9a-f]+\])?::cell::panic_already_(mutably_)?borrowed/,
  /^core(\[[0-9a-f]+\])?::cell::lazy::panic_poisoned/,
  /^alloc(\[[0-9a-f]+\])?::raw_vec::(handle_error|capacity_overflow)/,
  /^alloc(\[[0-9a-f]+\])?::alloc::handle_alloc_error/,
];

const mod = binaryen.readBinary(readFileSync(path));
// The features are the module's own (its target_features section): the output must not use more.
const stubbed = [];
for (let i = 0; i < mod.getNumFunctions(); i++) {
  const info = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
  if (!info.module && PANICS.some((re) => re.test(info.name))) stubbed.push(info);
}
if (stubbed.length === 0) {
  console.error(`trap-panics: no panic function found by name in ${path} (was the name section removed?)`);
  process.exit(1);
}
for (const f of stubbed) {
  mod.removeFunction(f.name);
  mod.addFunction(f.name, f.params, f.results, [], mod.unreachable());
}
if (!mod.validate()) {
  console.error('trap-panics: the module does not validate after the change');
  process.exit(1);
}
binaryen.setDebugInfo(Boolean(process.env.KEEP_NAMES));
binaryen.setOptimizeLevel(2);
binaryen.setShrinkLevel(1);
mod.optimize();
// KEEP_NAMES=1 keeps the name section, for `twiggy top` on what ships.
if (!process.env.KEEP_NAMES) mod.runPasses(['strip-debug', 'strip-producers']);
writeFileSync(path, mod.emitBinary());
console.log(`trap-panics: ${stubbed.length} panic functions trap at once in ${path}`);
