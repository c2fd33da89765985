// Shared by the page tests: start `cams-relay --emulate` on free ports, drive Debian's Chromium
// with playwright-core, record console errors, save screenshots, decode QR codes.
// Builds nothing: expects www/pkg (scripts/build-wasm.sh) and target/debug/cams-relay.

import { inflateSync } from 'node:zlib';
import { createServer } from 'node:net';
import { after as nodeAfter, afterEach as nodeAfterEach, before as nodeBefore, beforeEach as nodeBeforeEach } from 'node:test';
import http from 'node:http';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_KEY, ROOT, decodeSvgInPage, launchBrowser, startRelay as startRelayServing } from '../support/relay.mjs';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';

export { DEMO_KEY, ROOT, decodeSvgInPage, launchBrowser };
export const SCREENSHOTS = path.join(ROOT, 'tests/page/screenshots');
/** cams-relay on its emulator serving this repository's www/ (which needs www/pkg built). */
export async function startRelay(extraArgs = []) {
  if (!existsSync(path.join(ROOT, 'www/pkg/cams_qrdl.js'))) throw new Error('www/pkg is missing: run `bash scripts/build-wasm.sh` first');
  return startRelayServing(path.join(ROOT, 'www'), extraArgs);
}

/**
 * Console lines a lost create reply causes: through the relay a dropped upstream connection is a
 * 502 RelayUpstreamError, and Chromium may also resend the POST by itself, which the gateway
 * refuses as SignatureNonceUsed (400). For openPage's `allow`.
 */
export const LOST_REPLY_CONSOLE = /the server responded with a status of (502|400)/;

/** The emulator's counters (its admin route, on the emulator's own listener). */
export async function emulatorStats(emulator) {
  return (await fetch(`${emulator}/__emulator/stats`)).json();
}

/** Sets the emulator's fault injection (`null` clears it); the emulator must accept it. */
export async function setFaults(emulator, config) {
  const res = await fetch(`${emulator}/__emulator/faults`, {
    method: config ? 'POST' : 'DELETE',
    headers: { 'content-type': 'application/json' },
    body: config ? JSON.stringify(config) : undefined,
  });
  if (res.status !== 200) throw new Error(`the emulator refused the fault setting: ${res.status} ${await res.text()}`);
}

/** A loopback URL where nothing listens (a port just bound and released), for refused connections. */
export async function closedUrl() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return `http://127.0.0.1:${port}/`;
}

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * A plain static host for www/ (no relay behind it), on a free loopback port. `files` adds or
 * overrides paths (e.g. { '/relay.json': '{...}' }). Returns { url, close() }.
 */
export async function startStaticServer(files = {}) {
  const www = path.join(ROOT, 'www');
  const server = http.createServer((req, res) => {
    const p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (Object.hasOwn(files, p)) {
      res.writeHead(200, { 'content-type': MIME[path.extname(p)] ?? 'application/octet-stream' });
      return res.end(files[p]);
    }
    const file = path.join(www, p.endsWith('/') ? `${p}index.html` : p);
    if (!file.startsWith(www) || !existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('not found');
    }
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream' });
    return res.end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((r) => server.close(r)),
  };
}

/**
 * A new context and page that record console errors and page errors. `allow` lists regexes of
 * console errors a test causes on purpose (a failed image load, a refused connection).
 * `locale`: the browser's language (navigator.languages), English unless a test asks for another.
 * Returns { context, page, errors(), assertNoConsoleErrors() }.
 */
export async function openPage(browser, url, { colorScheme = 'light', viewport = { width: 1280, height: 900 }, allow = [], permissions = ['clipboard-read', 'clipboard-write'], locale = 'en-US' } = {}) {
  const context = await browser.newContext({ colorScheme, viewport, acceptDownloads: true, reducedMotion: 'reduce', locale });
  await context.grantPermissions(permissions, { origin: new URL(url).origin });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') {
      const text = `${msg.type()}: ${msg.text()} (${msg.location()?.url ?? ''})`;
      if (!allow.some((re) => re.test(text))) errors.push(text);
    }
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  await page.goto(url);
  return {
    context,
    page,
    errors: () => errors.slice(),
    allow(re) {
      allow.push(re);
    },
    assertNoConsoleErrors() {
      if (errors.length) throw new Error(`console errors:\n${errors.join('\n')}`);
    },
  };
}

/** Waits until the page's modules have started (body[data-ready]). */
export async function pageReady(page) {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
}

export async function screenshot(page, name, opts = {}) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled', ...opts });
  return file;
}

/** Decodes a PNG buffer as a QR code: its text (or null), the image's size and the symbol's version. */
export function decodePng(buffer) {
  const png = PNG.sync.read(buffer);
  const res = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
  return { text: res?.data ?? null, width: png.width, height: png.height, version: res?.version ?? null };
}

/**
 * A PDF from the export module: its page width in points (MediaBox, whole points) and the code's
 * printed width in mm (the page less the background on each side of the centred code, read from
 * the content stream's first `cm`, whose x offset is that margin).
 */
export function pdfWidths(buffer) {
  const text = buffer.toString('latin1');
  const page = Number(/\/MediaBox \[0 0 (\d+) /.exec(text)?.[1]);
  const start = buffer.indexOf('stream\n') + 'stream\n'.length;
  const content = inflateSync(buffer.subarray(start, buffer.indexOf('\nendstream', start))).toString('latin1');
  const cm = content.split('\n').find((l) => l.endsWith(' cm')).split(' ').map(Number);
  return { pagePt: page, codeMm: ((page - 2 * cm[4]) * 25.4) / 72, scale: cm[0], dx: cm[4] };
}

/** Clicks something that starts a download and returns { name, buffer }. */
export async function download(page, click) {
  const [dl] = await Promise.all([page.waitForEvent('download'), click()]);
  const file = await dl.path();
  return { name: dl.suggestedFilename(), buffer: readFileSync(file) };
}

/** Fills and submits the page's create form, and waits for the result card. */
export async function createViaForm(page, { phone, message, format = 'PNG', space } = {}) {
  const form = page.locator('#create');
  await form.getByLabel('Phone number').fill(phone);
  await form.getByLabel('Prefilled message').fill(message);
  await form.getByRole('radio', { name: format }).check();
  if (space !== undefined) await form.getByLabel('Space ID (optional)').fill(space);
  // Mark the card of an earlier create, so the wait below is for the new one.
  await page.evaluate(() => document.querySelector('#create article.result')?.setAttribute('data-old', ''));
  await form.getByRole('button', { name: 'Create QR code' }).click();
  const card = form.locator('article.result:not([data-old])');
  await card.waitFor();
  await page.waitForFunction(() => {
    const img = document.querySelector('#create article.result img.qr-image');
    return img && img.complete && img.naturalWidth > 0;
  });
  return card;
}

/** True when the <img> finished loading with real pixels. */
export function imageLoaded(locator) {
  return locator.evaluate((img) => img.complete && img.naturalWidth > 0);
}

/** Connects the page with an access key (and endpoint) through the Connection panel. */
export async function connectWithKey(page, { id, secret, endpoint }) {
  const panel = page.locator('#connect');
  if (!(await panel.evaluate((d) => d.open))) await panel.locator('summary').click();
  await panel.getByRole('radio', { name: 'Access key' }).check();
  await panel.getByLabel('AccessKey ID').fill(id);
  await panel.getByLabel('AccessKey secret').fill(secret);
  await panel.getByLabel('Endpoint (optional)').fill(endpoint ?? '');
  await panel.getByRole('button', { name: 'Connect' }).click();
  await page.waitForFunction(() => !document.querySelector('#connect').open);
}

/** Parses CSV text (quotes, doubled quotes, CRLF). */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let q = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') q = false;
      else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/**
 * The browser for a test file, and a relay (with its own emulator) for each test, so no test's
 * calls count against another's 5-per-second limit and no test sees another's codes, faults or
 * counters: `const env = useRelayAndBrowser({ before, after, beforeEach, afterEach })` with
 * node:test's hooks (any left out are node:test's own, so `{ before, after }` alone works the
 * same). env.browser is set once `before` ran; env.relay ({ url, emulator, ... }) is a fresh
 * relay in every test, stopped after it. `relayArgs` go to every relay (e.g. --allow-origin).
 *
 * After each test the emulator's counters must show no call refused by its QPS limit
 * (assertNeverThrottled): the page paces its calls, so a throttled call is a bug, not noise.
 * A test that drives the limit on purpose calls env.expectThrottling() first.
 */
export function useRelayAndBrowser({ before = nodeBefore, after = nodeAfter, beforeEach = nodeBeforeEach, afterEach = nodeAfterEach, relayArgs = [] } = {}) {
  let throttlingExpected = false;
  const env = {
    relay: null,
    browser: null,
    expectThrottling() {
      throttlingExpected = true;
    },
  };
  before(async () => {
    env.browser = await launchBrowser();
  });
  beforeEach(async () => {
    throttlingExpected = false;
    env.relay = await startRelay(typeof relayArgs === 'function' ? relayArgs() : relayArgs);
  });
  afterEach(async () => {
    const { relay } = env;
    try {
      if (relay && !throttlingExpected) await assertNeverThrottled(env);
    } finally {
      env.relay = null;
      await relay?.stop();
    }
  });
  after(async () => {
    await env.browser?.close();
  });
  return env;
}

/**
 * Fails when the emulator behind env.relay (or an emulator URL) refused any call with its QPS
 * limit (System.LimitControl): its `throttled` counter, which counts the limit's refusals only,
 * not injected Throttling faults.
 */
export async function assertNeverThrottled(envOrEmulator, message = 'no call was refused by the emulator\'s 5-per-second limit') {
  const emulator = typeof envOrEmulator === 'string' ? envOrEmulator : envOrEmulator.relay.emulator;
  const stats = await emulatorStats(emulator);
  if ((stats.throttled ?? 0) !== 0) {
    const per = Object.entries(stats.perAccount ?? {})
      .filter(([, c]) => c.throttled)
      .map(([id, c]) => `${id}: ${c.throttled} of ${c.accepted + c.throttled}`)
      .join(', ');
    throw new Error(`${message}: ${stats.throttled} throttled (${per}); calls by action ${JSON.stringify(stats.byAction)}`);
  }
}

/**
 * Creates `count` codes at once with the emulator's `POST /__emulator/seed`, in the account the
 * relay's credentials act for (an STS key from its /sts names it). Returns `{ created, codes }`.
 */
export async function seedCodes(relay, { phoneNumber, count, message, format, custSpaceId }) {
  const sts = await (await fetch(new URL('sts', relay.url))).json();
  const accessKeyId = sts.AccessKeyId ?? sts.Credentials?.AccessKeyId;
  const res = await fetch(`${relay.emulator}/__emulator/seed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accessKeyId, phoneNumber, count, message, format, custSpaceId }),
  });
  if (res.status !== 200) throw new Error(`the emulator refused the seed: ${res.status} ${await res.text()}`);
  return res.json();
}
