// "My QR codes": list, edit a message after a confirmation (the service makes a new code, and the
// old one stops working), delete after a confirmation; 2,000 codes searched, sorted, paged and
// deleted many at a time.

import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { SCREENSHOTS, createViaForm, decodePng, decodeSvgInPage, download, openPage, pageReady, screenshot, seedCodes, useRelayAndBrowser } from './helpers.mjs';

const env = useRelayAndBrowser({ before, after, beforeEach, afterEach });
const PHONE = '6591234567';

test('list, edit and delete a number\'s QR codes, with the 2,000-code usage', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    const messages = ['Table for two, please', 'I have a question about my order', 'Send me the catalogue'];
    const codes = [];
    for (const m of messages) {
      const card = await createViaForm(page, { phone: PHONE, message: m, format: m.startsWith('Send') ? 'SVG' : 'PNG' });
      await page.waitForFunction((msg) => document.querySelector('#create .qrdl-message')?.textContent === msg, m);
      codes.push((await card.locator('.qrdl-code').textContent()).trim());
    }

    const manage = page.locator('#manage');
    // The phone number carries over from the create form.
    assert.equal(await manage.getByLabel('Phone number').inputValue(), PHONE);
    await manage.getByRole('button', { name: 'Show my QR codes' }).click();
    const rows = manage.locator('tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 3);
    assert.equal((await manage.locator('.usage-count').textContent()).trim(), '3 of 2,000');
    assert.equal(await manage.locator('meter').getAttribute('value'), '3');
    assert.equal(await manage.locator('meter').getAttribute('max'), '2000');
    for (let i = 0; i < 3; i += 1) {
      const row = manage.locator(`tr[data-code="${codes[i]}"]`);
      assert.equal((await row.locator('.message-text').textContent()).trim(), messages[i]);
      assert.equal(await row.locator('a').getAttribute('href'), `https://wa.me/message/${codes[i]}`);
      assert.equal((await row.locator('td.cell-format').textContent()).trim(), messages[i].startsWith('Send') ? 'SVG' : 'PNG');
      // The List reply has no creation time: the page shows when it first saw each code.
      assert.ok(await row.locator('td.cell-time time').getAttribute('datetime'));
    }
    assert.equal((await manage.locator('thead th').nth(6).textContent()).trim(), 'First seen');
    await screenshot(page, 'manage-list');

    // Edit a message: the editor says printed copies stop working; saving asks first.
    const target = manage.locator(`tr[data-code="${codes[1]}"]`);
    await target.getByRole('button', { name: `Edit message of ${codes[1]}` }).click();
    const editor = target.getByLabel(`New message for ${codes[1]}`);
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'TEXTAREA');
    assert.match(await target.locator('.edit-form .help').textContent(), /Printed copies of this code will stop working/);
    assert.doesNotMatch(await page.locator('#manage').textContent(), /keep working/);
    await editor.fill('Where is my order?');
    await screenshot(page, 'manage-edit');
    await target.getByRole('button', { name: 'Save' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /printed copies of this code will stop working/i);
    await screenshot(page, 'manage-edit-confirm', { fullPage: false });
    // Cancel sends nothing and keeps the editor.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await editor.inputValue(), 'Where is my order?');
    await target.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('button', { name: 'Save and make a new code' }).click();

    // The service gave a new code: the card shows it with its downloads, the row has it, and the
    // old code is gone (its image no longer resolves).
    const card = manage.locator('.manage-result article.result');
    await card.waitFor();
    const newCode = (await card.locator('.qrdl-code').textContent()).trim();
    assert.notEqual(newCode, codes[1]);
    assert.equal((await card.locator('h3').textContent()).trim(), 'Your new QR code');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Your new QR code');
    assert.match(await manage.locator('.new-code-note').textContent(), new RegExp(`old code ${codes[1]} and its link no longer work`));
    assert.equal(await card.locator('a.deep-link').getAttribute('href'), `https://wa.me/message/${newCode}`);
    await page.locator('#status', { hasText: `New code ${newCode}` }).waitFor();
    const svg = await download(page, () => card.getByRole('button', { name: 'Download SVG' }).click());
    assert.equal(svg.name, `${newCode}.svg`);
    assert.equal(await decodeSvgInPage(page, svg.buffer.toString('utf8')), `https://wa.me/message/${newCode}`);
    await screenshot(page, 'manage-new-code');
    assert.equal(await manage.locator(`tr[data-code="${codes[1]}"]`).count(), 0);
    const newRow = manage.locator(`tr[data-code="${newCode}"]`);
    assert.equal((await newRow.locator('.message-text').textContent()).trim(), 'Where is my order?');
    assert.equal((await fetch(`${env.relay.emulator}/qr/${codes[1]}.png`)).status, 404);
    assert.equal((await fetch(`${env.relay.emulator}/qr/${newCode}.png`)).status, 200);

    // Escape cancels an edit.
    await newRow.getByRole('button', { name: `Edit message of ${newCode}` }).click();
    await newRow.getByLabel(`New message for ${newCode}`).fill('not saved');
    await page.keyboard.press('Escape');
    await newRow.locator('td.cell-message', { hasText: 'Where is my order?' }).waitFor();

    // Reload the list: the service has the new code in the old one's place, and not the old one.
    await manage.getByRole('button', { name: 'Show my QR codes' }).click();
    await page.locator('#status', { hasText: '3 QR codes for this number.' }).waitFor();
    assert.equal((await manage.locator(`tr[data-code="${newCode}"] .message-text`).textContent()).trim(), 'Where is my order?');
    assert.equal(await manage.locator(`tr[data-code="${codes[1]}"]`).count(), 0);

    // Delete: Cancel keeps it, Delete removes it.
    const victim = manage.locator(`tr[data-code="${codes[0]}"]`);
    await victim.getByRole('button', { name: `Delete ${codes[0]}` }).click();
    await dialog.waitFor();
    assert.match(await dialog.textContent(), new RegExp(`Delete QR code ${codes[0]}\\?`));
    assert.match(await dialog.textContent(), /no longer reach the chat/);
    await screenshot(page, 'manage-delete-confirm', { fullPage: false });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await rows.count(), 3);
    await victim.getByRole('button', { name: `Delete ${codes[0]}` }).click();
    await dialog.getByRole('button', { name: 'Delete QR code' }).click();
    await page.locator('#status', { hasText: `QR code ${codes[0]} deleted.` }).waitFor();
    assert.equal(await rows.count(), 2);
    assert.equal((await manage.locator('.usage-count').textContent()).trim(), '2 of 2,000');

    // And it is gone from the service too.
    await manage.getByRole('button', { name: 'Show my QR codes' }).click();
    await page.locator('#status', { hasText: '2 QR codes for this number.' }).waitFor();
    assert.equal(await manage.locator(`tr[data-code="${codes[0]}"]`).count(), 0);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('a number with no codes says so; a bad number is caught beside the field', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, { viewport: { width: 390, height: 844 } });
  try {
    await pageReady(page);
    const manage = page.locator('#manage');
    await manage.getByLabel('Phone number').fill('abc');
    await manage.getByRole('button', { name: 'Show my QR codes' }).click();
    assert.match(await manage.locator('#manage-phone-error').textContent(), /only digits/);
    await manage.getByLabel('Phone number').fill('6599990000');
    await manage.getByRole('button', { name: 'Show my QR codes' }).click();
    await manage.locator('.empty').waitFor();
    assert.match(await manage.locator('.empty').textContent(), /No QR codes for this number yet/);
    assert.equal((await manage.locator('.usage-count').textContent()).trim(), '0 of 2,000');
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('editing a code that was deleted elsewhere shows Qrdl.NotExists with its hint', async () => {
  const a = await openPage(env.browser, env.relay.url, { allow: [/Failed to load resource: the server responded with a status of 400/] });
  const b = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(a.page);
    await pageReady(b.page);
    const card = await createViaForm(a.page, { phone: '6588887777', message: 'Soon gone' });
    const code = (await card.locator('.qrdl-code').textContent()).trim();
    const manageA = a.page.locator('#manage');
    await manageA.getByRole('button', { name: 'Show my QR codes' }).click();
    await manageA.locator(`tr[data-code="${code}"]`).waitFor();

    // Another tab deletes it.
    const manageB = b.page.locator('#manage');
    await manageB.getByLabel('Phone number').fill('6588887777');
    await manageB.getByRole('button', { name: 'Show my QR codes' }).click();
    await manageB.getByRole('button', { name: `Delete ${code}` }).click();
    await b.page.getByRole('dialog').getByRole('button', { name: 'Delete QR code' }).click();
    await b.page.locator('#status', { hasText: `QR code ${code} deleted.` }).waitFor();

    // The first tab's table is stale: saving an edit fails with a hint.
    const row = manageA.locator(`tr[data-code="${code}"]`);
    await row.getByRole('button', { name: `Edit message of ${code}` }).click();
    await row.getByLabel(`New message for ${code}`).fill('Too late');
    await row.getByRole('button', { name: 'Save' }).click();
    await a.page.getByRole('dialog').getByRole('button', { name: 'Save and make a new code' }).click();
    const alert = row.locator('[role="alert"][data-code="Qrdl.NotExists"]');
    await alert.waitFor();
    assert.match(await alert.textContent(), /Reload "My QR codes"/);
    // Focus is on the advice.
    assert.equal(await a.page.evaluate(() => document.activeElement.getAttribute('data-code')), 'Qrdl.NotExists');
    a.assertNoConsoleErrors();
    b.assertNoConsoleErrors();
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('keyboard only: edit a message, and delete through the confirmation dialog (Escape cancels)', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    const phone = '6591110000';
    const codes = [];
    for (const m of ['Keyboard first', 'Keyboard second']) {
      const card = await createViaForm(page, { phone, message: m });
      await page.waitForFunction((msg) => document.querySelector('#create .qrdl-message')?.textContent === msg, m);
      codes.push((await card.locator('.qrdl-code').textContent()).trim());
    }
    const active = () => page.evaluate(() => ({ tag: document.activeElement.tagName, label: document.activeElement.getAttribute('aria-label'), text: document.activeElement.textContent.trim() }));
    const tabTo = async (label, max = 40) => {
      for (let i = 0; i < max && (await active()).label !== label; i += 1) await page.keyboard.press('Tab');
      assert.equal((await active()).label, label);
    };
    const manage = page.locator('#manage');
    await manage.getByLabel('Phone number').focus();
    await page.keyboard.press('Enter'); // submits the list form
    await page.locator('#status', { hasText: '2 QR codes for this number.' }).waitFor();

    // Edit: Tab to the row's button, Enter opens the editor with focus in it, Tab to Save.
    await tabTo(`Edit message of ${codes[0]}`);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'focus is visible');
    await page.keyboard.press('Enter');
    assert.equal((await active()).tag, 'TEXTAREA');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('Edited by keyboard');
    await page.keyboard.press('Tab');
    assert.equal((await active()).text, 'Save');
    await page.keyboard.press('Enter');
    // The confirmation opens with focus on Cancel; Tab, Enter confirms.
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.equal((await active()).text, 'Cancel');
    await page.keyboard.press('Tab');
    assert.equal((await active()).text, 'Save and make a new code');
    await page.keyboard.press('Enter');
    const card = manage.locator('.manage-result article.result');
    await card.waitFor();
    const newCode = (await card.locator('.qrdl-code').textContent()).trim();
    const row = manage.locator(`tr[data-code="${newCode}"]`);
    await row.locator('td.cell-message', { hasText: 'Edited by keyboard' }).waitFor();
    await page.locator('#status', { hasText: `New code ${newCode}` }).waitFor();
    // Focus goes to the new code's card.
    assert.equal((await active()).text, 'Your new QR code');
    codes[0] = newCode;

    // Delete: Enter opens the dialog with focus on Cancel; Escape closes it and returns focus.
    await tabTo(`Delete ${codes[0]}`, 60);
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    assert.equal((await active()).text, 'Cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal((await active()).label, `Delete ${codes[0]}`);
    assert.equal(await manage.locator('tbody tr').count(), 2);

    // Enter again, Tab to "Delete QR code", Enter: gone, and focus lands on the next row's Delete.
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Tab');
    assert.equal((await active()).text, 'Delete QR code');
    await page.keyboard.press('Enter');
    await page.locator('#status', { hasText: `QR code ${codes[0]} deleted.` }).waitFor();
    assert.equal(await manage.locator('tbody tr').count(), 1);
    assert.equal((await active()).label, `Delete ${codes[1]}`);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

const BIG = '6590002000';

test('2,000 codes: first render under 200 ms, one page of rows, search, sort and pages', async () => {
  const seeded = await seedCodes(env.relay, { phoneNumber: BIG, count: 2000, message: 'Store' });
  assert.equal(seeded.created, 2000);
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    const manage = page.locator('#manage');
    await manage.getByLabel('Phone number').fill(BIG);
    await manage.getByRole('button', { name: 'Show my QR codes' }).click();
    await page.locator('#status', { hasText: '2,000 QR codes for this number.' }).waitFor();
    const render = await page.evaluate(() => performance.getEntriesByName('manage-render').at(-1).duration);
    assert.ok(render < 200, `the table rendered in ${render.toFixed(1)} ms`);
    assert.equal((await manage.locator('.usage-count').textContent()).trim(), '2,000 of 2,000');
    const rows = manage.locator('tbody tr');
    assert.equal(await rows.count(), 50);
    assert.ok((await page.evaluate(() => document.documentElement.scrollHeight)) < 12_000, 'one page of rows, not 2,000');
    // Thumbnails are drawn after the render, only for rows of the page shown.
    await manage.locator('img.qr-thumb-img').first().waitFor();
    assert.ok((await manage.locator('img.qr-thumb-img').count()) <= 50);
    const pager = manage.locator('nav.pager');
    assert.match(await pager.textContent(), /1–50 of 2,000 · page 1 of 40/);
    // Newest first by default: all first seen together, so the service's last comes first.
    assert.equal((await rows.first().locator('.message-text').textContent()).trim(), 'Store 2000');

    await pager.getByRole('button', { name: 'Next page' }).click();
    assert.match(await pager.textContent(), /51–100 of 2,000 · page 2 of 40/);
    assert.equal((await rows.first().locator('.message-text').textContent()).trim(), 'Store 1950');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Next page');

    // Sort by message (numbers in order), and oldest first.
    await manage.getByLabel('Sort').selectOption('message');
    assert.deepEqual((await rows.locator('.message-text').allTextContents()).slice(0, 3), ['Store 1', 'Store 2', 'Store 3']);
    await manage.getByLabel('Sort').selectOption('oldest');
    assert.equal((await rows.first().locator('.message-text').textContent()).trim(), 'Store 1');

    // Search by message, then by code (case does not matter).
    await manage.getByLabel('Search').fill('store 1999');
    assert.equal(await rows.count(), 1);
    assert.match(await manage.locator('.match-text').textContent(), /1 of 2,000 QR codes match/);
    assert.equal(await pager.isHidden(), true);
    const code = seeded.codes[41];
    await manage.getByLabel('Search').fill(code.toLowerCase());
    assert.equal(await rows.count(), 1);
    assert.equal(await rows.first().getAttribute('data-code'), code);
    await manage.getByLabel('Search').fill('no such code');
    assert.match(await manage.locator('.empty').textContent(), /No QR code matches/);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('each row: a crisp thumbnail drawn here, copy link, and SVG/PNG/PDF named from its label', async () => {
  const phone = '6590002003';
  const seeded = await seedCodes(env.relay, { phoneNumber: phone, count: 3, message: 'Shop' });
  const [labelled, plain] = seeded.codes;
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    // A label a batch gave one code, as this browser remembers it.
    await page.evaluate((code) => localStorage.setItem('cams-qrdl:codes:v1', JSON.stringify({ [code]: { t: Date.now(), l: 'Marina Bay / "Nord"' } })), labelled);
    await page.reload();
    await pageReady(page);
    const manage = page.locator('#manage');
    await manage.getByLabel('Phone number').fill(phone);
    await manage.getByRole('button', { name: 'Show my QR codes' }).click();
    await page.locator('#status', { hasText: '3 QR codes for this number.' }).waitFor();
    const thumbs = manage.locator('img.qr-thumb-img');
    const row = manage.locator(`tr[data-code="${labelled}"]`);
    // Drawn once on screen.
    await row.scrollIntoViewIfNeeded();
    await row.locator('img.qr-thumb-img').waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll('#manage img.qr-thumb-img').length === 3, null, { timeout: 10_000 });
    const link = await row.locator('.cell-link a').getAttribute('href');
    const thumb = row.locator('img.qr-thumb-img');
    assert.equal(await thumb.getAttribute('alt'), `QR code ${labelled}`);
    // Crisp: a whole number of pixels per module, and it scans as the row's link.
    const { width, modules, src } = await thumb.evaluate((img) => ({ width: img.width, modules: Number(/viewBox%3D%220%200%20(\d+)/.exec(img.src)?.[1]), src: img.src }));
    assert.ok(modules > 20 && width % modules === 0 && width / modules >= 2, `${width} px for ${modules} modules`);
    const svgText = decodeURIComponent(src.slice(src.indexOf(',') + 1));
    assert.equal(await decodeSvgInPage(page, svgText), link);
    await row.screenshot({ path: `${SCREENSHOTS}/manage-row-thumbnail.png`, animations: 'disabled' });
    await manage.screenshot({ path: `${SCREENSHOTS}/readme-manage-thumbnails.png`, animations: 'disabled' });
    assert.equal(await thumbs.count(), 3);

    await row.getByRole('button', { name: `Copy link for ${labelled}` }).click();
    await page.locator('#status', { hasText: 'Link copied to the clipboard.' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);

    const svg = await download(page, () => row.getByRole('button', { name: `Download SVG of ${labelled}` }).click());
    assert.equal(svg.name, 'Marina Bay Nord.svg');
    assert.equal(await decodeSvgInPage(page, svg.buffer.toString('utf8')), link);
    const pdf = await download(page, () => row.getByRole('button', { name: `Download PDF of ${labelled}` }).click());
    assert.equal(pdf.name, 'Marina Bay Nord.pdf');
    assert.equal(pdf.buffer.subarray(0, 5).toString('latin1'), '%PDF-');
    const plainRow = manage.locator(`tr[data-code="${plain}"]`);
    const png = await download(page, () => plainRow.getByRole('button', { name: `Download PNG of ${plain}` }).click());
    assert.equal(png.name, `${plain}.png`);
    assert.equal(decodePng(png.buffer).text, await plainRow.locator('.cell-link a').getAttribute('href'));
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('"Customise the downloads": live preview, the guards inline, the style used by downloads and remembered', async () => {
  const phone = '6590002004';
  const seeded = await seedCodes(env.relay, { phoneNumber: phone, count: 1, message: 'Styled' });
  const [code] = seeded.codes;
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    const manage = page.locator('#manage');
    const list = async () => {
      await manage.getByLabel('Phone number').fill(phone);
      await manage.getByRole('button', { name: 'Show my QR codes' }).click();
      await page.locator('#status', { hasText: '1 QR code for this number.' }).waitFor();
    };
    await list();
    await manage.getByText('Customise the downloads').click();
    const preview = manage.locator('img.style-preview-img');
    await preview.waitFor();
    const link = await manage.locator(`tr[data-code="${code}"] .cell-link a`).getAttribute('href');
    const svgOf = async () => { const src = await preview.getAttribute('src'); return decodeURIComponent(src.slice(src.indexOf(',') + 1)); };
    assert.equal(await decodeSvgInPage(page, await svgOf()), link, 'the preview draws the first row');

    // A low-contrast colour: the module's guard, shown beside the form.
    await manage.getByLabel('Foreground').fill('#dddddd');
    const error = manage.locator('.style-error');
    await error.waitFor();
    assert.match(await error.textContent(), /contrast/);
    await manage.getByLabel('Foreground').fill('#1b2a6b');
    await error.waitFor({ state: 'hidden' });
    await manage.getByLabel('Frame text').fill('Scan to chat');
    await page.waitForFunction(() => decodeURIComponent(document.querySelector('#manage img.style-preview-img')?.getAttribute('src') ?? '').includes('Scan to chat'));
    assert.match(await svgOf(), /#1b2a6b/i);
    await manage.getByLabel('PNG size', { exact: true }).selectOption('512');
    await manage.locator('details.customise').screenshot({ path: `${SCREENSHOTS}/readme-customise.png`, animations: 'disabled' });

    const row = manage.locator(`tr[data-code="${code}"]`);
    const png = await download(page, () => row.getByRole('button', { name: `Download PNG of ${code}` }).click());
    const decoded = decodePng(png.buffer);
    assert.equal(decoded.width, 512);
    assert.equal(decoded.text, link);
    const svg = await download(page, () => row.getByRole('button', { name: `Download SVG of ${code}` }).click());
    assert.match(svg.buffer.toString('utf8'), /#1b2a6b/i);
    assert.equal(await decodeSvgInPage(page, svg.buffer.toString('utf8')), link);

    // Remembered: after a reload the form holds the style (and storage holds no secret).
    const saved = await page.evaluate(() => localStorage.getItem('cams-qrdl:style:v1'));
    assert.match(saved, /1b2a6b/);
    assert.doesNotMatch(saved, /secret|token/i);
    await page.reload();
    await pageReady(page);
    await list();
    await manage.getByText('Customise the downloads').click();
    assert.equal(await manage.getByLabel('Foreground').inputValue(), '#1b2a6b');
    assert.equal(await manage.getByLabel('Frame text').inputValue(), 'Scan to chat');
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('select the codes a search matches and delete them with one confirmation and a progress bar', async () => {
  const phone = '6590002001';
  await seedCodes(env.relay, { phoneNumber: phone, count: 2000, message: 'Store' });
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    const manage = page.locator('#manage');
    await manage.getByLabel('Phone number').fill(phone);
    await manage.getByRole('button', { name: 'Show my QR codes' }).click();
    await page.locator('#status', { hasText: 'QR codes for this number.' }).waitFor();
    const before = Number((await manage.locator('.usage-count').textContent()).split(' ')[0].replace(/,/g, ''));
    // "store 199" matches Store 199 and Store 1990 to 1999: eleven codes.
    await manage.getByLabel('Search').fill('store 199');
    await manage.getByRole('button', { name: 'Select all 11 matching' }).click();
    assert.equal((await manage.locator('.selection-text').textContent()).trim(), '11 selected');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Delete 11 selected');
    // One row unticked, then ticked again by hand.
    const first = manage.locator('tbody tr').first();
    await first.locator('input.select-row').uncheck();
    assert.equal((await manage.locator('.selection-text').textContent()).trim(), '10 selected');
    await first.locator('input.select-row').check();
    await screenshot(page, 'manage-selected');

    let deletes = 0;
    page.on('request', (r) => {
      if (r.url().endsWith('/cams') && r.method() === 'POST') deletes += 1;
    });
    await manage.getByRole('button', { name: 'Delete 11 selected' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /Delete 11 QR codes\?/);
    await dialog.getByRole('button', { name: 'Delete 11 QR codes' }).click();
    const bar = manage.locator('#manage-bulk-progress');
    await page.waitForFunction(() => document.querySelector('#manage-bulk-progress')?.dataset.outcome === 'ok', null, { timeout: 30_000 });
    assert.deepEqual(await bar.evaluate((p) => [p.value, p.max]), [11, 11]);
    assert.match(await manage.locator('#manage-bulk-text').textContent(), /11 of 11 deleted\./);
    assert.equal(deletes, 11, 'one DeletePhoneMessageQrdl per code, no more');
    assert.equal((await manage.locator('.usage-count').textContent()).trim(), `${(before - 11).toLocaleString('en-US')} of 2,000`);
    assert.match(await manage.locator('.empty').textContent(), /No QR code matches/);
    assert.equal((await manage.locator('.selection-text').textContent()).trim(), 'None selected');

    // The service agrees.
    await manage.getByRole('button', { name: 'Show my QR codes' }).click();
    await page.locator('#status', { hasText: `${(before - 11).toLocaleString('en-US')} QR codes for this number.` }).waitFor();
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('README pictures of My QR codes: light, dark and 390 px wide, no sideways scrolling', async () => {
  const phone = '6590002002';
  await seedCodes(env.relay, { phoneNumber: phone, count: 1240, message: 'Hello from store' });
  for (const [name, options] of [
    ['readme-manage-light', { colorScheme: 'light' }],
    ['readme-manage-dark', { colorScheme: 'dark' }],
    ['readme-manage-390', { colorScheme: 'light', viewport: { width: 390, height: 844 } }],
  ]) {
    const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, options);
    try {
      await pageReady(page);
      const manage = page.locator('#manage');
      await manage.getByLabel('Phone number').fill(phone);
      await manage.getByRole('button', { name: 'Show my QR codes' }).click();
      await page.locator('#status', { hasText: 'QR codes for this number.' }).waitFor();
      await manage.getByLabel('Search').fill('store 120');
      await manage.locator('tbody tr input.select-row').nth(1).check();
      await manage.locator('tbody tr input.select-row').nth(2).check();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, `${name}: no sideways scrolling`);
      const clipped = await manage.locator('.table-wrap').evaluate((w) => w.scrollWidth - w.clientWidth);
      assert.equal(clipped, 0, `${name}: the table fits its box (no button cut off)`);
      // Thumbnails are drawn as rows come on screen: bring each row up, so the picture has them all.
      for (const tr of await manage.locator('tbody tr').all()) await tr.scrollIntoViewIfNeeded();
      await page.waitForFunction(() => document.querySelectorAll('#manage .qr-thumb').length === 0, null, { timeout: 5000 }).catch(async (err) => {
        throw new Error(`${name}: ${await page.evaluate(() => document.querySelectorAll('#manage .qr-thumb').length)} thumbnails not drawn (${err.message})`);
      });
      await manage.screenshot({ path: `${SCREENSHOTS}/${name}.png`, animations: 'disabled' });
      assertNoConsoleErrors();
    } finally {
      await context.close();
    }
  }
});
