// Makes the README's picture of a batch ZIP's contents from the real modules in headless Chromium:
// docs/img/zip-contents.png (a ZIP from www/js/exports.js, unzipped: its files and manifest.csv).
// The page's other pictures come from the page tests (scripts/readme-pictures.sh). Needs www/pkg
// (scripts/build-wasm.sh). Usage: node scripts/print-pictures.mjs

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, openPage, startStaticServer } from '../tests/page/helpers.mjs';

const IMG = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'img');
const BLANK = '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>pictures</title><body style="margin:0;font:15px system-ui,sans-serif;background:#fff;color:#1a1a1a">';

const server = await startStaticServer({ '/blank.html': BLANK });
const browser = await launchBrowser();
try {
  const { page } = await openPage(browser, new URL('blank.html', server.url).href, { viewport: { width: 900, height: 700 } });

  // A batch ZIP of four codes, unzipped and listed: names from labels, the manifest.
  await page.evaluate(async () => {
    const { buildZip } = await import('/js/exports.js');
    const { unzipSync } = await import('/vendor/fflate.js');
    const rows = [['Shop Shanghai', 'Hello, I would like to order'], ['Shop Beijing', '你好，我想咨询'], ['Shop Beijing', 'Opening hours?'], ['', 'Track my order']]
      .map(([label, message], i) => ({
        label, message, phone: '8613800001234', code: `C0${i}K3XQ2W9Z7`, deepLinkUrl: `https://wa.me/message/C0${i}K3XQ2W9Z7`,
      }));
    const files = unzipSync(await buildZip(rows, { formats: ['svg', 'png', 'pdf'], sizePx: 512 }));
    const box = document.createElement('div');
    box.id = 'zip';
    box.style.cssText = 'padding:16px 20px;width:860px;box-sizing:border-box';
    const h = document.createElement('h2');
    h.textContent = 'batch-qr-codes.zip';
    h.style.cssText = 'margin:0 0 12px;font-size:18px';
    box.append(h);
    const grid = document.createElement('div');
    grid.style.cssText = 'display:grid;grid-template-columns:repeat(4,1fr);gap:10px 14px';
    for (const [name, data] of Object.entries(files)) {
      if (!name.endsWith('.png')) continue;
      const cell = document.createElement('figure');
      cell.style.cssText = 'margin:0;text-align:center;font-size:12.5px';
      const img = document.createElement('img');
      img.src = URL.createObjectURL(new Blob([data], { type: 'image/png' }));
      img.width = img.height = 150;
      img.style.imageRendering = 'pixelated';
      const cap = document.createElement('figcaption');
      const stem = name.slice(0, -4);
      cap.textContent = ['svg', 'png', 'pdf'].map((f) => `${stem}.${f}`).join('\n');
      cap.style.whiteSpace = 'pre-line';
      cell.append(img, cap);
      grid.append(cell);
      await img.decode();
    }
    box.append(grid);
    const m = document.createElement('pre');
    m.textContent = `manifest.csv\n${new TextDecoder().decode(files['manifest.csv']).replace(/^\uFEFF/, '').trim()}`;
    m.style.cssText = 'margin:14px 0 0;padding:10px 12px;background:#f4f4f2;border-radius:6px;font-size:11.5px;line-height:1.45;white-space:pre-wrap;word-break:break-all';
    box.append(m);
    document.body.append(box);
  });
  await page.locator('#zip').screenshot({ path: path.join(IMG, 'zip-contents.png'), animations: 'disabled' });
  console.log('print-pictures: docs/img/zip-contents.png');
} finally {
  await browser.close();
  await server.close();
}
