// Create a QR code the way a person does, see it, copy its link, download it, and the local
// fallback when the service's image cannot be loaded.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createViaForm,
  decodePng,
  decodeSvgInPage,
  download,
  imageLoaded,
  openPage,
  pageReady,
  screenshot,
  SCREENSHOTS,
  useRelayAndBrowser,
} from './helpers.mjs';

const env = useRelayAndBrowser({ before, after });

test('create a PNG code: the service image loads, the link copies, SVG and PNG downloads decode to the deep link', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    // Served by cams-relay: connected through it without asking.
    await assert.doesNotReject(page.locator('#connect .conn-summary', { hasText: 'Relay' }).waitFor());
    const message = "Hello! I'd like to book a table for two tonight.";
    const card = await createViaForm(page, { phone: '+86 138 0000 1234', message, format: 'PNG' });

    const img = card.locator('img.qr-image');
    assert.equal(await img.getAttribute('data-source'), 'service');
    const src = await img.getAttribute('src');
    assert.ok(src.startsWith(env.relay.emulator), `image from the emulator: ${src}`);
    assert.match(src, /\.png$/);
    assert.ok(await imageLoaded(img));
    assert.match(await img.getAttribute('alt'), /^QR code for /);
    assert.ok((await img.getAttribute('alt')).includes(message));

    const code = (await card.locator('.qrdl-code').textContent()).trim();
    const linkEl = card.locator('a.deep-link');
    const deepLink = await linkEl.getAttribute('href');
    assert.equal(deepLink, `https://wa.me/message/${code}`);
    assert.equal((await linkEl.textContent()).trim(), deepLink);
    assert.equal((await card.locator('.qrdl-message').textContent()).trim(), message);
    assert.equal(await card.locator('.fallback-note').isHidden(), true);

    // The status line announces it.
    await page.locator('#status', { hasText: `QR code ${code} created.` }).waitFor();

    // Copy link.
    await card.getByRole('button', { name: 'Copy link' }).click();
    await card.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), deepLink);

    // Download SVG: a valid SVG whose QR decodes to the deep link.
    const svg = await download(page, () => card.getByRole('button', { name: 'Download SVG' }).click());
    assert.equal(svg.name, `${code}.svg`);
    const svgText = svg.buffer.toString('utf8');
    assert.match(svgText, /^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/);
    assert.match(svgText, /<\/svg>\s*$/);
    assert.match(svgText, /xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal(await decodeSvgInPage(page, svgText), deepLink);

    // Download PNG at a chosen size.
    await card.getByLabel('PNG size').selectOption('512');
    const png = await download(page, () => card.getByRole('button', { name: 'Download PNG' }).click());
    assert.equal(png.name, `${code}-512.png`);
    assert.deepEqual([...png.buffer.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const decoded = decodePng(png.buffer);
    assert.deepEqual([decoded.width, decoded.height], [512, 512]);
    assert.equal(decoded.text, deepLink);

    await screenshot(page, 'create-png-light');
    await page.locator('#create').screenshot({ path: `${SCREENSHOTS}/readme-create.png`, animations: 'disabled' });
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('create an SVG code: the service SVG loads; dark mode', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, { colorScheme: 'dark' });
  try {
    await pageReady(page);
    const card = await createViaForm(page, { phone: '8613800001234', message: 'Hi! Show me the spring menu.', format: 'SVG' });
    const img = card.locator('img.qr-image');
    assert.equal(await img.getAttribute('data-source'), 'service');
    assert.match(await img.getAttribute('src'), /\.svg$/);
    assert.ok(await imageLoaded(img));
    await screenshot(page, 'create-svg-dark');
    // The default 1024 px PNG decodes too.
    const deepLink = await card.locator('a.deep-link').getAttribute('href');
    const png = await download(page, () => card.getByRole('button', { name: 'Download PNG' }).click());
    const decoded = decodePng(png.buffer);
    assert.equal(decoded.width, 1024);
    assert.equal(decoded.text, deepLink);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('when the image URL fails, the card shows the QR drawn locally from the deep link, and says so', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, {
    allow: [/Failed to load resource: net::ERR_FAILED/],
  });
  try {
    await pageReady(page);
    await page.route(`${env.relay.emulator}/qr/**`, (route) => route.abort('failed'));
    const card = await createViaForm(page, { phone: '8613800001234', message: 'Poster in the window', format: 'PNG' });
    const img = card.locator('img.qr-image');
    await page.waitForFunction(() => document.querySelector('#create img.qr-image')?.dataset.source === 'local');
    assert.match(await img.getAttribute('src'), /^blob:/);
    assert.ok(await imageLoaded(img));
    const note = card.locator('.fallback-note');
    assert.equal(await note.isVisible(), true);
    assert.match(await note.textContent(), /could not be loaded.*drawn here from the deep link/s);
    // The locally drawn image is the QR of the deep link.
    const deepLink = await card.locator('a.deep-link').getAttribute('href');
    const pixels = await img.evaluate(async (el) => {
      const c = document.createElement('canvas');
      c.width = 400;
      c.height = 400;
      const ctx = c.getContext('2d');
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, 400, 400);
      ctx.drawImage(el, 0, 0, 400, 400);
      return Array.from(ctx.getImageData(0, 0, 400, 400).data);
    });
    const { default: jsQR } = await import('jsqr');
    assert.equal(jsQR(Uint8ClampedArray.from(pixels), 400, 400)?.data, deepLink);
    await screenshot(page, 'create-fallback');
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('validation messages appear beside the fields before anything is sent; the counter counts to 140', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    const sent = [];
    page.on('request', (r) => {
      if (r.url().includes('/cams') || r.url().includes('/sts')) sent.push(r.url());
    });
    const form = page.locator('#create');
    const counter = form.locator('.counter');
    assert.equal((await counter.textContent()).trim(), '0 / 140 characters');
    await form.getByLabel('Phone number').fill('12');
    await form.getByLabel('Prefilled message').fill('a'.repeat(141));
    assert.equal((await counter.textContent()).trim(), '141 / 140 characters');
    assert.ok(await counter.evaluate((el) => el.classList.contains('over')));
    await form.getByRole('button', { name: 'Create QR code' }).click();

    const phoneErr = form.locator('#create-phone-error');
    const msgErr = form.locator('#create-message-error');
    assert.match(await phoneErr.textContent(), /2 digits; it needs 6 to 15/);
    assert.match(await msgErr.textContent(), /141 characters; WhatsApp allows at most 140/);
    assert.equal(await form.getByLabel('Phone number').getAttribute('aria-invalid'), 'true');
    // The error is part of the field's description, and focus went to the first bad field.
    assert.match(await form.getByLabel('Phone number').getAttribute('aria-describedby'), /create-phone-error/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'create-phone');
    await screenshot(page, 'create-validation');

    // Fixing a field clears its message as you type.
    await form.getByLabel('Prefilled message').fill('a'.repeat(140));
    assert.equal(await msgErr.isHidden(), true);
    assert.equal((await counter.textContent()).trim(), '140 / 140 characters');
    // Emoji count as one character each, like WhatsApp and the module count them.
    await form.getByLabel('Prefilled message').fill('👍'.repeat(140));
    assert.equal((await counter.textContent()).trim(), '140 / 140 characters');
    await form.getByLabel('Prefilled message').fill('   ');
    await form.getByRole('button', { name: 'Create QR code' }).click();
    assert.match(await msgErr.textContent(), /cannot be empty/);
    assert.deepEqual(sent, [], 'nothing was sent');
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('keyboard only: fill the form, create, copy the link, with visible focus', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    // The skip link is the first stop and jumps to the form.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to the create form');
    // Walk to the phone field with Tab only.
    for (let i = 0; i < 30; i += 1) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => document.activeElement.id)) === 'create-phone') break;
    }
    assert.equal(await page.evaluate(() => document.activeElement.id), 'create-phone');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'focus is visible');
    await page.keyboard.type('8613800009999');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'create-message');
    await page.keyboard.type('Typed without a mouse');
    // Tab to the format radios, choose SVG with an arrow key.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.value), 'PNG');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement.value), 'SVG');
    await page.keyboard.press('Tab'); // space ID
    await page.keyboard.press('Tab'); // Create QR code
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Create QR code');
    await page.keyboard.press('Enter');
    await page.locator('#create article.result').waitFor();
    // Focus moves to the result heading, so the next Tab reaches the card's controls.
    await page.waitForFunction(() => document.activeElement?.textContent === 'Your QR code');
    assert.equal(await page.locator('#create article.result img').getAttribute('data-source'), 'service');
    await page.keyboard.press('Tab'); // deep link
    await page.keyboard.press('Tab'); // Copy link
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Copy link');
    await page.keyboard.press('Enter');
    await page.locator('#create').getByRole('button', { name: 'Copied' }).waitFor();
    assert.match(await page.evaluate(() => navigator.clipboard.readText()), /^https:\/\/wa\.me\/message\//);
    await screenshot(page, 'keyboard-focus', { fullPage: false });
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('phone width: the create form and result fit without sideways scrolling', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, { viewport: { width: 375, height: 812 } });
  try {
    await pageReady(page);
    await createViaForm(page, { phone: '8613800001234', message: 'Scan me on a phone', format: 'PNG' });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal overflow (${overflow}px)`);
    await screenshot(page, 'create-phone');
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('Content-Security-Policy: no inline script, no eval beyond wasm, no style attributes', async () => {
  const res = await fetch(env.relay.url);
  const header = res.headers.get('content-security-policy') ?? '';
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    for (const policy of [header, meta].filter(Boolean)) {
      assert.match(policy, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
      assert.doesNotMatch(policy, /'unsafe-inline'|'unsafe-eval'|'unsafe-hashes'/);
      assert.match(policy, /object-src 'none'/);
    }
    assert.ok(header, 'the relay sends a CSP header');
    await createViaForm(page, { phone: '8613800001234', message: 'CSP check <b>bold?</b>' });
    // Text from the service went in as text.
    assert.equal((await page.locator('#create .qrdl-message').textContent()).trim(), 'CSP check <b>bold?</b>');
    assert.equal(await page.locator('#create .qrdl-message b').count(), 0);
    const counts = await page.evaluate(() => ({
      inlineScripts: document.querySelectorAll('script:not([src])').length,
      styleAttrs: document.querySelectorAll('[style]').length,
      handlers: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
    }));
    assert.deepEqual(counts, { inlineScripts: 0, styleAttrs: 0, handlers: 0 });
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('every control is labelled and every button has a name, in every state', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    await createViaForm(page, { phone: '8613800001234', message: 'Label check' });
    await page.locator('#manage').getByRole('button', { name: 'Show my QR codes' }).click();
    await page.locator('#manage tbody tr').first().waitFor();
    await page.locator('#manage tbody tr').first().getByRole('button', { name: /^Edit message of/ }).click();
    await page.locator('#batch').getByLabel('Messages, one per line').fill('one\ntwo');
    await page.locator('#connect summary').click();
    const unlabelled = await page.evaluate(() => {
      const bad = [];
      for (const el of document.querySelectorAll('input, select, textarea, button, progress, meter')) {
        const named =
          (el.labels && el.labels.length > 0) ||
          el.getAttribute('aria-label') ||
          el.getAttribute('aria-labelledby') ||
          (el.tagName === 'BUTTON' && el.textContent.trim());
        if (!named) bad.push(el.outerHTML.slice(0, 120));
      }
      return bad;
    });
    assert.deepEqual(unlabelled, []);
    // Status changes are announced through a polite live region.
    assert.equal(await page.locator('#status').getAttribute('role'), 'status');
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});
