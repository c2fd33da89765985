// Print files for many codes at once: a ZIP of each code's SVG, PNG and PDF (drawn here from the
// deep link by the QR and export modules) and a manifest.csv, built in the browser with fflate
// (vendored in www/vendor, MIT). Self-contained: the batch and "My QR codes" views call
// buildZip() with their rows; nothing here touches the page.

import { zipSync } from '../vendor/fflate.js';
import { loadQrModule } from './client.js';
import { loadExportModule } from './download.js';

/** The formats a ZIP can hold. */
export const FORMATS = ['svg', 'png', 'pdf'];

/** Characters a file name may not hold on Windows, macOS or Linux, and control characters. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f<>:"/\\|?*]+/g;
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/**
 * A file stem for a row: its label (or its code when the label is empty), made safe for every
 * file system (no path separators, control or reserved characters, at most 80 characters) and
 * unique within `used` (a Set of lower-cased stems, updated) by a " (2)", " (3)" suffix.
 */
export function fileStem(label, code, used) {
  let stem = String(label ?? '')
    .normalize('NFC')
    .replace(UNSAFE, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+|[.\s]+$/g, '');
  if (!stem) stem = String(code ?? '').replace(UNSAFE, '').trim() || 'qr-code';
  if (RESERVED.test(stem)) stem = `${stem}_`;
  stem = Array.from(stem).slice(0, 80).join('');
  let unique = stem;
  for (let n = 2; used.has(unique.toLowerCase()); n += 1) unique = `${stem} (${n})`;
  used.add(unique.toLowerCase());
  return unique;
}

/**
 * One CSV cell: quoted when needed, and a value a spreadsheet would run as a formula (starting
 * with =, +, -, an at sign, a tab or a carriage return) prefixed with an apostrophe (OWASP's guard).
 */
export function csvCell(value) {
  let v = String(value ?? '');
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * A ZIP (Uint8Array) of the codes in `rows` ({ label?, code, deepLinkUrl, message?, phone? }):
 * one file per format per code, named from the row's label (sanitised, unique) or its code, and
 * manifest.csv (UTF-8 with BOM: label, code, deep link, message, phone, file names). Rows without
 * an http(s) deep link are listed in the manifest with no files. `options`: `formats` (default
 * all three), `style` (the QR options, e.g. colours), `sizePx` (PNG, default 1024), `sizeMm`
 * (PDF, default 30), `onProgress(done, total)` after each row (the work yields to the page
 * between rows, so a progress bar can paint).
 */
export async function buildZip(rows, options = {}) {
  const formats = (options.formats ?? FORMATS).filter((f) => FORMATS.includes(f));
  const style = options.style ?? {};
  const qr = formats.includes('svg') ? await loadQrModule() : null;
  const ex = formats.includes('png') || formats.includes('pdf') ? await loadExportModule() : null;
  const encoder = new TextEncoder();
  const used = new Set(['manifest']);
  /** @type {Record<string, [Uint8Array, { level: 0 | 6 }]>} */
  const files = {};
  const manifest = [['label', 'code', 'deep link', 'message', 'phone', 'files'].join(',')];
  for (const [i, row] of rows.entries()) {
    const link = String(row.deepLinkUrl ?? '');
    const names = [];
    if (/^https?:\/\//i.test(link)) {
      const stem = fileStem(row.label, row.code, used);
      for (const format of formats) {
        const name = `${stem}.${format}`;
        if (format === 'svg') files[name] = [encoder.encode(qr.renderQrSvg(link, style)), { level: 6 }];
        // PNG and PDF are compressed already: stored as they are.
        else if (format === 'png') files[name] = [ex.renderQrPng(link, { ...style, sizePx: options.sizePx ?? 1024 }), { level: 0 }];
        else files[name] = [ex.renderQrPdf(link, { ...style, sizeMm: options.sizeMm ?? 30 }), { level: 0 }];
        names.push(name);
      }
    }
    manifest.push([row.label, row.code, link, row.message, row.phone, names.join(' ')].map(csvCell).join(','));
    options.onProgress?.(i + 1, rows.length);
    if (i % 25 === 24) await new Promise((r) => setTimeout(r, 0));
  }
  files['manifest.csv'] = [encoder.encode(`\ufeff${manifest.join('\r\n')}\r\n`), { level: 6 }];
  return zipSync(files);
}
