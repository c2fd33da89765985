// Accessibility: axe-core (a pinned devDependency, its source evaluated in the page) finds no
// violations on the page and on <cams-qrdl>, in light and dark, at 1280 px and 390 px, with a
// result card, the list of codes and an error shown; at 320 px nothing scrolls sideways, and a long deep link wraps
// at its slashes, separators and hyphens rather than mid-word.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createViaForm, openPage, pageReady, useRelayAndBrowser } from './helpers.mjs';

const env = useRelayAndBrowser({ before, after });
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe sets inline styles while it measures contrast inside a shadow root, which the example
 * page's CSP (style-src 'self') refuses and logs; the element itself sets none.
 */
const AXE_INLINE_STYLE = /Applying inline style violates the following Content Security Policy directive 'style-src 'self''/;

const WIDTHS = [
  { name: 'desktop', viewport: { width: 1280, height: 900 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
];

/**
 * axe-core's violations on the page as it is now (open shadow roots included), each as
 * "rule (impact): target … — help", so a failure says what to fix. page.evaluate runs outside
 * the page's CSP, which would refuse an injected script tag.
 */
async function axeViolations(page) {
  await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate(async () => {
    const axe = /** @type {any} */ (window).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')} — ${v.help}`);
  });
  return found;
}

/** Whether the document scrolls sideways: its width beyond the viewport's, in px. */
function sidewaysOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/**
 * A result card's "Customise the downloads" panel opened, with a guard's message beside the
 * form: no axe violations, no sideways scrolling; then the style is put back.
 */
async function checkStylePanel(page, card) {
  await card.getByText('Customise the downloads').click();
  await card.locator('img.style-preview-img').waitFor();
  await card.getByLabel('Foreground').fill('#dddddd');
  await card.locator('.style-error').waitFor();
  assert.deepEqual(await axeViolations(page), [], 'with the style panel open and a guard message');
  assert.equal(await sidewaysOverflow(page), 0, 'no sideways scrolling with the style panel open');
  await card.getByLabel('Foreground').fill('#000000');
  await card.locator('.style-error').waitFor({ state: 'hidden' });
}

for (const scheme of ['light', 'dark']) {
  for (const { name, viewport } of WIDTHS) {
    test(`the page has no axe violations (${scheme}, ${name})`, async () => {
      const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, { colorScheme: scheme, viewport });
      try {
        await pageReady(page);
        assert.deepEqual(await axeViolations(page), [], 'on load');
        // A created code's card, then a field error and a service error.
        await createViaForm(page, { phone: '8613800001234', message: `A11y check, ${scheme} ${name}` });
        assert.deepEqual(await axeViolations(page), [], 'with a result card');
        // Its "Customise the downloads" panel open, with a guard's message beside the form.
        const card = page.locator('#create article.result');
        await checkStylePanel(page, card);
        // The number's codes listed in "My QR codes".
        const manage = page.locator('#manage');
        await manage.getByRole('button', { name: 'Show my QR codes' }).click();
        await manage.locator('tbody tr').first().waitFor();
        assert.deepEqual(await axeViolations(page), [], 'with the list of codes');
        const form = page.locator('#create');
        await form.getByLabel('Phone number').fill('12');
        await form.getByRole('button', { name: 'Create QR code' }).click();
        await form.locator('.field-error:not([hidden])').first().waitFor();
        assert.deepEqual(await axeViolations(page), [], 'with a field error');
        assert.equal(await sidewaysOverflow(page), 0, 'no sideways scrolling');
        assertNoConsoleErrors();
      } finally {
        await context.close();
      }
    });

    test(`<cams-qrdl> has no axe violations (${scheme}, ${name})`, async () => {
      const url = new URL('embed-example.html', env.relay.url).href;
      const { page, context, assertNoConsoleErrors } = await openPage(env.browser, url, { colorScheme: scheme, viewport, allow: [AXE_INLINE_STYLE] });
      try {
        const el = page.locator('cams-qrdl');
        await page.waitForSelector('cams-qrdl[data-ready="true"]');
        assert.deepEqual(await axeViolations(page), [], 'on load');
        await el.getByRole('button', { name: 'Create QR code' }).click();
        await el.locator('article.result').waitFor();
        await page.waitForFunction(() => document.querySelector('cams-qrdl').shadowRoot.querySelector('img.qr-image')?.naturalWidth > 0);
        assert.deepEqual(await axeViolations(page), [], 'with a result card');
        // Its "Customise the downloads" panel open, with a guard's message beside the form.
        const card = el.locator('article.result');
        await checkStylePanel(page, card);
        await el.getByLabel('Prefilled message').fill('');
        await el.getByRole('button', { name: 'Create QR code' }).click();
        await el.locator('.field-error:not([hidden])').first().waitFor();
        assert.deepEqual(await axeViolations(page), [], 'with a field error');
        // The element fixed to the other theme than the page's still passes (contrast inside).
        await el.evaluate((e, t) => e.setAttribute('theme', t), scheme === 'light' ? 'dark' : 'light');
        assert.deepEqual(await axeViolations(page), [], 'with the other theme');
        assert.equal(await sidewaysOverflow(page), 0, 'no sideways scrolling');
        assertNoConsoleErrors();
      } finally {
        await context.close();
      }
    });
  }
}

/** A deep link longer than a phone's line: path segments and query parts to break between. */
const LONG_LINK = `https://wa.me/message/${'ABCDEFGH23'.repeat(2)}/campaign/${'store-orchard-road'}/${'X'.repeat(12)}?utm_source=poster&utm_medium=print&utm_campaign=spring`;

/**
 * Where a link's text was broken across lines: its text, and the index of the first character
 * of each new line.
 */
function lineBreaks(locator) {
  return locator.evaluate((a) => {
    let text = '';
    const tops = [];
    const walker = document.createTreeWalker(a, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (let i = 0; i < n.textContent.length; i += 1) {
        const r = document.createRange();
        r.setStart(n, i);
        r.setEnd(n, i + 1);
        tops.push(Math.round(r.getBoundingClientRect().top));
        text += n.textContent[i];
      }
    }
    const breaks = [];
    for (let i = 1; i < tops.length; i += 1) if (tops[i] > tops[i - 1]) breaks.push(i);
    return { text, breaks };
  });
}

/** A sensible place for a URL to wrap: after "//", "?" or a hyphen, before "/", "?", "&" or "#". */
function sensibleBreak(text, i) {
  return text.slice(i - 2, i) === '//' || '-?'.includes(text[i - 1]) || '/?&#'.includes(text[i]);
}

for (const target of ['page', 'element']) {
  test(`at 320 px nothing scrolls sideways and a long deep link wraps at its separators (${target})`, async () => {
    const url = target === 'page' ? env.relay.url : new URL('embed-example.html', env.relay.url).href;
    const { page, context, assertNoConsoleErrors } = await openPage(env.browser, url, { viewport: { width: 320, height: 700 } });
    try {
      if (target === 'page') {
        await pageReady(page);
        await createViaForm(page, { phone: '8613800001234', message: 'Narrow screen' });
      } else {
        await page.waitForSelector('cams-qrdl[data-ready="true"]');
        await page.locator('cams-qrdl').getByRole('button', { name: 'Create QR code' }).click();
        await page.locator('cams-qrdl article.result').waitFor();
      }
      assert.equal(await sidewaysOverflow(page), 0, 'with a result card');
      // The same card for a long deep link (drawn by the page's own renderer).
      await page.evaluate(async ([link, inElement]) => {
        const { renderResult } = await import(new URL('js/create.js', document.baseURI).href);
        const card = renderResult({ qrdlCode: 'LONG', deepLinkUrl: link, prefilledMessage: 'm', phoneNumber: '8613800001234', generateQrImage: 'PNG' }, { idPrefix: 'long' });
        card.id = 'long-card';
        const slot = inElement ? document.querySelector('cams-qrdl').shadowRoot.querySelector('.result-slot') : document.querySelector('#create .result-slot');
        slot.replaceChildren(card);
      }, [LONG_LINK, target === 'element']);
      const anchor = page.locator('#long-card a.deep-link');
      assert.equal(await anchor.textContent(), LONG_LINK, 'the text is the link, unchanged');
      assert.equal(await anchor.getAttribute('href'), LONG_LINK);
      const { text, breaks } = await lineBreaks(anchor);
      assert.equal(text, LONG_LINK);
      assert.ok(breaks.length > 0, 'the link needs more than one line at 320 px');
      const lines = [0, ...breaks].map((b, k) => text.slice(b, breaks[k] ?? text.length));
      for (const b of breaks) assert.ok(sensibleBreak(text, b), `cut at "${text.slice(b - 3, b)}|${text.slice(b, b + 3)}": ${JSON.stringify(lines)}`);
      assert.equal(await sidewaysOverflow(page), 0, 'with the long link');
      const box = await anchor.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 320, `the link stays on screen: ${JSON.stringify(box)}`);
      assertNoConsoleErrors();
    } finally {
      await context.close();
    }
  });
}
