// What this browser remembers about codes that the service does not say: when this page first saw
// each code (the List reply has no creation time) and the label a batch gave it. Kept in
// localStorage under one key, by code. Never a key, a token or a message.

const STORAGE_KEY = 'cams-qrdl:codes:v1';
/** Oldest entries are dropped past this many (several numbers of 2,000 codes each fit). */
const MAX_ENTRIES = 20_000;

/** @type {Record<string, {t: number, l?: string}> | null} */
let cache = null;

function storage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // A sandboxed frame or blocked storage: remember for this page's life only.
    return null;
  }
}

function load() {
  if (cache) return cache;
  let parsed;
  try {
    parsed = JSON.parse(storage()?.getItem(STORAGE_KEY) ?? 'null');
  } catch {
    parsed = null;
  }
  cache = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {};
  return cache;
}

function save() {
  const all = load();
  const codes = Object.keys(all);
  if (codes.length > MAX_ENTRIES) {
    codes.sort((a, b) => all[a].t - all[b].t);
    for (const c of codes.slice(0, codes.length - MAX_ENTRIES)) delete all[c];
  }
  try {
    storage()?.setItem(STORAGE_KEY, JSON.stringify(all));
  } catch {
    // Full or blocked: the dates stay for this page's life.
  }
}

/**
 * Notes codes as seen now (those not seen before), with `labels` (code → label) where given.
 * Returns each code's entry.
 * @param {string[]} codes
 * @param {{ now?: number, labels?: Map<string, string> }} [options]
 */
export function remember(codes, { now = Date.now(), labels } = {}) {
  const all = load();
  let changed = false;
  for (const code of codes) {
    if (!code) continue;
    if (!all[code]) {
      all[code] = { t: now };
      changed = true;
    }
    const label = labels?.get(code);
    if (label && all[code].l !== label) {
      all[code].l = label;
      changed = true;
    }
  }
  if (changed) save();
  return codes.map((c) => all[c]);
}

/** What is remembered about a code: `{ t: first seen (ms), l?: label }`, or undefined. */
export function seen(code) {
  return load()[code];
}

/** An update replaced `oldCode` with `newCode`: the new one keeps the label, seen now. */
export function replaced(oldCode, newCode, now = Date.now()) {
  const all = load();
  const label = all[oldCode]?.l;
  delete all[oldCode];
  all[newCode] = label ? { t: now, l: label } : { t: now };
  save();
}

/** Deleted codes are forgotten. */
export function forget(codes) {
  const all = load();
  for (const c of codes) delete all[c];
  save();
}
