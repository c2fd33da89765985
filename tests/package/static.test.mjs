// The packed tarball installed into a plain directory with a static HTML page (no bundler: an
// import map names the module file), served by a plain static server: headless Chromium loads
// the page, which calls createQrdl with the emulator's demo key straight at the emulator (CORS)
// and shows the service's QR image and a local SVG of the deep link.
// scripts/test-package.sh prepares the directory and sets CAMS_STATIC_DIR.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  launchBrowser,
  openPage,
  requireEnv,
  startRelay,
  startStaticServer,
  decodeSvg,
  waitForQr,
} from './helpers.mjs';

const dir = requireEnv('CAMS_STATIC_DIR');
const empty = mkdtempSync(path.join(os.tmpdir(), 'cams-empty-www-'));
let relay;
let site;
let browser;

before(async () => {
  relay = await startRelay(empty);
  site = await startStaticServer(dir);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await relay?.stop();
  rmSync(empty, { recursive: true, force: true });
});

test('both modules load from node_modules by an import map and fetch their wasm beside them', async () => {
  const { context, page, errors } = await openPage(browser, `${site.url}static.html?emulator=${encodeURIComponent(relay.emulator)}`);
  try {
    await page.waitForSelector('body[data-ready="true"]');
    const wasm = await page.evaluate(() =>
      performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.wasm')),
    );
    assert.deepEqual(wasm.sort(), [
      `${site.url}node_modules/cams-qrdl/cams_qrdl_bg.wasm`,
      `${site.url}node_modules/cams-qrdl/cams_qrdl_qr_bg.wasm`,
    ]);
    await waitForQr(page);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('createQrdl with direct keys against the emulator gets a QR code on screen', async () => {
  const { context, page, errors } = await openPage(browser, `${site.url}static.html?emulator=${encodeURIComponent(relay.emulator)}&phone=8613800002345`);
  try {
    const deepLink = await waitForQr(page);
    assert.match(deepLink, /^https:\/\/wa\.me\/message\/[A-Z0-9]+$/);
    assert.ok(await page.locator('#qr-image').evaluate((img) => img.complete && img.naturalWidth > 0));
    assert.equal(await decodeSvg(page), deepLink);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
