// Shared by the benchmarks: loading the built package in Node, percentiles, printing.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** `--name value` from the command line, or `fallback`. */
export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

export const PKG = resolve(arg('pkg', process.env.CAMS_PKG || resolve(REPO, 'pkg')));

/** The package's module, started with initSync (Node has no fetch of file URLs). */
export async function loadPackage(dir = PKG) {
  const mod = await import(pathToFileURL(resolve(dir, 'cams_qrdl.js')).href);
  mod.initSync({ module: readFileSync(resolve(dir, 'cams_qrdl_bg.wasm')) });
  return mod;
}

/** The q-quantile (0..1) of numbers, nearest rank. */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

export const median = (xs) => quantile(xs, 0.5);

export const ms = (x) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

/** A phone number no other run uses (the emulator keeps at most 2000 codes per number). */
export function freshPhone() {
  return `86139${String(Date.now() % 1e8).padStart(8, '0')}`.slice(0, 13);
}
