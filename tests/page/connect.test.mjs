// The Connection panel says honestly where calls go: through a relay the relay decides (region and
// endpoint are not offered); with an access key an endpoint goes as typed, a region alone means
// cams.<region>.aliyuncs.com, and neither means the serving relay's /cams.

import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_KEY, createViaForm, openPage, pageReady, useRelayAndBrowser } from './helpers.mjs';

const env = useRelayAndBrowser({ before, after, beforeEach, afterEach });

/** The URLs the page's CAMS calls (signed POSTs with an Action) went to, in order. */
function recordCamsCalls(page) {
  const calls = [];
  page.on('request', (r) => {
    if (r.method() !== 'POST') return;
    // Signature V3 names the action in a header; V2 in the form.
    const action = r.headers()['x-acs-action'] ?? new URLSearchParams(r.postData() ?? '').get('Action');
    if (action && action.endsWith('PhoneMessageQrdl')) calls.push({ url: r.url(), action });
  });
  return calls;
}

async function openPanel(page) {
  const panel = page.locator('#connect');
  if (!(await panel.evaluate((d) => d.open))) await panel.locator('summary').click();
  return panel;
}

async function connectKey(page, { region = '', endpoint = '' }) {
  const panel = await openPanel(page);
  await panel.getByRole('radio', { name: 'Access key' }).check();
  await panel.getByLabel('AccessKey ID').fill(DEMO_KEY.id);
  await panel.getByLabel('AccessKey secret').fill(DEMO_KEY.secret);
  await panel.getByLabel('Region (optional)').fill(region);
  await panel.getByLabel('Endpoint (optional)').fill(endpoint);
  await panel.getByRole('button', { name: 'Connect' }).click();
  await page.waitForFunction(() => !document.querySelector('#connect').open);
}

test('relay mode: no region or endpoint to set, a note that the relay decides, calls go to its /cams', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    const calls = recordCamsCalls(page);
    const panel = await openPanel(page);
    assert.equal(await panel.getByRole('radio', { name: 'Relay (recommended)' }).isChecked(), true);
    assert.equal(await panel.getByLabel('Region (optional)').isVisible(), false, 'no region field through a relay');
    assert.equal(await panel.getByLabel('Endpoint (optional)').isVisible(), false, 'no endpoint field through a relay');
    const note = panel.locator('.relay-where');
    assert.equal(await note.isVisible(), true);
    assert.match(await note.textContent(), /relay decides which Chat App Message Service endpoint/);

    // With an access key they appear, the region empty (its default only as a placeholder).
    await panel.getByRole('radio', { name: 'Access key' }).check();
    assert.equal(await panel.getByLabel('Region (optional)').isVisible(), true);
    assert.equal(await panel.getByLabel('Region (optional)').inputValue(), '');
    assert.equal(await panel.getByLabel('Region (optional)').getAttribute('placeholder'), 'ap-southeast-1');
    assert.equal(await note.isVisible(), false);
    await panel.getByRole('radio', { name: 'Relay (recommended)' }).check();
    await panel.getByRole('button', { name: 'Connect' }).click();
    await page.waitForFunction(() => !document.querySelector('#connect').open);

    await createViaForm(page, { phone: '8613800002468', message: 'Relay decides' });
    assert.deepEqual(calls.map((c) => c.url), [new URL('cams', env.relay.url).href]);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('access key: a region alone sends to cams.<region>.aliyuncs.com; neither falls back to the relay; an endpoint wins', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    const calls = recordCamsCalls(page);
    const relayCams = new URL('cams', env.relay.url).href;
    const origin = new URL(env.relay.url).origin;
    // Nothing here reaches Alibaba Cloud: a call to the regional host is answered by the
    // emulator behind the relay, with the CORS header a same-origin proxy would not need.
    const regional = 'https://cams.eu-central-1.aliyuncs.com/';
    await page.route(`${regional}**`, async (route) => {
      // Straight to the emulator, with the Host the call was signed for (Signature V3 signs it).
      const headers = { ...route.request().headers(), host: new URL(regional).host };
      const response = await route.fetch({ url: `${env.relay.emulator}/`, headers });
      await route.fulfill({ response, headers: { ...response.headers(), 'access-control-allow-origin': origin } });
    });

    await connectKey(page, { region: 'eu-central-1' });
    assert.match(await page.locator('#connect .conn-summary').textContent(), /Access key · cams\.eu-central-1\.aliyuncs\.com/);
    assert.equal(await page.locator('#env-badge').isVisible(), false, 'not the emulator, as far as the page knows');
    await createViaForm(page, { phone: '8613800002468', message: 'Regional endpoint' });
    assert.deepEqual(calls.map((c) => c.url), [regional]);

    // Neither region nor endpoint: through the relay that served the page.
    calls.length = 0;
    await connectKey(page, {});
    assert.equal(await page.locator('#env-badge').isVisible(), true);
    await createViaForm(page, { phone: '8613800002468', message: 'Relay fallback' });
    assert.deepEqual(calls.map((c) => c.url), [relayCams]);

    // An endpoint goes as typed, whatever the region says.
    calls.length = 0;
    await connectKey(page, { region: 'eu-central-1', endpoint: relayCams });
    await createViaForm(page, { phone: '8613800002468', message: 'Endpoint wins' });
    assert.deepEqual(calls.map((c) => c.url), [relayCams]);

    // A region that is not one is caught beside the field.
    const panel = await openPanel(page);
    await panel.getByLabel('Endpoint (optional)').fill('');
    await panel.getByLabel('Region (optional)').fill('x.evil.com/');
    await panel.getByRole('button', { name: 'Connect' }).click();
    assert.match(await panel.locator('#conn-region-error').textContent(), /looks like ap-southeast-1/);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});
