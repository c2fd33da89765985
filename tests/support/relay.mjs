// Shared by the page and package tests: cams-relay on its emulator, Debian's Chromium, and
// decoding a QR drawn from SVG in the page.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import jsQR from 'jsqr';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEMO_KEY = { id: 'demo-access-key-id', secret: 'demo-access-key-secret' };
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const RELAY_BIN = process.env.CAMS_RELAY_BIN ?? path.join(ROOT, 'target/debug/cams-relay');

/**
 * Starts cams-relay on its emulator, both listeners on port 0, serving `www`, and reads the bound
 * addresses from its output. Returns { url, emulator, pid, stop(), output() }.
 */
export async function startRelay(www, extraArgs = []) {
  if (!existsSync(RELAY_BIN)) throw new Error(`${RELAY_BIN} is missing: run \`cargo build -p cams-relay --features emulator\` first`);
  const args = [
    '--emulate',
    '--listen', '127.0.0.1:0',
    '--emulator-listen', '127.0.0.1:0',
    '--www', www,
    '--emulator-access-key', `${DEMO_KEY.id}:${DEMO_KEY.secret}`,
    ...extraArgs,
  ];
  const child = spawn(RELAY_BIN, args, {
    cwd: ROOT,
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

/** Debian's Chromium, headless, with the flags this closed network needs. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Draws SVG text in the page on a white canvas and decodes the pixels as a QR code. */
export async function decodeSvgInPage(page, svgText, size = 600) {
  const rgba = await page.evaluate(
    async ({ svgText, size }) => {
      const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
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
      return Array.from(ctx.getImageData(0, 0, size, size).data);
    },
    { svgText, size },
  );
  const res = jsQR(Uint8ClampedArray.from(rgba), size, size);
  return res?.data ?? null;
}
