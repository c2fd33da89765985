// <cams-qrdl> on its own page (embed-example.html): one tag and one import, the form and result
// in a shadow root, qrdl-created and qrdl-error events.

import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { closedUrl, decodePng, download, openPage, screenshot, startRelay, startStaticServer, useRelayAndBrowser } from './helpers.mjs';

const env = useRelayAndBrowser({ before, after, beforeEach, afterEach });

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
    // The empty message above was one qrdl-error (InvalidParameter), the refused endpoint another.
    await page.locator('#event-log li[data-event="qrdl-error"]', { hasText: 'NetworkError' }).waitFor();
    assert.equal(await page.locator('#event-log li[data-event="qrdl-error"]', { hasText: 'InvalidParameter' }).count(), 1);
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

/**
 * A host page on a plain static host (no CSP of its own), with `css` in a <style> and one
 * <cams-qrdl attrs>. Returns { url, close() }.
 */
async function hostPage(css, attrs = '', head = '') {
  const files = {
    '/host.html': `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">${head}
<title>Host</title><style>${css}</style><script type="module" src="/cams-qrdl.js"></script></head>
<body><main><h1>Host</h1><cams-qrdl ${attrs} phone-number="8613800001234" message="Hi"></cams-qrdl></main></body></html>`,
  };
  const server = await startStaticServer(files);
  return { url: new URL('host.html', server.url).href, close: server.close };
}

/** The element's text colour and its page-facing background, as computed inside its shadow root. */
function elementColours(page) {
  return page.locator('cams-qrdl').evaluate((e) => {
    const label = e.shadowRoot.querySelector('label');
    const submit = e.shadowRoot.querySelector('button[type="submit"]');
    return { text: getComputedStyle(label).color, accent: getComputedStyle(submit).backgroundColor, scheme: getComputedStyle(e).colorScheme };
  });
}

const LIGHT_TEXT = 'rgb(19, 32, 28)';
const DARK_TEXT = 'rgb(228, 238, 234)';

test('<cams-qrdl> follows the host page\'s color-scheme, not the OS, unless its theme says otherwise', async () => {
  const cases = [
    // [host CSS, element attributes, OS preference, expected text colour, host <head> extra]
    ['', '', 'dark', LIGHT_TEXT], // a light-only host on a dark OS: light
    ['', '', 'light', DARK_TEXT, '<meta name="color-scheme" content="dark">'], // declared by <meta>
    [':root { color-scheme: dark; background: #111; }', '', 'light', DARK_TEXT], // a dark host on a light OS
    [':root { color-scheme: light dark; }', 'theme="auto"', 'dark', DARK_TEXT], // a host that follows the OS
    [':root { color-scheme: light dark; }', 'theme="auto"', 'light', LIGHT_TEXT],
    ['', 'theme="dark"', 'light', DARK_TEXT], // fixed by the attribute
    [':root { color-scheme: dark; }', 'theme="light"', 'dark', LIGHT_TEXT],
  ];
  for (const [css, attrs, os, expected, head = ''] of cases) {
    const host = await hostPage(css, attrs, head);
    const { page, context, assertNoConsoleErrors } = await openPage(env.browser, host.url, { colorScheme: os });
    try {
      await page.waitForSelector('cams-qrdl[data-ready="true"]');
      const got = await elementColours(page);
      assert.equal(got.text, expected, `${JSON.stringify({ css, attrs, os, head })}: ${JSON.stringify(got)}`);
      assertNoConsoleErrors();
    } finally {
      await context.close();
      await host.close();
    }
  }
  // The theme property reflects the attribute; switching it restyles at once.
  const host = await hostPage('');
  const { page, context } = await openPage(env.browser, host.url);
  try {
    await page.waitForSelector('cams-qrdl[data-ready="true"]');
    const el = page.locator('cams-qrdl');
    assert.equal(await el.evaluate((e) => /** @type {any} */ (e).theme), 'auto');
    await el.evaluate((e) => {
      /** @type {any} */ (e).theme = 'dark';
    });
    assert.equal(await el.getAttribute('theme'), 'dark');
    assert.equal((await elementColours(page)).text, DARK_TEXT);
    // A themed element paints its own background, so its text never sits on the host's.
    assert.notEqual(await el.evaluate((e) => getComputedStyle(e).backgroundColor), 'rgba(0, 0, 0, 0)');
  } finally {
    await context.close();
    await host.close();
  }
});

test('<cams-qrdl> takes its colours and fonts from --cams-qrdl-* properties and is styled through its parts', async () => {
  const css = `cams-qrdl { --cams-qrdl-accent: rgb(120, 0, 140); --cams-qrdl-accent-text: rgb(255, 255, 255); --cams-qrdl-text: rgb(10, 20, 90); --cams-qrdl-font: Georgia, serif; }
cams-qrdl::part(submit) { border-radius: 0; }
cams-qrdl::part(label) { text-transform: uppercase; }
cams-qrdl::part(input) { border-color: rgb(0, 128, 0); }`;
  const host = await hostPage(css);
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, host.url);
  try {
    await page.waitForSelector('cams-qrdl[data-ready="true"]');
    const el = page.locator('cams-qrdl');
    const got = await el.evaluate((e) => {
      const root = e.shadowRoot;
      const submit = getComputedStyle(root.querySelector('button[type="submit"]'));
      const label = getComputedStyle(root.querySelector('label'));
      const input = getComputedStyle(root.querySelector('input[type="tel"]'));
      return { accent: submit.backgroundColor, radius: submit.borderTopLeftRadius, text: label.color, font: label.fontFamily, transform: label.textTransform, border: input.borderTopColor };
    });
    assert.deepEqual(got, { accent: 'rgb(120, 0, 140)', radius: '0px', text: 'rgb(10, 20, 90)', font: 'Georgia, serif', transform: 'uppercase', border: 'rgb(0, 128, 0)' });
    // Every documented part is on the form (the card's parts come with a result: next test).
    const parts = await el.evaluate((e) => [...new Set([...e.shadowRoot.querySelectorAll('[part]')].flatMap((n) => [...n.part]))].sort());
    for (const p of ['alert', 'button', 'container', 'field', 'field-error', 'form', 'help', 'input', 'label', 'result', 'submit']) {
      assert.ok(parts.includes(p), `part ${p}: ${parts.join(', ')}`);
    }
    assertNoConsoleErrors();
  } finally {
    await context.close();
    await host.close();
  }
});

test('<cams-qrdl> heading-level sets the result heading, and its card exposes its parts', async () => {
  const url = new URL('embed-example.html', env.relay.url).href;
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, url);
  try {
    const el = page.locator('cams-qrdl');
    await page.waitForSelector('cams-qrdl[data-ready="true"]');
    await el.getByRole('button', { name: 'Create QR code' }).click();
    await el.locator('article.result').waitFor();
    // Default: h2 (the element usually sits under a page's h1).
    assert.equal(await el.locator('article.result > :first-child').evaluate((n) => n.tagName), 'H2');
    await el.evaluate((e) => e.setAttribute('heading-level', '4'));
    await el.getByRole('button', { name: 'Create QR code' }).click();
    await el.locator('article.result h4').waitFor();
    assert.equal(await el.getByRole('heading', { name: 'Your QR code', level: 4 }).count(), 1);
    // Out of range: the default.
    await el.evaluate((e) => e.setAttribute('heading-level', '9'));
    await el.getByRole('button', { name: 'Create QR code' }).click();
    await el.locator('article.result h2').waitFor();
    const parts = await el.evaluate((e) => [...new Set([...e.shadowRoot.querySelectorAll('[part]')].flatMap((n) => [...n.part]))]);
    for (const p of ['card', 'heading', 'qr-image', 'deep-link']) assert.ok(parts.includes(p), `part ${p}: ${parts.join(', ')}`);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('<cams-qrdl> dispatches qrdl-error for fields that do not validate, and sends nothing', async () => {
  const url = new URL('embed-example.html', env.relay.url).href;
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, url);
  try {
    const el = page.locator('cams-qrdl');
    await page.waitForSelector('cams-qrdl[data-ready="true"]');
    const sent = [];
    page.on('request', (r) => {
      if (['/cams', '/sts'].includes(new URL(r.url()).pathname)) sent.push(r.url());
    });
    await el.getByLabel('Phone number').fill('12');
    await el.getByLabel('Prefilled message').fill('');
    const failed = page.evaluate(() => new Promise((resolve) => document.addEventListener('qrdl-error', (e) => {
      const d = /** @type {CustomEvent} */ (e).detail;
      resolve({ code: d.code, field: d.field, fields: d.fields.map((f) => f.field), message: d.message, sentence: d.sentence, todo: d.todo, name: d.error.name, errorCode: d.error.code });
    }, { once: true })));
    await el.getByRole('button', { name: 'Create QR code' }).click();
    const d = await failed;
    assert.equal(d.code, 'InvalidParameter');
    assert.equal(d.errorCode, 'InvalidParameter');
    assert.equal(d.name, 'CamsError');
    assert.equal(d.field, 'phoneNumber');
    assert.deepEqual(d.fields, ['phoneNumber', 'prefilledMessage']);
    assert.ok(d.message.length > 0 && d.sentence.includes('nothing was sent'), JSON.stringify(d));
    await page.locator('#event-log li[data-event="qrdl-error"]').waitFor();
    assert.deepEqual(sent, [], 'nothing was sent');
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('<cams-qrdl> on a dashboard the relay was not started for says to add --allow-origin', async () => {
  // env.relay runs without --allow-origin: its refusal is readable cross-origin, so the element
  // can name the fix instead of a bare network error.
  const files = {};
  const dashboard = await startStaticServer(files);
  files['/dashboard.html'] = `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>Acme dashboard</title><script type="module" src="${env.relay.url}cams-qrdl.js"></script></head>
<body><h1>Stores</h1><cams-qrdl relay="${env.relay.url}" phone-number="8613800002468" message="Hi"></cams-qrdl></body></html>`;
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, new URL('dashboard.html', dashboard.url).href, {
    allow: [/the server responded with a status of 403/],
  });
  try {
    const el = page.locator('cams-qrdl');
    await page.waitForSelector('cams-qrdl[data-ready="true"]');
    const failed = page.evaluate(() => new Promise((resolve) => document.addEventListener('qrdl-error', (e) => {
      const d = /** @type {CustomEvent} */ (e).detail;
      resolve({ code: d.code, relayCode: d.error.relayCode, message: d.message, todo: d.todo });
    }, { once: true })));
    await el.getByRole('button', { name: 'Create QR code' }).click();
    const d = await failed;
    assert.equal(d.relayCode, 'RelayOriginNotAllowed', JSON.stringify(d));
    assert.match(d.todo, /--allow-origin/, JSON.stringify(d));
    const alert = el.locator('[role="alert"]:not([hidden])');
    await alert.waitFor();
    assert.match(await alert.textContent(), /--allow-origin/);
    assertNoConsoleErrors();
  } finally {
    await context.close();
    await dashboard.close();
  }
});
