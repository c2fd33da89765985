// Gives the imports wasm-bindgen's glue hands to the module short names (a, b, ... then aa, ab):
// wasm-bindgen names each one `__wbg_<name>_<16 hex digits>`, and those names are written
// twice, in the wasm's import section and in the glue's import object, where gzip cannot
// shrink the random hex (about 1 KB of the download for the client's 60-odd imports).
//
// Rewrites WASM (its import section only; everything else is copied byte for byte) and GLUE
// (each `<name>:` key of the import object, which must occur exactly once) in place, and fails
// on anything it does not recognise rather than guess.
//
//   node scripts/short-imports.mjs <module>_bg.wasm <module>.js
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

const [wasmPath, gluePath] = process.argv.slice(2);
if (!wasmPath || !gluePath) {
  console.error('usage: node scripts/short-imports.mjs <module>_bg.wasm <module>.js');
  process.exit(2);
}
const fail = (why) => {
  console.error(`short-imports: ${why}`);
  process.exit(1);
};

const wasm = readFileSync(wasmPath);
const glue = readFileSync(gluePath, 'utf8');
// The module name the glue's imports come under, e.g. "./cams_qrdl_bg.js".
const glueModule = `./${basename(gluePath, '.js')}_bg.js`;

function leb(buf, pos) {
  let value = 0, shift = 0, byte;
  do {
    byte = buf[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, pos];
}
function encodeLeb(value) {
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return Buffer.from(out);
}
const encodeName = (s) => {
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([encodeLeb(bytes.length), bytes]);
};
/** a, b, ..., z, A, ..., Z, then aa, ab, ...: the n-th short name. */
function shortName(n) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let s = '';
  n += 1;
  while (n > 0) {
    n -= 1;
    s = alphabet[n % alphabet.length] + s;
    n = Math.floor(n / alphabet.length);
  }
  return s;
}

if (wasm.readUInt32LE(0) !== 0x6d736100 || wasm.readUInt32LE(4) !== 1) fail(`${wasmPath} is not a wasm module`);
const parts = [wasm.subarray(0, 8)];
const renamed = new Map();
let pos = 8;
while (pos < wasm.length) {
  const id = wasm[pos];
  const [size, start] = leb(wasm, pos + 1);
  const end = start + size;
  if (id !== 2) {
    parts.push(wasm.subarray(pos, end));
    pos = end;
    continue;
  }
  // The import section: module, name, then a descriptor copied as it is.
  let p = start;
  let count;
  [count, p] = leb(wasm, p);
  const entries = [encodeLeb(count)];
  const readName = () => {
    let len;
    [len, p] = leb(wasm, p);
    const s = wasm.toString('utf8', p, p + len);
    p += len;
    return s;
  };
  for (let i = 0; i < count; i++) {
    const module = readName();
    const name = readName();
    const descStart = p;
    const kind = wasm[p++];
    const limits = () => {
      const flags = wasm[p++];
      [, p] = leb(wasm, p);
      if (flags & 1) [, p] = leb(wasm, p);
    };
    if (kind === 0) [, p] = leb(wasm, p); // function: type index
    else if (kind === 1) { p++; limits(); } // table: reference type, limits
    else if (kind === 2) limits(); // memory
    else if (kind === 3) p += 2; // global: value type, mutability
    else fail(`import ${module}.${name} has descriptor kind ${kind}`);
    let newName = name;
    if (module === glueModule) {
      if (!renamed.has(name)) renamed.set(name, shortName(renamed.size));
      newName = renamed.get(name);
    }
    entries.push(encodeName(module), encodeName(newName), wasm.subarray(descStart, p));
  }
  if (p !== end) fail('the import section did not parse to its end');
  const body = Buffer.concat(entries);
  parts.push(Buffer.from([2]), encodeLeb(body.length), body);
  pos = end;
}
if (renamed.size === 0) fail(`no imports from ${glueModule} in ${wasmPath}`);

let out = glue;
for (const [long, short] of renamed) {
  const key = `${long}:`;
  const at = out.indexOf(key);
  if (at < 0 || out.indexOf(key, at + 1) >= 0) fail(`${long} is not exactly one key in ${gluePath}`);
  out = out.slice(0, at) + `${short}:` + out.slice(at + key.length);
  if (out.includes(long)) fail(`${long} is still used in ${gluePath}`);
}
writeFileSync(wasmPath, Buffer.concat(parts));
writeFileSync(gluePath, out);
console.log(`short-imports: ${renamed.size} imports renamed in ${basename(wasmPath)} and ${basename(gluePath)}`);
