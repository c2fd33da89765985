// Batch: 20 messages at the rate limit with a progress bar, CSV import and export, retry of
// failed rows.

import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { unzipSync } from 'fflate';
import { LOST_REPLY_CONSOLE, SCREENSHOTS, assertNeverThrottled, createViaForm, decodePng, decodeSvgInPage, download, emulatorStats as statsOf, launchBrowser, openPage, pageReady, parseCsv, screenshot, setFaults as setFaultsOf, startRelay, useRelayAndBrowser } from './helpers.mjs';

const env = useRelayAndBrowser({ before, after, beforeEach, afterEach });

async function progressOf(batch) {
  return batch.locator('#batch-progress').evaluate((p) => ({ value: p.value, max: p.max }));
}

test('a batch of 20: the progress bar reaches the end at no more than 5 per second, and the CSV export holds 20 rows', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    const batch = page.locator('#batch');
    const messages = Array.from({ length: 20 }, (_, i) => `Hello from store #${i + 1}, what are today's specials?`);
    await batch.getByLabel('Phone number').fill('8613800005555');
    await batch.getByLabel('Messages, one per line').fill(messages.join('\n'));
    assert.match(await batch.locator('.progress-text').textContent(), /20 QR codes ready to create/);
    const startBtn = batch.locator('button.start');
    assert.equal((await startBtn.textContent()).trim(), 'Create 20 QR codes');

    // Sample the progress bar while it runs.
    const samples = [];
    const t0 = Date.now();
    await startBtn.click();
    while (true) {
      const p = await progressOf(batch);
      samples.push(p.value);
      if (p.value === 20 && p.max === 20 && (await startBtn.isEnabled())) break;
      if (Date.now() - t0 > 60_000) throw new Error(`batch did not finish: ${JSON.stringify(p)}`);
      if (samples.length === 4) await screenshot(page, 'batch-running');
      await page.waitForTimeout(100);
    }
    assert.ok(samples.some((v) => v > 0 && v < 20), `the bar moved through intermediate values: ${samples.join(',')}`);
    // Paced at the rate limit, as the emulator counted it (not by the time it took): it
    // throttled none, no one-second window of arrivals held more than 5, and some held 5 (the
    // page sends as many at once as the limit allows).
    await assertNeverThrottled(env);
    assert.equal((await emulatorStats()).busiestWindow, 5, 'the most calls that arrived within one second');
    assert.match(await batch.locator('.progress-text').textContent(), /20 of 20 finished: 20 created, 0 failed/);
    assert.equal(await batch.locator('tbody tr[data-state="done"]').count(), 20);
    assert.equal(await batch.locator('.badge.failed').count(), 0);
    assert.equal(await batch.locator('[role="alert"]:not([hidden])').count(), 0);
    await page.locator('#status', { hasText: 'Batch finished: 20 created, 0 failed' }).waitFor();
    await screenshot(page, 'batch-done');
    await batch.screenshot({ path: `${SCREENSHOTS}/readme-batch.png`, animations: 'disabled' });

    // Export.
    const csv = await download(page, () => batch.getByRole('button', { name: 'Export CSV' }).click());
    assert.match(csv.name, /^qr-codes-8613800005555-.*\.csv$/);
    const text = csv.buffer.toString('utf8');
    assert.ok(text.startsWith('\uFEFF'), 'a UTF-8 BOM, so Excel reads it as UTF-8');
    const rows = parseCsv(text.slice(1)).filter((r) => r.length > 1);
    assert.deepEqual(rows[0], ['label', 'phone', 'message', 'code', 'deep_link', 'image_url', 'status']);
    const body = rows.slice(1);
    assert.equal(body.length, 20);
    const codes = new Set();
    body.forEach((r, i) => {
      const [label, phone, message, code, link, image, status] = r;
      assert.equal(label, String(i + 1));
      assert.equal(phone, '8613800005555');
      assert.equal(message, messages[i]);
      assert.ok(code, 'a code');
      codes.add(code);
      assert.equal(link, `https://wa.me/message/${code}`);
      assert.ok(image.startsWith(env.relay.emulator), image);
      assert.equal(status, 'created');
    });
    assert.equal(codes.size, 20, 'twenty different codes');

    // They are all on the service now.
    const manage = page.locator('#manage');
    await manage.getByLabel('Phone number').fill('8613800005555');
    await manage.getByRole('button', { name: 'Show my QR codes' }).click();
    await page.locator('#status', { hasText: '20 QR codes for this number.' }).waitFor();
    assert.equal((await manage.locator('.usage-count').textContent()).trim(), '20 of 2,000');
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('load a CSV (message,label) with quotes and commas; labels carry into the export', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    const batch = page.locator('#batch');
    await batch.getByLabel('Phone number').fill('8613800006666');
    await batch.getByRole('radio', { name: 'SVG' }).check();
    const csvIn = 'message,label\r\n"Hi, I\'m at the ""Marina"" store",marina\r\nHello from Orchard,orchard\r\n=SUM(A1),formula\r\n' + `${'x'.repeat(141)},too-long\r\n`;
    await batch.getByLabel('Or load a CSV file').setInputFiles({ name: 'stores.csv', mimeType: 'text/csv', buffer: Buffer.from(csvIn) });
    await batch.locator('.source-note', { hasText: 'Using 4 rows from stores.csv' }).waitFor();
    assert.equal(await batch.getByLabel('Messages, one per line').isDisabled(), true);
    assert.match(await batch.locator('.progress-text').textContent(), /3 QR codes ready to create\. 1 row is not valid/);
    assert.equal((await batch.locator('tbody tr').nth(0).locator('td').nth(2).textContent()).trim(), 'Hi, I\'m at the "Marina" store');
    await batch.getByRole('button', { name: 'Create 3 QR codes' }).click();
    await batch.locator('.progress-text', { hasText: '3 of 3 finished: 3 created, 0 failed' }).waitFor({ timeout: 30_000 });
    assert.match(await batch.locator('tbody tr').nth(3).textContent(), /Not sent.*141 characters/s);
    const csv = await download(page, () => batch.getByRole('button', { name: 'Export CSV' }).click());
    const rows = parseCsv(csv.buffer.toString('utf8').replace(/^\uFEFF/, '')).filter((r) => r.length > 1).slice(1);
    assert.deepEqual(rows.map((r) => r[0]), ['marina', 'orchard', 'formula', 'too-long']);
    assert.equal(rows[0][2], 'Hi, I\'m at the "Marina" store');
    // A cell a spreadsheet would run as a formula is defused.
    assert.equal(rows[2][2], "'=SUM(A1)");
    assert.match(rows[0][5], /\.svg$/);
    assert.equal(rows[3][3], '');
    assert.match(rows[3][6], /^not sent: .*141 characters/);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('a finished batch downloads a ZIP of its codes: chosen formats, names from the labels, a manifest', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    const batch = page.locator('#batch');
    await batch.getByLabel('Phone number').fill('8613800007777');
    const csvIn = 'message,label\r\nHello Marina,Marina\r\nHello Orchard,Orchard\r\nHello Café,"Café / Bar: ""Nord"""\r\nHello again,Marina\r\nHello device,con\r\n';
    await batch.getByLabel('Or load a CSV file').setInputFiles({ name: 'stores.csv', mimeType: 'text/csv', buffer: Buffer.from(csvIn) });
    await batch.locator('.source-note', { hasText: 'Using 5 rows from stores.csv' }).waitFor();
    const zipGroup = batch.getByRole('group', { name: 'Print files of the created codes' });
    assert.equal(await zipGroup.isHidden(), true, 'no ZIP before any code is created');
    await batch.getByRole('button', { name: 'Create 5 QR codes' }).click();
    await batch.locator('.progress-text', { hasText: '5 of 5 finished: 5 created, 0 failed' }).waitFor({ timeout: 30_000 });
    await zipGroup.waitFor();
    const zipBtn = zipGroup.getByRole('button', { name: 'Download ZIP' });
    await zipBtn.waitFor({ state: 'visible' });
    assert.equal(await zipBtn.isEnabled(), true);
    // No format chosen: nothing to build.
    for (const f of ['SVG', 'PNG', 'PDF']) await zipGroup.getByLabel(f).uncheck();
    assert.equal(await zipBtn.isDisabled(), true);
    await zipGroup.getByLabel('SVG').check();
    await zipGroup.getByLabel('PNG').check();
    await batch.screenshot({ path: `${SCREENSHOTS}/readme-batch-zip.png`, animations: 'disabled' });

    // The progress bar shows while the ZIP is built.
    await page.evaluate(() => {
      const bar = document.querySelector('#batch .zip-progress');
      window.zipBarShown = false;
      new MutationObserver(() => { if (!bar.hidden) window.zipBarShown = true; }).observe(bar, { attributes: true });
    });
    const csv = await download(page, () => batch.getByRole('button', { name: 'Export CSV' }).click());
    const links = new Map(parseCsv(csv.buffer.toString('utf8').replace(/^\uFEFF/, '')).filter((r) => r.length > 1).slice(1).map((r) => [r[3], r[4]]));
    assert.equal(links.size, 5);
    const zip = await download(page, () => zipBtn.click());
    assert.match(zip.name, /^qr-codes-8613800007777-.*\.zip$/);
    assert.equal(await page.evaluate(() => window.zipBarShown), true, 'the progress bar showed');
    await page.locator('#status', { hasText: 'Downloading the ZIP of 5 QR codes.' }).waitFor();

    const files = unzipSync(new Uint8Array(zip.buffer));
    const stems = ['Marina', 'Orchard', 'Café Bar Nord', 'Marina (2)', 'con_'];
    assert.deepEqual(Object.keys(files).sort(), [...stems.flatMap((s) => [`${s}.png`, `${s}.svg`]), 'manifest.csv'].sort());
    const manifest = Buffer.from(files['manifest.csv']).toString('utf8').replace(/^\uFEFF/, '');
    const lines = parseCsv(manifest).filter((r) => r.length > 1);
    assert.deepEqual(lines[0], ['label', 'code', 'deep link', 'message', 'phone', 'files']);
    assert.equal(lines.length, 6);
    for (const [i, stem] of stems.entries()) {
      const [label, code, link, message, phone, names] = lines[i + 1];
      assert.equal(label, ['Marina', 'Orchard', 'Café / Bar: "Nord"', 'Marina', 'con'][i]);
      assert.equal(link, links.get(code), `${code}'s deep link`);
      assert.equal(message, ['Hello Marina', 'Hello Orchard', 'Hello Café', 'Hello again', 'Hello device'][i]);
      assert.equal(phone, '8613800007777');
      assert.equal(names, `${stem}.svg ${stem}.png`);
      assert.equal(decodePng(Buffer.from(files[`${stem}.png`])).text, link, `${stem}.png`);
      assert.equal(await decodeSvgInPage(page, Buffer.from(files[`${stem}.svg`]).toString('utf8')), link, `${stem}.svg`);
    }
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('failed rows show their error and the hint, and "Retry failed rows" finishes them', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, {
    allow: [/Failed to load resource: net::ERR_FAILED/],
  });
  try {
    await pageReady(page);
    const batch = page.locator('#batch');
    await batch.getByLabel('Phone number').fill('8613800007777');
    await batch.getByLabel('Messages, one per line').fill(['one', 'two', 'three', 'four', 'five'].join('\n'));
    // The network drops every call for rows one, three and five (retries included).
    await page.route('**/cams', (route) => {
      const msg = new URLSearchParams(route.request().postData() ?? '').get('PrefilledMessage');
      return ['one', 'three', 'five'].includes(msg) ? route.abort('failed') : route.continue();
    });
    await batch.getByRole('button', { name: 'Create 5 QR codes' }).click();
    await batch.locator('.progress-text', { hasText: '5 of 5 finished: 2 created, 3 failed' }).waitFor({ timeout: 30_000 });
    assert.equal(await batch.locator('tbody tr[data-state="failed"]').count(), 3);
    assert.deepEqual(await batch.locator('tbody tr[data-state="failed"]').evaluateAll((trs) => trs.map((tr) => tr.dataset.row)), ['1', '3', '5']);
    assert.match(await batch.locator('tbody tr[data-state="failed"]').first().textContent(), /NetworkError/);
    const alert = batch.locator('[role="alert"]:not([hidden])');
    assert.match(await alert.textContent(), /3 of 5 rows failed/);
    assert.equal(await batch.locator('#batch-progress').getAttribute('data-outcome'), 'partial');
    // Focus moved from the (now disabled) Stop to the advice.
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('role')), 'alert');
    assert.match(await alert.textContent(), /NetworkError/);
    assert.match(await alert.textContent(), /failed before any answer came back/);
    // A batch row keeps the row's advice: "Retry failed rows" checks for a lost create by itself.
    assert.doesNotMatch(await alert.textContent(), /may have been created/);
    await screenshot(page, 'batch-failed-rows');
    await page.unroute('**/cams');

    await batch.getByRole('button', { name: 'Retry failed rows' }).click();
    await batch.locator('.progress-text', { hasText: '5 of 5 finished: 5 created, 0 failed' }).waitFor({ timeout: 30_000 });
    assert.equal(await batch.locator('tbody tr[data-state="done"]').count(), 5);
    assert.equal(await batch.getByRole('button', { name: 'Retry failed rows' }).isDisabled(), true);
    // This test once failed on a console 400: a call its client retried after the emulator's
    // 5-per-second limit refused it, because the calls of the tests before it counted in the
    // same account's window (one emulator per file). Each test has its own emulator now, and
    // none of this test's calls may have been refused.
    await assertNeverThrottled(env);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('"Retry failed rows" first claims codes whose create happened though its reply was lost: no duplicates', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, { allow: [LOST_REPLY_CONSOLE] });
  try {
    await pageReady(page);
    const batch = page.locator('#batch');
    await batch.getByLabel('Phone number').fill('8613800006666');
    await batch.getByLabel('Messages, one per line').fill(['alpha', 'beta', 'gamma'].join('\n'));
    // The emulator creates the first two codes and then drops the connection without a reply.
    await setFaults({ dropRate: 1, failFirst: 2, actions: ['CreatePhoneMessageQrdl'] });
    const createdBefore = (await emulatorStats()).created ?? 0;
    await batch.getByRole('button', { name: 'Create 3 QR codes' }).click();
    await batch.locator('.progress-text', { hasText: '3 of 3 finished: 1 created, 2 failed' }).waitFor({ timeout: 30_000 });
    await setFaults(null);
    assert.equal((await emulatorStats()).created - createdBefore, 3, 'the two lost replies were creates that happened');

    await batch.getByRole('button', { name: 'Retry failed rows' }).click();
    await batch.locator('.progress-text', { hasText: '3 of 3 finished: 3 created, 0 failed' }).waitFor({ timeout: 30_000 });
    assert.equal((await emulatorStats()).created - createdBefore, 3, 'retrying made no second code');
    const codes = await batch.locator('tbody tr td:nth-child(5)').allTextContents();
    assert.equal(new Set(codes.filter(Boolean)).size, 3, `three distinct codes: ${codes}`);
    assertNoConsoleErrors();
  } finally {
    await setFaults(null).catch(() => {});
    await context.close();
  }
});

test('Stop halts a batch after the calls already sent; starting again finishes the rest', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    const batch = page.locator('#batch');
    await batch.getByLabel('Phone number').fill('8613800008888');
    await batch.getByLabel('Messages, one per line').fill(Array.from({ length: 12 }, (_, i) => `Stop test ${i + 1}`).join('\n'));
    const start = batch.locator('button.start');
    await start.click();
    await page.waitForFunction(() => document.querySelector('#batch-progress').value >= 2);
    await batch.getByRole('button', { name: 'Stop' }).click();
    await page.locator('#status', { hasText: 'Batch stopped' }).waitFor();
    const done = await batch.locator('tbody tr[data-state="done"]').count();
    assert.ok(done >= 2 && done < 12, `stopped part-way (${done} done)`);
    // The rows never sent say so, the counts agree, the bar is not green, focus is on "Create".
    const stopped = batch.locator('tbody tr[data-state="stopped"]');
    assert.equal(await stopped.count(), 12 - done);
    assert.match(await stopped.first().textContent(), /Not sent \(stopped\)/);
    assert.match(await batch.locator('.progress-text').textContent(), new RegExp(`${done} of 12 finished: ${done} created, 0 failed, ${12 - done} not sent \\(stopped\\)`));
    assert.equal(await batch.locator('#batch-progress').getAttribute('data-outcome'), 'partial');
    assert.equal((await start.textContent()).trim(), `Create ${12 - done} QR codes`);
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains('start')), true, 'focus on the create button');
    // The export says which rows were not sent.
    const csv = await download(page, () => batch.getByRole('button', { name: 'Export CSV' }).click());
    const statuses = parseCsv(csv.buffer.toString('utf8').replace(/^\uFEFF/, '')).slice(1).filter((r) => r.length > 1).map((r) => r[6]);
    assert.equal(statuses.filter((x) => x === 'not sent (stopped)').length, 12 - done);
    await start.click();
    await batch.locator('.progress-text', { hasText: '12 of 12 finished: 12 created, 0 failed' }).waitFor({ timeout: 30_000 });
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

/** The emulator's counters, and its fault setting (`null` clears it). */
const emulatorStats = () => statsOf(env.relay.emulator);
const setFaults = (config) => setFaultsOf(env.relay.emulator, config);

/** The batch table's code for each row, by row number. */
async function rowCodes(batch) {
  return batch.locator('tbody tr').evaluateAll((trs) => Object.fromEntries(trs.map((tr) => [tr.dataset.row, tr.querySelector('td:nth-child(5)').textContent.trim()])));
}

test('"Retry failed rows" claims only codes made since the batch started, in its image format', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, {
    allow: [LOST_REPLY_CONSOLE, /Failed to load resource: net::ERR_FAILED/],
  });
  const phone = '8613800004444';
  try {
    await pageReady(page);
    // Codes that were there before the batch, with the same messages: one in the batch's
    // format, one in the other.
    const pre = {};
    for (const [message, format] of [['alpha', 'PNG'], ['beta', 'SVG']]) {
      const card = await createViaForm(page, { phone, message, format });
      await page.waitForFunction((m) => document.querySelector('#create .qrdl-message')?.textContent === m, message);
      pre[message] = (await card.locator('.qrdl-code').textContent()).trim();
    }

    const batch = page.locator('#batch');
    await batch.getByLabel('Phone number').fill(phone);
    await batch.getByRole('radio', { name: 'PNG' }).check();
    await batch.getByLabel('Messages, one per line').fill(['alpha', 'beta', 'gamma', 'delta'].join('\n'));
    // alpha and beta: created, reply lost (the emulator drops the first two creates). delta:
    // cut off in the browser, never reaching the service.
    await setFaults({ dropRate: 1, failFirst: 2, actions: ['CreatePhoneMessageQrdl'] });
    await page.route('**/cams', (route) => {
      const form = new URLSearchParams(route.request().postData() ?? '');
      // Signature V3 names the action in a header; V2 in the form.
      const action = route.request().headers()['x-acs-action'] ?? form.get('Action');
      return action === 'CreatePhoneMessageQrdl' && form.get('PrefilledMessage') === 'delta' ? route.abort('failed') : route.continue();
    });
    const createdBefore = (await emulatorStats()).created;
    await batch.getByRole('button', { name: 'Create 4 QR codes' }).click();
    await batch.locator('.progress-text', { hasText: '4 of 4 finished: 1 created, 3 failed' }).waitFor({ timeout: 30_000 });
    await setFaults(null);
    await page.unroute('**/cams');
    assert.equal((await emulatorStats()).created - createdBefore, 3, 'alpha, beta and gamma were made');

    // Meanwhile someone makes a delta code in the other format.
    const card = await createViaForm(page, { phone, message: 'delta', format: 'SVG' });
    await page.waitForFunction(() => document.querySelector('#create .qrdl-message')?.textContent === 'delta');
    const otherDelta = (await card.locator('.qrdl-code').textContent()).trim();

    const createdBeforeRetry = (await emulatorStats()).created;
    await batch.getByRole('button', { name: 'Retry failed rows' }).click();
    await batch.locator('.progress-text', { hasText: '4 of 4 finished: 4 created, 0 failed' }).waitFor({ timeout: 30_000 });
    assert.equal((await emulatorStats()).created - createdBeforeRetry, 1, 'only delta was sent again');

    const codes = await rowCodes(batch);
    assert.notEqual(codes[1], pre.alpha, 'the alpha code from before the batch is not claimed');
    assert.notEqual(codes[2], pre.beta, 'the beta code from before the batch (SVG) is not claimed');
    assert.notEqual(codes[4], otherDelta, 'a delta code in the other format is not claimed');
    assert.equal(new Set(Object.values(codes)).size, 4, `four distinct codes: ${JSON.stringify(codes)}`);

    // Each claimed code is the number's PNG code with the row's message made during the batch.
    const manage = page.locator('#manage');
    await manage.getByLabel('Phone number').fill(phone);
    await manage.getByRole('button', { name: 'Show my QR codes' }).click();
    await page.locator('#status', { hasText: '7 QR codes for this number.' }).waitFor();
    const listed = await manage.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => ({ code: tr.dataset.code, message: tr.querySelector('.message-text').textContent.trim(), format: tr.querySelector('td.cell-format').textContent.trim() })));
    ['alpha', 'beta', 'gamma', 'delta'].forEach((m, i) => {
      const q = listed.find((x) => x.code === codes[i + 1]);
      assert.deepEqual([q?.message, q?.format], [m, 'PNG'], `row ${i + 1}`);
    });
    assertNoConsoleErrors();
  } finally {
    await setFaults(null).catch(() => {});
    await context.close();
  }
});

test('editing the messages after a batch keeps its results until a new batch starts or "Clear results"', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    const batch = page.locator('#batch');
    const textarea = batch.getByLabel('Messages, one per line');
    await batch.getByLabel('Phone number').fill('8613800003333');
    await textarea.fill(['keep one', 'keep two'].join('\n'));
    await batch.getByRole('button', { name: 'Create 2 QR codes' }).click();
    await batch.locator('.progress-text', { hasText: '2 of 2 finished: 2 created, 0 failed' }).waitFor({ timeout: 30_000 });
    const codes = await rowCodes(batch);

    // Typing a line changes nothing in the table, and says how the results go.
    await textarea.press('End');
    await textarea.pressSequentially('\nkeep three');
    assert.equal(await batch.locator('tbody tr[data-state="done"]').count(), 2);
    assert.deepEqual(await rowCodes(batch), codes);
    assert.match(await batch.locator('.progress-text').textContent(), /2 of 2 finished: 2 created/);
    const note = batch.locator('.pending-note');
    assert.equal(await note.isVisible(), true);
    assert.match(await note.textContent(), /still shows the last batch's results: export them/);
    assert.equal((await batch.locator('button.start').textContent()).trim(), 'Create 3 QR codes');
    await screenshot(page, 'batch-edited-after-finish');

    // The export still holds the results.
    const csv = await download(page, () => batch.getByRole('button', { name: 'Export CSV' }).click());
    const rows = parseCsv(csv.buffer.toString('utf8')).filter((r) => r.length > 1).slice(1);
    assert.deepEqual(rows.map((r) => [r[2], r[3], r[6]]), [['keep one', codes[1], 'created'], ['keep two', codes[2], 'created']]);

    // "Clear results" shows the messages as they are now.
    await batch.getByRole('button', { name: 'Clear results' }).click();
    assert.equal(await batch.locator('tbody tr').count(), 3);
    assert.equal(await batch.locator('tbody tr[data-state="ready"]').count(), 3);
    assert.equal(await note.isVisible(), false);
    assert.equal(await batch.getByRole('button', { name: 'Clear results' }).isVisible(), false);
    assert.match(await batch.locator('.progress-text').textContent(), /3 QR codes ready to create/);

    // A new batch after an edit replaces the results with its own.
    await batch.getByRole('button', { name: 'Create 3 QR codes' }).click();
    await batch.locator('.progress-text', { hasText: '3 of 3 finished: 3 created, 0 failed' }).waitFor({ timeout: 30_000 });
    await textarea.fill('fresh');
    assert.equal(await batch.locator('tbody tr[data-state="done"]').count(), 3, 'kept after the edit');
    await batch.getByRole('button', { name: 'Create 1 QR code' }).click();
    await batch.locator('.progress-text', { hasText: '1 of 1 finished: 1 created, 0 failed' }).waitFor({ timeout: 30_000 });
    assert.equal(await batch.locator('tbody tr').count(), 1);
    assert.equal(await note.isVisible(), false);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('keyboard only: fill in a batch and start it', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    const active = () => page.evaluate(() => ({ id: document.activeElement.id, text: document.activeElement.textContent.trim(), cls: document.activeElement.className }));
    // From the nav link to the batch section, then Tab only.
    await page.locator('.site-nav a[href="#batch"]').focus();
    await page.keyboard.press('Enter');
    for (let i = 0; i < 60 && (await active()).id !== 'batch-phone'; i += 1) await page.keyboard.press('Tab');
    assert.equal((await active()).id, 'batch-phone');
    await page.keyboard.type('8613800002222');
    await page.keyboard.press('Tab'); // format: PNG
    await page.keyboard.press('ArrowRight'); // SVG
    assert.equal(await page.locator('#batch').getByRole('radio', { name: 'SVG' }).isChecked(), true);
    await page.keyboard.press('Tab'); // space ID
    await page.keyboard.press('Tab'); // messages
    assert.equal((await active()).id, 'batch-messages');
    await page.keyboard.type('Keyboard batch one');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Keyboard batch two');
    for (let i = 0; i < 5 && !(await active()).cls.includes('start'); i += 1) await page.keyboard.press('Tab');
    const focused = await active();
    assert.equal(focused.text, 'Create 2 QR codes');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'focus is visible');
    await page.keyboard.press('Enter');
    const batch = page.locator('#batch');
    await batch.locator('.progress-text', { hasText: '2 of 2 finished: 2 created, 0 failed' }).waitFor({ timeout: 30_000 });
    assert.equal(await batch.locator('tbody tr[data-state="done"]').count(), 2);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('a CSV from a Chinese spreadsheet: columns by header, semicolons, a BOM, each row its own number; the preview shows the columns', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    const batch = page.locator('#batch');
    // No number in the form: every row has its own.
    const csvIn = '\uFEFF备注;消息;手机号;格式;其他\r\n北京店;"你好; 北京店";8613800004001;svg;x\r\n上海店;Hello from Shanghai;6591234001;;y\r\n坏号码;Bad number;12ab;;z\r\n';
    await batch.getByLabel('Or load a CSV file').setInputFiles({ name: '门店.csv', mimeType: 'text/csv', buffer: Buffer.from(csvIn) });
    await batch.locator('.source-note', { hasText: 'Using 3 rows from 门店.csv' }).waitFor();
    const mapping = await batch.locator('.csv-mapping li').allTextContents();
    assert.deepEqual(mapping, ['“备注” → label', '“消息” → message', '“手机号” → phone', '“格式” → format', '“其他” → not used']);
    assert.match(await batch.locator('.mapping-title').textContent(), /semicolons/);
    assert.equal(await batch.locator('.csv-warning').isHidden(), true);
    assert.match(await batch.locator('.progress-text').textContent(), /2 QR codes ready to create\. 1 row is not valid/);
    assert.match(await batch.locator('tbody tr').nth(2).textContent(), /Not sent.*Phone “12ab”/s);
    assert.deepEqual(await batch.locator('tbody tr td.cell-phone').allTextContents(), ['8613800004001', '6591234001', '12ab']);
    await screenshot(page, 'batch-csv-preview');
    await batch.getByRole('button', { name: 'Create 2 QR codes' }).click();
    await batch.locator('.progress-text', { hasText: '2 of 2 finished: 2 created, 0 failed' }).waitFor({ timeout: 30_000 });
    assert.equal(await batch.locator('#batch-progress').getAttribute('data-outcome'), 'ok');
    const csv = await download(page, () => batch.getByRole('button', { name: 'Export CSV' }).click());
    const rows = parseCsv(csv.buffer.toString('utf8').replace(/^\uFEFF/, '')).filter((r) => r.length > 1).slice(1);
    assert.deepEqual(rows.map((r) => [r[0], r[1], r[2]]), [['北京店', '8613800004001', '你好; 北京店'], ['上海店', '6591234001', 'Hello from Shanghai'], ['坏号码', '12ab', 'Bad number']]);
    assert.match(rows[0][5], /\.svg$/);
    assert.match(rows[1][5], /\.png$/);

    // Each code went to its own number, and "My QR codes" finds them by their label.
    const manage = page.locator('#manage');
    await manage.getByLabel('Phone number').fill('6591234001');
    await manage.getByRole('button', { name: 'Show my QR codes' }).click();
    await page.locator('#status', { hasText: '1 QR code for this number.' }).waitFor();
    await manage.getByLabel('Search').fill('上海');
    assert.equal(await manage.locator('tbody tr').count(), 1);
    assert.equal((await manage.locator('tbody tr .row-label').textContent()).trim(), '上海店');

    // A file without a header it knows: read as message,label, with a clear warning.
    await batch.getByLabel('Or load a CSV file').setInputFiles({ name: 'plain.csv', mimeType: 'text/csv', buffer: Buffer.from('Hello from Orchard,orchard\r\n') });
    await batch.locator('.source-note', { hasText: 'Using 1 rows from plain.csv' }).waitFor();
    assert.match(await batch.locator('.csv-warning').textContent(), /No header recognised/);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('README pictures of the batch preview: light, dark and 390 px wide', async () => {
  for (const [name, options] of [
    ['readme-batch-preview-light', { colorScheme: 'light' }],
    ['readme-batch-preview-dark', { colorScheme: 'dark' }],
    ['readme-batch-preview-390', { colorScheme: 'light', viewport: { width: 390, height: 844 } }],
  ]) {
    const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, options);
    try {
      await pageReady(page);
      const batch = page.locator('#batch');
      const csvIn = 'Phone,Message,Label\r\n8613800004001,Hello from the Orchard Road store!,orchard\r\n8613800004001,Hello from the Marina Bay store!,marina\r\n6591234001,I would like to book a table,booking\r\n';
      await batch.getByLabel('Or load a CSV file').setInputFiles({ name: 'stores.csv', mimeType: 'text/csv', buffer: Buffer.from(csvIn) });
      await batch.locator('.source-note', { hasText: 'Using 3 rows from stores.csv' }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, `${name}: no sideways scrolling`);
      await batch.screenshot({ path: `${SCREENSHOTS}/${name}.png`, animations: 'disabled' });
      assertNoConsoleErrors();
    } finally {
      await context.close();
    }
  }
});

test('when every row fails the bar is not green, the counts agree and focus is on the advice', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, { allow: [/Failed to load resource: net::ERR_FAILED/] });
  try {
    await pageReady(page);
    const batch = page.locator('#batch');
    await batch.getByLabel('Phone number').fill('8613800007001');
    await batch.getByLabel('Messages, one per line').fill('a\nb\nc');
    await page.route('**/cams', (route) => route.abort('failed'));
    await batch.getByRole('button', { name: 'Create 3 QR codes' }).click();
    await batch.locator('.progress-text', { hasText: '3 of 3 finished: 0 created, 3 failed' }).waitFor({ timeout: 30_000 });
    const progress = batch.locator('#batch-progress');
    assert.equal(await progress.getAttribute('data-outcome'), 'failed');
    // Its colour is the danger colour, not the green of a finished batch.
    const colours = await page.evaluate(() => {
      const bar = document.querySelector('#batch-progress');
      const failed = getComputedStyle(bar).accentColor;
      bar.dataset.outcome = 'ok';
      const ok = getComputedStyle(bar).accentColor;
      bar.dataset.outcome = 'failed';
      return { failed, ok };
    });
    assert.notEqual(colours.failed, colours.ok, 'the failed bar is not green');
    const alert = batch.locator('[role="alert"]:not([hidden])');
    assert.match(await alert.textContent(), /3 of 3 rows failed/);
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('role')), 'alert');
    await page.locator('#status', { hasText: 'Batch finished: 0 created, 3 failed' }).waitFor();
    assertNoConsoleErrors();
  } finally {
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await context.close();
  }
});

/** A batch whose first calls are turned away by flow control, as when another batch competes. */
async function throttledBatch(relay, browser, phone) {
  const { page, context, assertNoConsoleErrors } = await openPage(browser, relay.url, { allow: [/status of (400|429|503)/] });
  await pageReady(page);
  const batch = page.locator('#batch');
  await batch.getByLabel('Phone number').fill(phone);
  await batch.getByLabel('Messages, one per line').fill(['t1', 't2', 't3', 't4', 't5'].join('\n'));
  // Every attempt of the first rows is throttled (the client's own retries included).
  await setFaultsOf(relay.emulator, { throttleRate: 1, failFirst: 30, actions: ['CreatePhoneMessageQrdl'] });
  await batch.getByRole('button', { name: 'Create 5 QR codes' }).click();
  await batch.locator('.progress-text', { hasText: '5 of 5 finished: 5 created, 0 failed' }).waitFor({ timeout: 60_000 });
  await setFaultsOf(relay.emulator, null);
  assert.equal(await batch.locator('#batch-progress').getAttribute('data-outcome'), 'ok');
  assert.ok((await statsOf(relay.emulator)).faults.throttle >= 30, 'calls were throttled');
  return { page, batch, context, assertNoConsoleErrors };
}

test('throttled rows are sent again within the batch; a relay that paces the account needs no warning', async () => {
  const { batch, context, assertNoConsoleErrors } = await throttledBatch(env.relay, env.browser, '8613800007101');
  try {
    assert.equal(await batch.locator('.compete-note').isHidden(), true);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('without the relay pacing the account, the page says plainly that another batch competes', async () => {
  const relay = await startRelay(['--cams-account-qps', '0']);
  const browser = await launchBrowser();
  try {
    const { page, batch, context, assertNoConsoleErrors } = await throttledBatch(relay, browser, '8613800007102');
    const note = batch.locator('.compete-note');
    assert.equal(await note.isVisible(), true);
    assert.match(await note.textContent(), /Another batch seems to be using this account at the same time/);
    assert.match(await note.textContent(), /sent again within this batch/);
    await screenshot(page, 'batch-competing');
    assertNoConsoleErrors();
    await context.close();
  } finally {
    await browser.close();
    await relay.stop();
  }
});
