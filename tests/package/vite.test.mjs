// The packed tarball installed into a scratch Vite project (built with `vite build`), served by
// cams-relay (its /sts and /cams in front of the emulator): headless Chromium loads the page,
// which calls createQrdl and shows the service's QR image and a local SVG of the deep link.
// scripts/test-package.sh builds the project and sets CAMS_VITE_DIST.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { launchBrowser, openPage, requireEnv, startRelay, decodeSvg, waitForQr } from './helpers.mjs';

const dist = requireEnv('CAMS_VITE_DIST');
let relay;
let browser;

before(async () => {
  relay = await startRelay(dist);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await relay?.stop();
});

test('vite build emits both wasm modules as assets beside the bundle', () => {
  const assets = readdirSync(path.join(dist, 'assets'));
  assert.ok(assets.some((f) => /^cams_qrdl_bg-.*\.wasm$/.test(f)), assets.join(', '));
  assert.ok(assets.some((f) => /^cams_qrdl_qr_bg-.*\.wasm$/.test(f)), assets.join(', '));
  assert.ok(assets.some((f) => f.endsWith('.js')), assets.join(', '));
});

test('createQrdl through the relay gets a QR code on screen', async () => {
  const { context, page, errors } = await openPage(browser, relay.url);
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
