// Shared by the package tests and the benchmarks: start `cams-relay --emulate` on free ports
// serving a directory, a plain static server, and headless Chromium (Debian's, through
// playwright-core). Builds nothing: scripts/test-package.sh and scripts/bench.sh prepare the
// directories and the relay binary.

import http from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CHROMIUM, DEMO_KEY, RELAY_BIN, ROOT, decodeSvgInPage, launchBrowser, startRelay } from '../support/relay.mjs';

export { CHROMIUM, DEMO_KEY, RELAY_BIN, ROOT, launchBrowser, startRelay };

/** An environment variable the runner script must set. */
export function requireEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this through scripts/test-package.sh or scripts/bench.sh`);
  return value;
}

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** A plain static file server for `dir` on a free loopback port: { url, close() }. */
export async function startStaticServer(dir) {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = path.join(root, p.endsWith('/') ? `${p}index.html` : p);
    if (!file.startsWith(root + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('not found');
    }
    res.writeHead(200, {
      'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    return res.end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((r) => server.close(r)),
  };
}

/** A fresh context (empty cache) and page recording console errors: { context, page, errors }. */
export async function openPage(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') errors.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  await page.goto(url);
  return { context, page, errors };
}

/**
 * Waits for the scratch app (tests/package/app/main.js) to show its QR code and returns the deep
 * link it encodes; throws with the page's own error text when it shows one instead.
 */
export async function waitForQr(page, timeout = 20_000) {
  await page.waitForFunction(() => document.body.dataset.qr || document.body.dataset.error, null, { timeout });
  const { qr, error } = await page.evaluate(() => ({ ...document.body.dataset }));
  if (!qr) throw new Error(`the page failed: ${error}: ${await page.locator('#status').textContent()}`);
  return qr;
}

/** Draws the page's local SVG on a white canvas in the page and decodes it with jsQR: its text. */
export async function decodeSvg(page, size = 400) {
  const svgText = await page.evaluate(() => document.querySelector('#qr-svg svg').outerHTML);
  return decodeSvgInPage(page, svgText, size);
}
