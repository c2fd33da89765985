// The page as a standalone static site on any host, pointing at a cams-relay on another origin
// (started with --allow-origin for that host).

import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createViaForm, imageLoaded, openPage, pageReady, screenshot, startStaticServer, useRelayAndBrowser } from './helpers.mjs';

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
    const alert = form.locator('[role="alert"][data-code="CredentialsError"]');
    await alert.waitFor();
    assert.match(await alert.textContent(), /Connect first/);

    await panel.getByLabel('Relay URL').fill(env.relay.url);
    await panel.getByRole('button', { name: 'Connect' }).click();
    await page.waitForFunction(() => !document.querySelector('#connect').open);
    assert.match(await panel.locator('.conn-summary').textContent(), /Relay/);

    const card = await createViaForm(page, { phone: '8613800001234', message: 'From a static host' });
    assert.ok(await imageLoaded(card.locator('img.qr-image')));
    assert.equal(await card.locator('img.qr-image').getAttribute('data-source'), 'service');
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
