// The packed tarball installed into a scratch Vite project (built with `vite build`), served by
// cams-relay (its /sts and /cams in front of the emulator): headless Chromium loads the page,
// which calls createQrdl and shows the service's QR image and a local SVG of the deep link. The
// same project on Vite's dev server, proxying /sts and /cams to the relay as the README says.
// scripts/test-package.sh builds the project and sets CAMS_VITE_DIST.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
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

/**
 * Vite's own createServer from the scratch project (the repository does not depend on Vite),
 * serving the app with the README's settings: the package kept out of pre-bundling, /sts and /cams
 * proxied to the relay with `changeOrigin`. Returns { url, close() }.
 */
async function startViteDevServer(changeOrigin) {
  const project = path.dirname(dist);
  const viteDir = path.join(project, 'node_modules/vite');
  const pkg = JSON.parse(readFileSync(path.join(viteDir, 'package.json'), 'utf8'));
  const entry = pkg.exports['.'].import?.default ?? pkg.exports['.'].import ?? pkg.exports['.'].default ?? pkg.exports['.'];
  const { createServer } = await import(pathToFileURL(path.join(viteDir, entry)).href);
  const target = relay.url.replace(/\/$/, '');
  const server = await createServer({
    root: project,
    configFile: false,
    logLevel: 'silent',
    optimizeDeps: { exclude: ['cams-qrdl', 'cams-qrdl/qr', 'cams-qrdl/tools'] },
    server: {
      host: '127.0.0.1',
      port: 0,
      hmr: false,
      proxy: { '/sts': { target, changeOrigin }, '/cams': { target, changeOrigin } },
    },
  });
  await server.listen();
  return { url: `http://127.0.0.1:${server.httpServer.address().port}/`, close: () => server.close() };
}

test('the Vite dev server proxies /sts and /cams to the relay with changeOrigin: false (README)', async () => {
  const vite = await startViteDevServer(false);
  const { context, page, errors } = await openPage(browser, vite.url);
  try {
    const deepLink = await waitForQr(page);
    assert.match(deepLink, /^https:\/\/wa\.me\/message\/[A-Z0-9]+$/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await vite.close();
  }
});

test('with changeOrigin: true the relay refuses the dev server\'s origin, readably', async () => {
  const vite = await startViteDevServer(true);
  const { context, page } = await openPage(browser, vite.url);
  try {
    // /sts is a same-origin GET, sent without Origin; the signed POST to /cams carries it.
    const refused = await page.waitForResponse((r) => new URL(r.url()).pathname === '/cams');
    assert.equal(refused.status(), 403);
    assert.equal((await refused.json()).Code, 'RelayOriginNotAllowed');
    await page.waitForFunction(() => document.body.dataset.error);
    assert.equal(await page.evaluate(() => document.body.dataset.qr), undefined);
  } finally {
    await context.close();
    await vite.close();
  }
});
