// Cold start in headless Chromium: a plain static page that imports the package (an import map,
// no bundler; tests/package/app/static.html and main.js) is served by cams-relay on loopback; each
// run opens a fresh browser context (empty cache) and reads the page's performance marks:
// navigation start to the module ready (`await init()` resolved) and to the first QR code on
// screen (createQrdl through the relay's /sts and /cams, the service's image decoded, the local
// SVG drawn). Medians and p90 over the runs.
//
//   node bench/coldstart.mjs --site DIR [--runs 20] [--json]    (CAMS_RELAY_BIN: the relay binary)
// DIR holds static.html, main.js and node_modules/cams-qrdl (scripts/bench.sh prepares it).
import { arg, median, ms, quantile } from './lib.mjs';
import { launchBrowser, startRelay, waitForQr } from '../tests/package/helpers.mjs';

const site = arg('site');
if (!site) throw new Error('--site DIR is required (scripts/bench.sh prepares it)');
const runs = Number(arg('runs', 20));

const relay = await startRelay(site, ['--sts-rate-limit', '0', '--cams-rate-limit', '0']);
const browser = await launchBrowser();
const rows = [];
try {
  for (let i = 0; i < runs + 1; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${relay.url}static.html?phone=86138${String(1e7 + i).slice(1)}00`);
    await waitForQr(page);
    const row = await page.evaluate(() => {
      const mark = (name) => performance.getEntriesByName(name)[0].startTime;
      const nav = performance.getEntriesByType('navigation')[0];
      const wasm = performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'));
      return {
        ready: mark('cams-ready'),
        qr: mark('cams-qr'),
        domContentLoaded: nav.domContentLoadedEventEnd,
        wasmFetch: wasm.responseEnd - wasm.startTime,
        wasmBytes: wasm.encodedBodySize,
      };
    });
    await context.close();
    if (i > 0) rows.push(row); // the first run warms the relay and the browser process
  }
} finally {
  await browser.close();
  await relay.stop();
}

const col = (k) => rows.map((r) => r[k]);
const result = {
  runs,
  ready: { p50: median(col('ready')), p90: quantile(col('ready'), 0.9) },
  qr: { p50: median(col('qr')), p90: quantile(col('qr'), 0.9) },
  domContentLoaded: median(col('domContentLoaded')),
  wasmFetch: median(col('wasmFetch')),
  wasmBytes: rows[0].wasmBytes,
};
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(result));
} else {
  console.log(`cold start: headless Chromium, static page served by cams-relay on loopback, ${runs} fresh contexts`);
  console.log(`  navigation to module ready (init resolved)   p50 ${ms(result.ready.p50)}  p90 ${ms(result.ready.p90)}`);
  console.log(`  navigation to first QR on screen             p50 ${ms(result.qr.p50)}  p90 ${ms(result.qr.p90)}`);
  console.log(`  (DOMContentLoaded p50 ${ms(result.domContentLoaded)}; wasm fetch p50 ${ms(result.wasmFetch)}, ${result.wasmBytes} bytes on the wire)`);
}
