// Renders the troubleshooting table of docs/errors.md and README.md from www/js/errors.js, the one
// source of the page's hints. `node tests/page/errors-table.mjs --write` rewrites both tables;
// errors.test.mjs fails when they disagree.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERROR_HINTS, FALLBACK_HINT } from '../../www/js/errors.js';

export const MD_PATH = fileURLToPath(new URL('../../docs/errors.md', import.meta.url));
export const README_PATH = fileURLToPath(new URL('../../README.md', import.meta.url));
export const DOC_PATHS = [MD_PATH, README_PATH];
export const BEGIN = '<!-- errors-table:begin (generated from www/js/errors.js) -->';
export const END = '<!-- errors-table:end -->';

const cell = (s) => s.replace(/\|/g, '\\|');

export function renderTable() {
  const lines = ['| Code | What it means | What to do |', '|---|---|---|'];
  for (const h of ERROR_HINTS) lines.push(`| \`${h.code}\` | ${cell(h.sentence)} | ${cell(h.todo)} |`);
  lines.push(`| any other code | ${cell(FALLBACK_HINT.sentence)} | ${cell(FALLBACK_HINT.todo)} |`);
  return lines.join('\n');
}

export function tableInDoc(text) {
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a < 0 || b < a) return null;
  return text.slice(a + BEGIN.length, b).trim();
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--write')) {
  for (const path of DOC_PATHS) {
    const text = readFileSync(path, 'utf8');
    const a = text.indexOf(BEGIN);
    const b = text.indexOf(END);
    if (a < 0 || b < a) throw new Error(`${path} lacks the errors-table markers`);
    writeFileSync(path, `${text.slice(0, a + BEGIN.length)}\n${renderTable()}\n${text.slice(b)}`);
  }
}
