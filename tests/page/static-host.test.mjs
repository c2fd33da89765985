// The page as a standalone static site on any host, pointing at a cams-relay on another origin
// (started with --allow-origin for that host).

import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_KEY, ROOT, connectWithKey, createViaForm, imageLoaded, openPage, pageReady, screenshot, startStaticServer, useRelayAndBrowser } from './helpers.mjs';

const hosts = { plain: null, configured: null };
// A relay.json beside index.html is how a static deployment names its relay; it is filled in
// once each test's relay is up (the server reads this object on every request).
const files = {};
// Each test's relay allows the two static hosts' origins.
const env = useRelayAndBrowser({
  before,
  after,
  beforeEach,
  afterEach,
  relayArgs: () => [hosts.plain.url, hosts.configured.url].flatMap((u) => ['--allow-origin', new URL(u).origin]),
});

before(async () => {
  hosts.plain = await startStaticServer();
  hosts.configured = await startStaticServer(files);
});

beforeEach(() => {
  files['/relay.json'] = JSON.stringify({ sts: new URL('sts', env.relay.url).href, cams: new URL('cams', env.relay.url).href });
});

after(async () => {
  await hosts.plain?.close();
  await hosts.configured?.close();
});

test('a static host without relay.json: settings open, the person enters the relay URL, and codes are created', async () => {
  // The page looks for ./relay.json once; on a plain static host that is a 404.
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, hosts.plain.url, {
    allow: [/status of 404 \(Not Found\).*relay\.json/],
  });
  try {
    await pageReady(page);
    const panel = page.locator('#connect');
    assert.equal(await panel.evaluate((d) => d.open), true, 'the settings are open');
    assert.match(await panel.locator('.conn-summary').textContent(), /Not connected/);
    await screenshot(page, 'static-not-connected', { fullPage: false });

    // Creating before connecting says what to do.
    const form = page.locator('#create');
    await form.getByLabel('Phone number').fill('8613800001234');
    await form.getByLabel('Prefilled message').fill('From a static host');
    await form.getByRole('button', { name: 'Create QR code' }).click();
    const alert = form.locator('[role="alert"][data-code="NotConnected"]');
    await alert.waitFor();
    assert.match(await alert.textContent(), /Connect first/);
    assert.match(await alert.textContent(), /nothing was sent/);
    assert.doesNotMatch(await alert.textContent(), /may have been created|Temporary credentials/);

    await panel.getByLabel('Relay URL').fill(env.relay.url);
    await panel.getByRole('button', { name: 'Connect' }).click();
    await page.waitForFunction(() => !document.querySelector('#connect').open);
    assert.match(await panel.locator('.conn-summary').textContent(), /Relay/);

    const card = await createViaForm(page, { phone: '8613800001234', message: 'From a static host' });
    assert.ok(await imageLoaded(card.locator('img.qr-image')));
    assert.equal(await card.locator('img.qr-image').getAttribute('data-source'), 'service');

    // The relay URL (and nothing else) is remembered: the next visit connects by itself.
    const stored = await page.evaluate(() => ({ ...localStorage }));
    assert.equal(stored['cams-qrdl:relay-url'], env.relay.url);
    assert.ok(!JSON.stringify(stored).includes('AccessKeySecret') && !JSON.stringify(stored).includes('SecurityToken'), 'no secret in storage');
    await page.reload();
    await pageReady(page);
    await page.waitForFunction(() => !document.querySelector('#connect').open);
    assert.equal(await panel.getByLabel('Relay URL').inputValue(), env.relay.url);
    assert.match(await panel.locator('.conn-summary').textContent(), /Relay/);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('a static host with a relay.json naming a relay elsewhere connects by itself', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, hosts.configured.url);
  try {
    await pageReady(page);
    assert.equal(await page.locator('#connect').evaluate((d) => d.open), false);
    assert.equal(await page.locator('#connect').getByLabel('Relay URL').inputValue(), env.relay.url);
    const card = await createViaForm(page, { phone: '8613800001234', message: 'Configured static host', format: 'SVG' });
    assert.ok(await imageLoaded(card.locator('img.qr-image')));
    // Listing works across origins too.
    const manage = page.locator('#manage');
    await manage.getByLabel('Phone number').fill('8613800001234');
    await manage.getByRole('button', { name: 'Show my QR codes' }).click();
    await manage.locator('tbody tr').first().waitFor();
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('a request the page\'s own CSP blocks says nothing was sent', async () => {
  // The same page, its connect-src narrowed to its own origin: the relay's /cams is another one.
  const html = readFileSync(path.join(ROOT, 'www/index.html'), 'utf8').replace("connect-src 'self' http: https:", "connect-src 'self'");
  assert.ok(html.includes("connect-src 'self';"));
  const strict = await startStaticServer({ '/index.html': html });
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, `${strict.url}index.html`, {
    allow: [/status of 404 \(Not Found\).*relay\.json/, /Refused to connect|Content Security Policy|violates the following/, /net::ERR_/],
  });
  try {
    await pageReady(page);
    // Straight at the emulator (another origin), which this CSP does not allow.
    await connectWithKey(page, { id: DEMO_KEY.id, secret: DEMO_KEY.secret, endpoint: `${env.relay.emulator}/` });
    const form = page.locator('#create');
    await form.getByLabel('Phone number').fill('8613800001234');
    await form.getByLabel('Prefilled message').fill('Blocked by CSP');
    await form.getByRole('button', { name: 'Create QR code' }).click();
    const alert = form.locator('[role="alert"][data-code="BlockedByCsp"]');
    await alert.waitFor({ timeout: 30_000 });
    const text = await alert.textContent();
    assert.match(text, /Content-Security-Policy/);
    assert.match(text, /nothing was sent/);
    assert.doesNotMatch(text, /may have been created/);
    assertNoConsoleErrors();
  } finally {
    await context.close();
    await strict.close();
  }
});
