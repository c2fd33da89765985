// www/js/exports.js in Chromium: a batch's ZIP of SVG, PNG and PDF files plus manifest.csv, built in
// the page; unzipped here (fflate), every file decoded (SVG drawn by Chromium, PNG with pngjs, both
// read by jsQR), names and manifest checked. Needs www/pkg (scripts/build-wasm.sh).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { ROOT, decodePng, decodeSvgInPage, launchBrowser, openPage, startStaticServer } from './helpers.mjs';

const env = { server: null, browser: null };

before(async () => {
  env.server = await startStaticServer({ '/blank.html': '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>zip</title>' });
  env.browser = await launchBrowser();
});

after(async () => {
  await env.browser?.close();
  await env.server?.close();
});

test('the vendored fflate is the npm package\'s browser build', () => {
  const vendored = readFileSync(path.join(ROOT, 'www/vendor/fflate.js'));
  assert.ok(vendored.equals(readFileSync(path.join(ROOT, 'node_modules/fflate/esm/browser.js'))));
});

test('a ZIP of 21 codes: SVG, PNG and PDF each, named from labels, with a manifest; every file decodes', async () => {
  const rows = Array.from({ length: 21 }, (_, i) => ({
    label: `Store ${i % 18}`,
    code: `CODE${String(i).padStart(4, '0')}`,
    deepLinkUrl: `https://wa.me/message/CODE${String(i).padStart(4, '0')}`,
    message: `Hello from store ${i}, "table" 4`,
    phone: '8613800001234',
  }));
  rows[3].label = 'Café / Bar: "Nord"';
  rows[4].label = '=HYPERLINK("http://evil")';
  rows[5].label = '';
  rows[6].label = 'con';
  rows[7].deepLinkUrl = 'javascript:alert(1)';
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, new URL('blank.html', env.server.url).href);
  try {
    const { bytes, progress } = await page.evaluate(async (rows) => {
      const { buildZip } = await import('/js/exports.js');
      const progress = [];
      const zip = await buildZip(rows, { sizePx: 512, style: { foreground: '#1b2a6b' }, onProgress: (done, total) => progress.push(`${done}/${total}`) });
      return { bytes: Array.from(zip), progress };
    }, rows);
    assert.equal(progress.length, 21);
    assert.equal(progress.at(-1), '21/21');
    const files = unzipSync(Uint8Array.from(bytes));
    const names = Object.keys(files).sort();
    // 20 codes with an http(s) link × 3 formats + the manifest.
    assert.equal(names.length, 20 * 3 + 1);
    for (const stem of ['Store 0', 'Store 0 (2)', 'Store 17', 'Café Bar Nord', '=HYPERLINK( http evil )', 'CODE0005', 'con_']) {
      for (const ext of ['svg', 'png', 'pdf']) assert.ok(names.includes(`${stem}.${ext}`), `${stem}.${ext} in ${names.join(', ')}`);
    }
    assert.ok(!names.some((n) => n.startsWith('Store 7.')), 'no files for the javascript: link');

    const manifest = Buffer.from(files['manifest.csv']).toString('utf8');
    assert.ok(manifest.startsWith('\ufeff'), 'a BOM');
    const lines = manifest.slice(1).trimEnd().split('\r\n');
    assert.equal(lines[0], 'label,code,deep link,message,phone,files');
    assert.equal(lines.length, 22);
    assert.equal(lines[1], 'Store 0,CODE0000,https://wa.me/message/CODE0000,"Hello from store 0, ""table"" 4",8613800001234,Store 0.svg Store 0.png Store 0.pdf');
    assert.ok(lines[5].startsWith(`"'=HYPERLINK(""http://evil"")",CODE0004`), lines[5]);
    assert.ok(lines[8].endsWith(',8613800001234,'), lines[8]);

    for (const name of names.filter((n) => n.endsWith('.png'))) {
      const stemRow = rows.find((r) => name.includes(r.code));
      const decoded = decodePng(Buffer.from(files[name]));
      assert.equal(decoded.width, 512);
      assert.match(decoded.text ?? '', /^https:\/\/wa\.me\/message\/CODE\d{4}$/, name);
      if (stemRow) assert.equal(decoded.text, stemRow.deepLinkUrl);
    }
    const byStem = new Map();
    for (const line of lines.slice(1)) {
      const link = line.match(/https:\/\/wa\.me\/message\/CODE\d{4}/)?.[0];
      const file = line.match(/([^,]*)\.svg /)?.[1];
      if (link && file) byStem.set(file.replace(/^"?'?/, ''), link);
    }
    for (const [stem, link] of byStem) {
      assert.equal(await decodeSvgInPage(page, Buffer.from(files[`${stem}.svg`]).toString('utf8')), link, stem);
      assert.equal(decodePng(Buffer.from(files[`${stem}.png`])).text, link, stem);
      assert.equal(Buffer.from(files[`${stem}.pdf`]).subarray(0, 5).toString('latin1'), '%PDF-');
    }
    assert.equal(byStem.size, 20);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});
