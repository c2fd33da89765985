// Shared by the page and package tests: cams-relay on its emulator, and Debian's Chromium.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEMO_KEY = { id: 'demo-access-key-id', secret: 'demo-access-key-secret' };
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const RELAY_BIN = process.env.CAMS_RELAY_BIN ?? path.join(ROOT, 'target/debug/cams-relay');

/**
 * Starts cams-relay on its emulator, both listeners on port 0, serving `www`, and reads the bound
 * addresses from its output. Returns { url, emulator, pid, stop(), output() }.
 */
export async function startRelay(www, extraArgs = []) {
  if (!existsSync(RELAY_BIN)) throw new Error(`${RELAY_BIN} is missing: run \`cargo build -p cams-relay\` first`);
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
