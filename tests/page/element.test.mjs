// <cams-qrdl> on its own page (embed-example.html): one tag and one import, the form and result
// in a shadow root, qrdl-created and qrdl-error events.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { closedUrl, decodePng, download, openPage, screenshot, startRelay, startStaticServer, useRelayAndBrowser } from './helpers.mjs';

const env = useRelayAndBrowser({ before, after });

test('<cams-qrdl> creates a code from its attributes and dispatches qrdl-created', async () => {
  const url = new URL('embed-example.html', env.relay.url).href;
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, url);
  try {
    const el = page.locator('cams-qrdl');
    await page.waitForSelector('cams-qrdl[data-ready="true"]');
    assert.ok(await el.evaluate((e) => e.shadowRoot !== null), 'a shadow root');
    assert.equal(await page.evaluate(() => document.querySelectorAll('form').length), 0, 'the form lives in the shadow root, not the page');

    // Attributes fill the form (playwright's locators pierce the open shadow root).
    assert.equal(await el.getByLabel('Phone number').inputValue(), '8613800001234');
    assert.equal(await el.getByLabel('Prefilled message').inputValue(), "Hi! I'm at the Orchard Road store.");
    assert.equal(await el.getByRole('radio', { name: 'SVG' }).isChecked(), true);

    // Changing an attribute updates the form.
    await el.evaluate((e) => e.setAttribute('message', 'Hi! I am at the Marina store.'));
    assert.equal(await el.getByLabel('Prefilled message').inputValue(), 'Hi! I am at the Marina store.');

    const created = page.evaluate(() => new Promise((resolve) => document.addEventListener('qrdl-created', (e) => resolve({ code: e.detail.qrdl.qrdlCode, link: e.detail.qrdl.deepLinkUrl, composed: e.composed }), { once: true })));
    await el.getByRole('button', { name: 'Create QR code' }).click();
    const detail = await created;
    assert.equal(detail.link, `https://wa.me/message/${detail.code}`);
    assert.equal(detail.composed, true);

    const card = el.locator('article.result');
    await card.waitFor();
    const img = card.locator('img.qr-image');
    await page.waitForFunction(() => {
      const i = document.querySelector('cams-qrdl').shadowRoot.querySelector('img.qr-image');
      return i && i.complete && i.naturalWidth > 0;
    });
    assert.equal(await img.getAttribute('data-source'), 'service');
    assert.match(await img.getAttribute('src'), /\.svg$/);
    assert.match(await img.getAttribute('alt'), /^QR code for /);
    assert.equal(await card.locator('a.deep-link').getAttribute('href'), detail.link);
    // The host page's listener logged it.
    await page.locator('#event-log li[data-event="qrdl-created"]').waitFor();

    // Downloads work from inside the shadow root too.
    const png = await download(page, () => card.getByRole('button', { name: 'Download PNG' }).click());
    assert.equal(png.name, `${detail.code}-1024.png`);
    assert.equal(decodePng(png.buffer).text, detail.link);

    // The element's styles apply inside the shadow root (its stylesheet loaded).
    const bg = await el.getByRole('button', { name: 'Create QR code' }).evaluate((b) => getComputedStyle(b).backgroundColor);
    assert.notEqual(bg, 'rgba(0, 0, 0, 0)');
    await screenshot(page, 'element-created');
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('<cams-qrdl> shows validation beside the field and failures in its alert, and dispatches qrdl-error', async () => {
  const url = new URL('embed-example.html', env.relay.url).href;
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, url, {
    allow: [/Failed to load resource: net::ERR_CONNECTION_REFUSED/],
    colorScheme: 'dark',
  });
  try {
    const el = page.locator('cams-qrdl');
    await page.waitForSelector('cams-qrdl[data-ready="true"]');
    await el.getByLabel('Prefilled message').fill('');
    await el.getByRole('button', { name: 'Create QR code' }).click();
    assert.match(await el.locator('.field-error:not([hidden])').first().textContent(), /cannot be empty/);
    await el.getByLabel('Prefilled message').fill('Hello');

    // Point the element at an endpoint where nothing listens.
    const nowhere = await closedUrl();
    await el.evaluate((e, url) => e.setAttribute('endpoint', url), nowhere);
    const failed = page.evaluate(() => new Promise((resolve) => document.addEventListener('qrdl-error', (e) => resolve({ code: e.detail.code, sentence: e.detail.sentence }), { once: true })));
    await el.getByRole('button', { name: 'Create QR code' }).click();
    const detail = await failed;
    assert.equal(detail.code, 'NetworkError');
    const alert = el.locator('[role="alert"][data-code="NetworkError"]');
    await alert.waitFor();
    assert.ok((await alert.textContent()).includes(detail.sentence));
    await page.locator('#event-log li[data-event="qrdl-error"]').waitFor();
    await screenshot(page, 'element-error-dark');

    // Removing the attribute goes back to the relay's /cams.
    await el.evaluate((e) => e.removeAttribute('endpoint'));
    await el.getByRole('button', { name: 'Create QR code' }).click();
    await el.locator('article.result').waitFor();
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('<cams-qrdl> on a dashboard of another origin: module, wasm and export module come from the relay', async () => {
  // The dashboard is its own static host; only its page and the relay's two origins are involved.
  const files = {};
  const dashboard = await startStaticServer(files);
  const relay = await startRelay(['--allow-origin', new URL(dashboard.url).origin]);
  files['/dashboard.html'] = `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>Acme dashboard</title><script type="module" src="${relay.url}cams-qrdl.js"></script></head>
<body><h1>Stores</h1><cams-qrdl relay="${relay.url}" phone-number="8613800002468" message="Hi from another origin" format="PNG"></cams-qrdl></body></html>`;
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, new URL('dashboard.html', dashboard.url).href);
  try {
    const el = page.locator('cams-qrdl');
    await page.waitForSelector('cams-qrdl[data-ready="true"]');
    const created = page.evaluate(() => new Promise((resolve) => document.addEventListener('qrdl-created', (e) => resolve(e.detail.qrdl), { once: true })));
    await el.getByRole('button', { name: 'Create QR code' }).click();
    const qrdl = await created;
    assert.equal(qrdl.phoneNumber, '8613800002468');
    const card = el.locator('article.result');
    await card.waitFor();
    // The local PNG renderer (the export module) loads from the relay too, on first use.
    const png = await download(page, () => card.getByRole('button', { name: 'Download PNG' }).click());
    assert.equal(decodePng(png.buffer).text, qrdl.deepLinkUrl);
    const fetched = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
    for (const file of ['cams-qrdl.js', 'pkg/cams_qrdl_bg.wasm', 'pkg/cams_qrdl_export_bg.wasm']) {
      assert.ok(fetched.includes(new URL(file, relay.url).href), `${file} from the relay: ${fetched.join(', ')}`);
    }
    assert.ok(fetched.includes(new URL('sts', relay.url).href), 'credentials from the relay');
    assertNoConsoleErrors();
  } finally {
    await context.close();
    await relay.stop();
    await dashboard.close();
  }
});
