// English and Simplified Chinese: the two catalogs have the same keys and placeholders; every
// screen of the page (and <cams-qrdl>) renders in both, chosen by the browser's language or by
// the header's switch, with no English catalog text left on a Chinese screen (nor Chinese on an
// English one), and numbers and dates in the language's own format.

import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import en from '../../www/js/i18n/en.js';
import zhCN from '../../www/js/i18n/zh-CN.js';
import { ERROR_CODES } from '../../www/js/errors.js';
import { browserLang, placeholders, supportedLang, translate } from '../../www/js/i18n.js';
import { ROOT, openPage, pageReady, screenshot, seedCodes, useRelayAndBrowser } from './helpers.mjs';

const env = useRelayAndBrowser({ before, after, beforeEach, afterEach });
const PHONE = '8613800001234';
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** The console line of the refusals the tests fake with page.route. */
const FAKED_400 = /status of 400 \(Bad Request\).*\/cams/;

test('both catalogs have the same keys, the same {placeholders} and the same plural shape', () => {
  assert.deepEqual(Object.keys(zhCN).sort(), Object.keys(en).sort());
  for (const key of Object.keys(en)) {
    assert.deepEqual(placeholders(zhCN[key]), placeholders(en[key]), `placeholders of ${key}`);
    assert.ok(typeof zhCN[key] === 'string' || typeof zhCN[key].other === 'string', `${key} has an "other" form`);
    if (typeof en[key] !== 'string') assert.ok(typeof en[key].other === 'string' && typeof en[key].one === 'string', `${key}: English plurals have one and other`);
  }
  // Every error code's advice is in both, and the codes themselves are not translated.
  for (const code of ERROR_CODES) {
    for (const part of ['sentence', 'todo']) {
      assert.ok(en[`error.${code}.${part}`], `en error.${code}.${part}`);
      assert.ok(zhCN[`error.${code}.${part}`], `zh-CN error.${code}.${part}`);
      assert.notEqual(zhCN[`error.${code}.${part}`], en[`error.${code}.${part}`]);
    }
  }
});

test('every key the page\'s code and markup name is in the catalogs', () => {
  const files = [path.join(ROOT, 'www/index.html'), path.join(ROOT, 'www/cams-qrdl.js'), ...readdirSync(path.join(ROOT, 'www/js')).filter((f) => f.endsWith('.js') && f !== 'i18n.js').map((f) => path.join(ROOT, 'www/js', f))];
  const used = new Set();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b(?:msg|say|t|translate\([^,()]+,)\s*\(?\s*'([a-zA-Z][\w.]*\.[\w.]+)'/g)) used.add(m[1]);
    for (const m of text.matchAll(/data-i18n="([^"]+)"/g)) used.add(m[1]);
    for (const m of text.matchAll(/data-i18n-attr="([^"]+)"/g)) for (const pair of m[1].split(';')) used.add(pair.split(':')[1]);
  }
  assert.ok(used.size > 250, `found ${used.size} keys in use`);
  const missing = [...used].filter((k) => !(k in en));
  assert.deepEqual(missing, [], 'keys used but not in the catalogs');
});

test('languages are picked from the browser\'s list, values are formatted, plurals chosen', () => {
  assert.equal(supportedLang('zh'), 'zh-CN');
  assert.equal(supportedLang('zh-CN'), 'zh-CN');
  assert.equal(supportedLang('zh-Hans-SG'), 'zh-CN');
  assert.equal(supportedLang('zh-TW'), null);
  assert.equal(supportedLang('zh-Hant-HK'), null);
  assert.equal(supportedLang('en-GB'), 'en');
  assert.equal(supportedLang('fr'), null);
  assert.equal(browserLang(['fr-FR', 'zh-TW', 'zh', 'en']), 'zh-CN');
  assert.equal(browserLang(['de', 'en-US', 'zh-CN']), 'en');
  assert.equal(browserLang(['ja']), 'en');
  assert.equal(translate('en', 'manage.total', { n: 1 }), '1 QR code.');
  assert.equal(translate('en', 'manage.total', { n: 2000 }), '2,000 QR codes.');
  assert.equal(translate('zh-CN', 'manage.total', { n: 2000 }), `共 ${new Intl.NumberFormat('zh-CN').format(2000)} 个二维码。`);
  assert.equal(translate('zh-CN', 'manage.usageCount', { n: 12, max: 2000 }), '12 / 2,000');
  assert.equal(translate('en', 'no.such.key'), 'no.such.key');
  const when = new Date(Date.UTC(2026, 11, 5, 8, 30));
  assert.match(translate('zh-CN', 'manage.when', { date: when }), /2026年12月5日/);
  assert.match(translate('en', 'manage.when', { date: when }), /5 Dec 2026/);
});

/**
 * English fragments that must not be seen on a Chinese screen: the fixed parts (between
 * placeholders) of every English value that differs from its Chinese one, 4 characters or more
 * with letters, leaving out what the Chinese catalog itself holds (code names, flags, URLs such
 * as AccessKey ID, cams-relay, --allow-origin).
 */
function englishFragments() {
  const zhText = Object.values(zhCN).flatMap((v) => (typeof v === 'string' ? [v] : Object.values(v))).join('\n');
  const out = new Set();
  for (const [key, v] of Object.entries(en)) {
    if (JSON.stringify(v) === JSON.stringify(zhCN[key])) continue;
    for (const form of typeof v === 'string' ? [v] : Object.values(v)) {
      for (const piece of form.split(/\{\w+\}/)) {
        const p = piece.replace(/^[\s.,:;·()“”"'–→+-]+|[\s.,:;·()“”"'–→+-]+$/g, '');
        if (p.length >= 4 && /[A-Za-z]{2}/.test(p) && !zhText.includes(p)) out.add(p);
      }
    }
  }
  return [...out];
}
const EN_FRAGMENTS = englishFragments();

/** Everything a person sees or hears on the page: its text, the element's, and labels. */
function visibleText(page) {
  return page.evaluate(() => {
    const parts = [document.title, document.body.innerText];
    const attrs = (root) => {
      for (const el of root.querySelectorAll('[placeholder], [aria-label], [alt]')) {
        if (!el.checkVisibility()) continue;
        for (const a of ['placeholder', 'aria-label', 'alt']) if (el.hasAttribute(a)) parts.push(el.getAttribute(a));
      }
    };
    attrs(document);
    for (const host of document.querySelectorAll('cams-qrdl')) {
      const root = host.shadowRoot;
      if (!root) continue;
      for (const el of root.querySelectorAll('.cams-qrdl, [role="status"]')) parts.push(el.innerText);
      attrs(root);
    }
    return parts.join('\n');
  });
}

/** Fails when English catalog text shows on a Chinese screen. */
async function assertChinese(page, where) {
  const text = await visibleText(page);
  const left = EN_FRAGMENTS.filter((f) => new RegExp(`(?<![A-Za-z])${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z])`).test(text));
  assert.deepEqual(left, [], `${where}: English left on the Chinese screen`);
  assert.match(text, /[\u4e00-\u9fff]/, `${where}: Chinese text shown`);
}

/** Fails when Chinese shows on an English screen (beyond the switch and the CSV header names). */
async function assertEnglish(page, where) {
  const text = (await visibleText(page)).replaceAll('中文', '').replaceAll('电话, 消息, 标签, 格式, 空间', '');
  assert.doesNotMatch(text, /[\u4e00-\u9fff]/, `${where}: Chinese left on the English screen`);
}

const check = (lang) => (lang === 'zh-CN' ? assertChinese : assertEnglish);

/** Waits until a selector's text matches (the page works by events; no fixed waits). */
async function waitText(page, selector, re) {
  await page.waitForFunction(([s, src]) => new RegExp(src).test(document.querySelector(s)?.textContent ?? ''), [selector, re.source]);
}

/**
 * Walks every screen of the page in `lang` (the page is already in it): the create form with a
 * validation error, a result card, a service error with its advice, the connection panel, a batch
 * with its preview and finish, "My QR codes" with rows, paging and an edit confirmation.
 */
async function walkScreens(page, lang, relay, shot) {
  const zh = lang === 'zh-CN';
  const assertLang = check(lang);
  assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
  await assertLang(page, 'the empty page');
  await screenshot(page, `${shot}-page`);

  // A validation error: nothing typed.
  const form = page.locator('#create form.create-form');
  await form.locator('button[type="submit"]').click();
  await page.locator('#create-phone-error:not([hidden])').waitFor();
  assert.equal((await page.locator('#create-phone-error').textContent()).trim(), translate(lang, 'validate.phoneEmpty'));
  await assertLang(page, 'a validation error');
  await screenshot(page, `${shot}-invalid`);

  // A result card.
  await page.locator('#create-phone').fill(PHONE);
  await page.locator('#create-message').fill(zh ? '您好！我想预订明天的座位。' : 'Hello! A table for two, please.');
  await form.locator('button[type="submit"]').click();
  const card = page.locator('#create article.result');
  await card.waitFor();
  await page.waitForFunction(() => document.querySelector('#create img.qr-image')?.complete);
  assert.equal((await card.locator('dt').first().textContent()).trim(), translate(lang, 'result.deepLink'));
  await assertLang(page, 'a result card');
  await screenshot(page, `${shot}-result`);

  // A service error with its advice (the card above becomes "previous").
  await page.route('**/cams', (route) => route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ RequestId: 'R-1', Code: 'Product.Unsubscript', Message: 'x' }) }));
  await form.locator('button[type="submit"]').click();
  const alert = page.locator('#create .alert[data-code="Product.Unsubscript"]');
  await alert.waitFor();
  assert.equal((await alert.locator('.error-sentence').textContent()).trim(), translate(lang, 'error.Product.Unsubscript.sentence'));
  assert.equal((await alert.locator('.error-code').textContent()).trim(), 'Product.Unsubscript');
  await assertLang(page, 'a service error');
  await screenshot(page, `${shot}-error`);
  await page.unroute('**/cams');

  // The connection panel, both modes.
  await page.locator('#connect summary').click();
  await page.locator('#conn-mode-key').check();
  await page.locator('#conn-key-id').waitFor();
  await assertLang(page, 'the connection panel');
  await screenshot(page, `${shot}-connect`);
  await page.locator('#conn-mode-relay').check();
  await page.locator('#connect summary').click();

  // A batch: the preview, then the finish.
  await page.locator('#batch-phone').fill(PHONE);
  await page.locator('#batch-messages').fill(zh ? '乌节路门店欢迎您！\n滨海湾门店欢迎您！\n' + '长'.repeat(150) : 'Hello from Orchard!\nHello from Marina!\n' + 'x'.repeat(150));
  await waitText(page, '#batch-progress-text', zh ? /2 个二维码待创建/ : /2 QR codes ready to create/);
  await assertLang(page, 'a batch preview');
  await page.locator('#batch button.start').click();
  await page.locator('#batch progress[data-outcome="ok"]').waitFor({ timeout: 30_000 });
  await waitText(page, '#batch-progress-text', zh ? /已完成 2 \/ 2/ : /2 of 2 finished/);
  await assertLang(page, 'a finished batch');
  await screenshot(page, `${shot}-batch`);

  // "My QR codes": 60 seeded codes (two pages), the usage meter, dates, an edit confirmation.
  await seedCodes(relay, { phoneNumber: PHONE, count: 60, message: zh ? '门店' : 'Store' });
  await page.locator('#manage-phone').fill(PHONE);
  await page.locator('#manage form.list-form button[type="submit"]').click();
  await page.locator('#manage tbody tr').first().waitFor();
  const usage = (await page.locator('#manage .usage-count').textContent()).trim();
  const count = await page.locator('#manage meter').getAttribute('value');
  assert.equal(usage, zh ? `${new Intl.NumberFormat('zh-CN').format(Number(count))} / ${new Intl.NumberFormat('zh-CN').format(2000)}` : `${count} of 2,000`);
  const time = (await page.locator('#manage td.cell-time time').first().textContent()).trim();
  if (zh) assert.match(time, /^\d{4}年\d{1,2}月\d{1,2}日/);
  else assert.match(time, /^\d{1,2} [A-Z][a-z]{2} \d{4}/);
  assert.equal((await page.locator('#manage .pager-text').textContent()).includes(zh ? '第 1/2 页' : 'page 1 of 2'), true);
  await assertLang(page, 'my QR codes');
  await screenshot(page, `${shot}-manage`);
  await page.locator('#manage tbody tr').first().locator('button.edit').click();
  await page.locator('#manage .edit-form textarea').fill(zh ? '新的消息' : 'A new message');
  await page.locator('#manage .edit-form button[type="submit"]').click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.equal((await dialog.locator('button.primary').textContent()).trim(), translate(lang, 'manage.confirmEditButton'));
  await assertLang(page, 'the edit confirmation');
  await screenshot(page, `${shot}-edit-confirm`, { fullPage: false });
  await dialog.locator('button.secondary').click();
}

for (const lang of ['en', 'zh-CN']) {
  test(`every screen of the page in ${lang}, from the browser's language`, async () => {
    const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, { locale: lang, allow: [FAKED_400] });
    try {
      await pageReady(page);
      await walkScreens(page, lang, env.relay, `i18n-${lang}`);
      assertNoConsoleErrors();
    } finally {
      await context.close();
    }
  });
}

test('the header\'s switch turns what is on screen into Chinese and back, and is remembered', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, { allow: [FAKED_400] });
  try {
    await pageReady(page);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    // Something on screen first: a result card and a failed create's advice.
    await page.locator('#create-phone').fill(PHONE);
    await page.locator('#create-message').fill('Hello');
    await page.locator('#create form.create-form button[type="submit"]').click();
    await page.locator('#create article.result').waitFor();
    await page.route('**/cams', (route) => route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ RequestId: 'R-2', Code: 'Qrdl.LimitExceeded', Message: 'x' }) }));
    await page.locator('#create form.create-form button[type="submit"]').click();
    await page.locator('#create .alert[data-code="Qrdl.LimitExceeded"]').waitFor();
    await page.unroute('**/cams');
    await assertEnglish(page, 'before the switch');

    await page.getByRole('button', { name: '中文' }).click();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    assert.equal(await page.getByRole('button', { name: '中文' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await page.title(), zhCN['page.title']);
    assert.equal((await page.locator('#create .error-sentence').textContent()).trim(), zhCN['error.Qrdl.LimitExceeded.sentence']);
    assert.equal((await page.locator('#create article.result :is(h2, h3)').textContent()).trim(), zhCN['create.previousHeading']);
    // Typed text stays.
    assert.equal(await page.locator('#create-message').inputValue(), 'Hello');
    await assertChinese(page, 'after the switch');
    await screenshot(page, 'i18n-switch-zh-CN');

    // Remembered: a reload comes back in Chinese, though the browser's language is English.
    await page.reload();
    await pageReady(page);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    await assertChinese(page, 'after a reload');
    // README's docs/img/page-zh-CN.png is copied from this by hand (a test never writes tracked files).
    await screenshot(page, 'i18n-page-zh-CN', { fullPage: false });

    await page.getByRole('button', { name: 'English' }).click();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.equal((await page.locator('#create form.create-form button[type="submit"]').textContent()).trim(), 'Create QR code');
    await assertEnglish(page, 'switched back');
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('<cams-qrdl> speaks its lang attribute, else the host page\'s, and follows changes', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, new URL('embed-example.html', env.relay.url).href, { locale: 'zh-CN' });
  try {
    await page.waitForSelector('cams-qrdl[data-ready="true"]');
    const el = page.locator('cams-qrdl');
    const submit = el.locator('button[type="submit"]');
    // The host page says lang="en": the element follows it, though the browser prefers Chinese.
    await page.waitForFunction(() => document.querySelector('cams-qrdl').shadowRoot.querySelector('button[type="submit"]')?.textContent === 'Create QR code');
    await assertEnglish(page, 'the element in an English host');

    await el.evaluate((e) => e.setAttribute('lang', 'zh-CN'));
    await page.waitForFunction(() => document.querySelector('cams-qrdl').shadowRoot.querySelector('button[type="submit"]')?.textContent === '创建二维码');
    // A validation error and a result, in Chinese.
    await el.locator('#qrdl-message').fill('');
    await submit.click();
    await el.locator('#qrdl-message-error:not([hidden])').waitFor();
    assert.equal((await el.locator('#qrdl-message-error').textContent()).trim(), zhCN['validate.messageEmpty']);
    await el.locator('#qrdl-message').fill('您好！');
    await submit.click();
    await el.locator('article.result').waitFor();
    await page.waitForFunction(() => document.querySelector('cams-qrdl').shadowRoot.querySelector('article.result dt')?.textContent === '深度链接');
    const text = await el.locator('.cams-qrdl').innerText();
    assert.doesNotMatch(text, /Deep link|Download SVG|Copy link/);
    await screenshot(page, 'i18n-element-zh-CN');

    // No lang of its own: the host page's, which it follows when that changes.
    await el.evaluate((e) => e.removeAttribute('lang'));
    await page.waitForFunction(() => document.querySelector('cams-qrdl').shadowRoot.querySelector('article.result dt')?.textContent === 'Deep link');
    await page.evaluate(() => {
      document.documentElement.lang = 'zh-CN';
    });
    await page.waitForFunction(() => document.querySelector('cams-qrdl').shadowRoot.querySelector('button[type="submit"]')?.textContent === '创建二维码');
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

/** axe-core's violations on the page as it is now (as in a11y.test.mjs). */
async function axeViolations(page) {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = /** @type {any} */ (window).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')} — ${v.help}`);
  });
}

for (const width of [390, 320]) {
  test(`in Chinese at ${width} px: no axe violations, nothing scrolls sideways`, async () => {
    const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, { locale: 'zh-CN', viewport: { width, height: 844 } });
    try {
      await pageReady(page);
      assert.deepEqual(await axeViolations(page), [], 'on load');
      await page.locator('#create-phone').fill(PHONE);
      await page.locator('#create-message').fill('您好！');
      await page.locator('#create form.create-form button[type="submit"]').click();
      await page.locator('#create article.result').waitFor();
      await page.locator('#manage form.list-form button[type="submit"]').click();
      await page.locator('#manage tbody tr').first().waitFor();
      await page.locator('#create-phone').fill('12');
      await page.locator('#create form.create-form button[type="submit"]').click();
      await page.locator('#create-phone-error:not([hidden])').waitFor();
      assert.deepEqual(await axeViolations(page), [], 'with a result, the list and a field error');
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0, 'no sideways scrolling');
      await screenshot(page, `i18n-zh-CN-${width}`);
      assertNoConsoleErrors();
    } finally {
      await context.close();
    }
  });
}
