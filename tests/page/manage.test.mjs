// "My QR codes": list, edit a message (same code and link), delete after a confirmation.

import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createViaForm, openPage, pageReady, screenshot, useRelayAndBrowser } from './helpers.mjs';

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
      assert.equal((await row.locator('td').nth(0).textContent()).trim(), messages[i]);
      assert.equal(await row.locator('a').getAttribute('href'), `https://wa.me/message/${codes[i]}`);
      assert.equal((await row.locator('td').nth(3).textContent()).trim(), messages[i].startsWith('Send') ? 'SVG' : 'PNG');
    }
    await screenshot(page, 'manage-list');

    // Edit a message: the code and link stay the same, and the page says so.
    const target = manage.locator(`tr[data-code="${codes[1]}"]`);
    await target.getByRole('button', { name: `Edit message of ${codes[1]}` }).click();
    const editor = target.getByLabel(`New message for ${codes[1]}`);
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'TEXTAREA');
    assert.match(await target.locator('.edit-form .help').textContent(), /code and the link stay the same, so printed posters/);
    await editor.fill('Where is my order?');
    await screenshot(page, 'manage-edit');
    await target.getByRole('button', { name: 'Save' }).click();
    await target.locator('td.cell-message', { hasText: 'Where is my order?' }).waitFor();
    await page.locator('#status', { hasText: `Message of ${codes[1]} updated` }).waitFor();
    assert.equal(await target.locator('a').getAttribute('href'), `https://wa.me/message/${codes[1]}`);

    // Escape cancels an edit.
    await target.getByRole('button', { name: `Edit message of ${codes[1]}` }).click();
    await target.getByLabel(`New message for ${codes[1]}`).fill('not saved');
    await page.keyboard.press('Escape');
    await target.locator('td.cell-message', { hasText: 'Where is my order?' }).waitFor();

    // Reload the list: the edit is on the service, the code unchanged.
    await manage.getByRole('button', { name: 'Show my QR codes' }).click();
    await page.locator('#status', { hasText: '3 QR codes for this number.' }).waitFor();
    assert.equal((await manage.locator(`tr[data-code="${codes[1]}"] td.cell-message`).textContent()).trim(), 'Where is my order?');

    // Delete: Cancel keeps it, Delete removes it.
    const victim = manage.locator(`tr[data-code="${codes[0]}"]`);
    await victim.getByRole('button', { name: `Delete ${codes[0]}` }).click();
    const dialog = page.getByRole('dialog');
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
    const alert = row.locator('[role="alert"][data-code="Qrdl.NotExists"]');
    await alert.waitFor();
    assert.match(await alert.textContent(), /Reload "My QR codes"/);
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
    const row = manage.locator(`tr[data-code="${codes[0]}"]`);
    await row.locator('td.cell-message', { hasText: 'Edited by keyboard' }).waitFor();
    await page.locator('#status', { hasText: `Message of ${codes[0]} updated` }).waitFor();
    // Focus goes back to the row's Edit button.
    assert.equal((await active()).label, `Edit message of ${codes[0]}`);

    // Delete: Enter opens the dialog with focus on Cancel; Escape closes it and returns focus.
    await tabTo(`Delete ${codes[0]}`, 3);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
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
