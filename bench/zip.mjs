// The batch ZIP (www/js/exports.js) for 2,000 codes in headless Chromium: each code as SVG,
// PNG (512 px) and PDF, plus manifest.csv, timed from the call to the ZIP's bytes. Issue 12 asks
// for under 60 s on the development machine. Needs www/pkg (scripts/build-wasm.sh).
// Usage: node bench/zip.mjs [COUNT]

import { launchBrowser, openPage, startStaticServer } from '../tests/page/helpers.mjs';

const count = Number(process.argv[2] ?? 2000);
const server = await startStaticServer({ '/blank.html': '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>zip</title>' });
const browser = await launchBrowser();
try {
  const { page } = await openPage(browser, new URL('blank.html', server.url).href);
  for (const [formats, sizePx] of [[['svg', 'png', 'pdf'], 512], [['svg'], 512], [['png'], 1024], [['pdf'], 512]]) {
    const r = await page.evaluate(
      async ({ count, formats, sizePx }) => {
        const { buildZip } = await import('/js/exports.js');
        const rows = Array.from({ length: count }, (_, i) => ({
          label: `Store ${i}`,
          code: `C${String(i).padStart(11, '0')}`,
          deepLinkUrl: `https://wa.me/message/C${String(i).padStart(11, '0')}`,
          message: `Hello from store ${i}`,
          phone: '8613800001234',
        }));
        await buildZip(rows.slice(0, 5), { formats, sizePx }); // loads the modules
        const t0 = performance.now();
        const zip = await buildZip(rows, { formats, sizePx });
        return { ms: performance.now() - t0, bytes: zip.length };
      },
      { count, formats, sizePx },
    );
    console.log(`${count} codes, ${formats.join('+')}${formats.includes('png') ? ` (PNG ${sizePx} px)` : ''}: ${(r.ms / 1000).toFixed(1)} s, ZIP ${(r.bytes / 1e6).toFixed(1)} MB`);
  }
} finally {
  await browser.close();
  await server.close();
}
