// Create a QR code the way a person does, see it, copy its link, download it, and the local
// fallback when the service's image cannot be loaded.

import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createViaForm,
  decodePng,
  decodeSvgInPage,
  download,
  imageLoaded,
  openPage,
  pdfWidths,
  pageReady,
  screenshot,
  SCREENSHOTS,
  useRelayAndBrowser,
} from './helpers.mjs';

const env = useRelayAndBrowser({ before, after, beforeEach, afterEach });

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
    // Drawn by the export module: 300 DPI recorded (11811 pixels a metre) in a pHYs chunk.
    const phys = png.buffer.indexOf('pHYs');
    assert.ok(phys > 0, 'a pHYs chunk');
    assert.equal(png.buffer.readUInt32BE(phys + 4), 11811);

    // Download PDF: one vector page for print.
    const pdf = await download(page, () => card.getByRole('button', { name: 'Download PDF' }).click());
    assert.equal(pdf.name, `${code}.pdf`);
    assert.equal(pdf.buffer.subarray(0, 5).toString('latin1'), '%PDF-');
    // 30 mm is 85.04 pt: the page is whole points, the code is drawn exactly 30 mm wide, centred.
    const widths = pdfWidths(pdf.buffer);
    assert.equal(widths.pagePt, 86);
    assert.ok(Math.abs(widths.codeMm - 30) < 1e-3, `${widths.codeMm} mm`);
    const modules = 17 + 4 * decoded.version + 2 * 4; // the symbol and its default quiet zone
    assert.ok(Math.abs(widths.scale * modules - (30 * 72) / 25.4) < 1e-3, `${widths.scale} × ${modules} modules`);

    await screenshot(page, 'create-png-light');
    await page.locator('#create').screenshot({ path: `${SCREENSHOTS}/readme-create.png`, animations: 'disabled' });
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

/** The computed colours that make the page light or dark. */
function pageColours(page) {
  return page.evaluate(() => ({
    body: getComputedStyle(document.body).backgroundColor,
    panel: getComputedStyle(document.querySelector('#create')).backgroundColor,
    text: getComputedStyle(document.body).color,
  }));
}

/** Relative luminance (0 black … 1 white) of a computed rgb()/rgba() colour. */
function luminance(rgb) {
  const [r, g, b] = rgb.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

test('create an SVG code: the service SVG loads; dark mode', async () => {
  const light = await openPage(env.browser, env.relay.url, { colorScheme: 'light' });
  let lightColours;
  try {
    await pageReady(light.page);
    lightColours = await pageColours(light.page);
  } finally {
    await light.context.close();
  }
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, { colorScheme: 'dark' });
  try {
    await pageReady(page);
    // prefers-color-scheme: dark really changes the page: dark backgrounds, light text.
    const dark = await pageColours(page);
    assert.notEqual(dark.body, lightColours.body, 'the background changes in dark mode');
    assert.notEqual(dark.panel, lightColours.panel, 'the panels change in dark mode');
    assert.ok(luminance(lightColours.body) > 0.7, `light background is light: ${lightColours.body}`);
    assert.ok(luminance(dark.body) < 0.05 && luminance(dark.panel) < 0.05, `dark backgrounds are dark: ${JSON.stringify(dark)}`);
    assert.ok(luminance(dark.text) > 0.7, `dark-mode text is light: ${dark.text}`);
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
      // The API paths exactly: the page also fetches pkg/cams_qrdl_qr_bg.wasm in the background.
      if (['/cams', '/sts'].includes(new URL(r.url()).pathname)) sent.push(r.url());
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

/** How far the page, and each table's scroll box, is wider than what a phone shows. */
function overflows(page) {
  return page.evaluate(() => ({
    page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    tables: [...document.querySelectorAll('.table-wrap')].map((el) => el.scrollWidth - el.clientWidth),
  }));
}

test('phone width (375 px): the create form and result, the manage table and the batch table fit without sideways scrolling', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, { viewport: { width: 375, height: 812 } });
  try {
    await pageReady(page);
    const phone = '8613800003750';
    // A long word with no break opportunity is the hardest case for a narrow column.
    const long = `Order${'x'.repeat(60)}`;
    await createViaForm(page, { phone, message: 'Scan me on a phone', format: 'PNG' });
    let o = await overflows(page);
    assert.ok(o.page <= 0, `create: no horizontal overflow (${o.page}px)`);
    await screenshot(page, 'create-phone');
    await createViaForm(page, { phone, message: long, format: 'SVG' });

    const manage = page.locator('#manage');
    await manage.getByLabel('Phone number').fill(phone);
    await manage.getByRole('button', { name: 'Show my QR codes' }).click();
    await page.locator('#status', { hasText: '2 QR codes for this number.' }).waitFor();
    await manage.locator('tbody tr').first().getByRole('button', { name: /^Edit message of/ }).click();
    o = await overflows(page);
    assert.ok(o.page <= 0, `manage: no horizontal overflow (${o.page}px)`);
    assert.ok(o.tables.every((t) => t <= 0), `manage: the table fits its box (${o.tables})`);
    await manage.screenshot({ path: `${SCREENSHOTS}/manage-phone.png`, animations: 'disabled' });

    const batch = page.locator('#batch');
    await batch.getByLabel('Phone number').fill(phone);
    await batch.getByLabel('Messages, one per line').fill(['Phone batch one', long, 'y'.repeat(141)].join('\n'));
    await batch.getByRole('button', { name: 'Create 2 QR codes' }).click();
    await batch.locator('.progress-text', { hasText: '2 of 2 finished: 2 created, 0 failed' }).waitFor({ timeout: 30_000 });
    o = await overflows(page);
    assert.ok(o.page <= 0, `batch: no horizontal overflow (${o.page}px)`);
    assert.ok(o.tables.every((t) => t <= 0), `batch: the tables fit their boxes (${o.tables})`);
    await batch.screenshot({ path: `${SCREENSHOTS}/batch-phone.png`, animations: 'disabled' });
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

test('a deep link that is not http(s) is never linked, copied, drawn or downloaded, and the card says why', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    const evil = 'javascript:alert(document.domain)';
    // The service's reply, rewritten on its way to the page.
    await page.route('**/cams', async (route) => {
      const response = await route.fetch();
      const json = await response.json();
      if (json.Data && typeof json.Data === 'object' && !Array.isArray(json.Data)) {
        json.Data.DeepLinkUrl = evil;
        json.Data.QrImageUrl = 'javascript:alert(1)';
      }
      await route.fulfill({ response, json });
    });
    const form = page.locator('#create');
    await form.getByLabel('Phone number').fill('8613800001357');
    await form.getByLabel('Prefilled message').fill('Poisoned reply');
    await form.getByRole('button', { name: 'Create QR code' }).click();
    const card = form.locator('article.result');
    await card.waitFor();
    await page.waitForTimeout(200); // a fallback would have been drawn by now

    // No link, anywhere on the page, carries it.
    assert.equal(await page.locator('a[href^="javascript"]').count(), 0);
    assert.equal(await card.locator('a.deep-link').count(), 0);
    assert.equal((await card.locator('.unsafe-url').textContent()).trim(), evil, 'shown as text only');
    // No image: neither the service's nor one drawn from the link.
    const img = card.locator('img.qr-image');
    assert.equal(await img.getAttribute('src'), null);
    assert.equal(await img.getAttribute('data-source'), 'none');
    assert.equal(await card.locator('figure.qr-frame').isVisible(), false);
    assert.equal(await page.locator('img[src^="blob:"], img[src^="javascript"]').count(), 0);
    // Copy and both downloads are disabled, and the card says why.
    for (const name of ['Copy link', 'Download SVG', 'Download PNG']) {
      assert.equal(await card.getByRole('button', { name }).isDisabled(), true, `${name} is disabled`);
    }
    assert.equal(await card.getByLabel('PNG size').isDisabled(), true);
    const note = card.locator('.unsafe-link-note');
    assert.equal(await note.isVisible(), true);
    assert.match(await note.textContent(), /not an http\(s\) address/);
    assert.equal(await card.getByRole('button', { name: 'Copy link' }).getAttribute('aria-describedby'), await note.getAttribute('id'));
    await screenshot(page, 'create-unsafe-deep-link');
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});
