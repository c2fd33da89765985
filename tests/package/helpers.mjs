// Shared by the package tests and the benchmarks: start `cams-relay --emulate` on free ports
// serving a directory, a plain static server, and headless Chromium (Debian's, through
// playwright-core). Builds nothing: scripts/test-package.sh and scripts/bench.sh prepare the
// directories and the relay binary.

import { spawn } from 'node:child_process';
import http from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEMO_KEY = { id: 'demo-access-key-id', secret: 'demo-access-key-secret' };
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const RELAY_BIN = process.env.CAMS_RELAY_BIN ?? path.join(ROOT, 'target/debug/cams-relay');

/** An environment variable the runner script must set. */
export function requireEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this through scripts/test-package.sh or scripts/bench.sh`);
  return value;
}

/**
 * Starts cams-relay on its emulator, both listeners on port 0, serving `www`, and reads the bound
 * addresses from its output. Returns { url, emulator, stop(), output() }.
 */
export async function startRelay(www, extraArgs = []) {
  if (!existsSync(RELAY_BIN)) throw new Error(`${RELAY_BIN} is missing: cargo build -p cams-relay`);
  const args = [
    '--emulate',
    '--listen', '127.0.0.1:0',
    '--emulator-listen', '127.0.0.1:0',
    '--www', www,
    '--emulator-access-key', `${DEMO_KEY.id}:${DEMO_KEY.secret}`,
    ...extraArgs,
  ];
  const child = spawn(RELAY_BIN, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
  });
  let out = '';
  const found = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cams-relay did not report its addresses within 20 s:\n${out}`)), 20_000);
    const onData = (b) => {
      out += b.toString();
      const relay = out.match(/serving (https?:\/\/[^\s]+)/);
      const emu = out.match(/emulator listening on (https?:\/\/[^\s]+)/);
      if (relay && emu) {
        clearTimeout(timer);
        resolve({ url: relay[1].replace(/\/?$/, '/'), emulator: emu[1].replace(/\/$/, '') });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cams-relay exited (${code}) before it was ready:\n${out}`));
    });
  });
  return {
    ...found,
    pid: child.pid,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
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

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
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
  const dataUrl = await page.evaluate(async (size) => {
    const svg = document.querySelector('#qr-svg svg');
    const url = URL.createObjectURL(new Blob([svg.outerHTML], { type: 'image/svg+xml' }));
    const img = new Image();
    await new Promise((res, rej) => {
      img.onload = res;
      img.onerror = () => rej(new Error('the SVG does not load as an image'));
      img.src = url;
    });
    const c = document.createElement('canvas');
    c.width = size;
    c.height = size;
    const ctx = c.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, size, size);
    ctx.drawImage(img, 0, 0, size, size);
    URL.revokeObjectURL(url);
    return c.toDataURL('image/png');
  }, size);
  const png = PNG.sync.read(Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64'));
  return jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height)?.data ?? null;
}
