// Batch: 20 messages at the rate limit with a progress bar, CSV import and export, retry of
// failed rows.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SCREENSHOTS, download, openPage, pageReady, parseCsv, screenshot, useRelayAndBrowser } from './helpers.mjs';

const env = useRelayAndBrowser({ before, after });

async function progressOf(batch) {
  return batch.locator('progress').evaluate((p) => ({ value: p.value, max: p.max }));
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

    const throttledBefore = (await (await fetch(`${env.relay.emulator}/__emulator/stats`)).json()).throttled ?? 0;
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
    const elapsed = Date.now() - t0;
    assert.ok(samples.some((v) => v > 0 && v < 20), `the bar moved through intermediate values: ${samples.join(',')}`);
    // 20 calls with no more than 5 in any one-second window: the last five start at least 3 s
    // after the first five, and the emulator (5 per second, sliding window) throttled none.
    assert.ok(elapsed >= 3000, `paced at the rate limit (${elapsed} ms)`);
    const throttledAfter = (await (await fetch(`${env.relay.emulator}/__emulator/stats`)).json()).throttled ?? 0;
    assert.equal(throttledAfter, throttledBefore, 'no call was throttled');
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
    const rows = parseCsv(csv.buffer.toString('utf8')).filter((r) => r.length > 1);
    assert.deepEqual(rows[0], ['label', 'message', 'code', 'deep_link', 'image_url', 'status']);
    const body = rows.slice(1);
    assert.equal(body.length, 20);
    const codes = new Set();
    body.forEach((r, i) => {
      const [label, message, code, link, image, status] = r;
      assert.equal(label, String(i + 1));
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
    await batch.getByLabel('Or load a CSV file (message,label)').setInputFiles({ name: 'stores.csv', mimeType: 'text/csv', buffer: Buffer.from(csvIn) });
    await batch.locator('.source-note', { hasText: 'Using 4 rows from stores.csv' }).waitFor();
    assert.equal(await batch.getByLabel('Messages, one per line').isDisabled(), true);
    assert.match(await batch.locator('.progress-text').textContent(), /3 QR codes ready to create\. 1 row is not valid/);
    assert.equal((await batch.locator('tbody tr').nth(0).locator('td').nth(2).textContent()).trim(), 'Hi, I\'m at the "Marina" store');
    await batch.getByRole('button', { name: 'Create 3 QR codes' }).click();
    await batch.locator('.progress-text', { hasText: '3 of 3 finished: 3 created, 0 failed' }).waitFor({ timeout: 30_000 });
    assert.match(await batch.locator('tbody tr').nth(3).textContent(), /Not sent.*141 characters/s);
    const csv = await download(page, () => batch.getByRole('button', { name: 'Export CSV' }).click());
    const rows = parseCsv(csv.buffer.toString('utf8')).filter((r) => r.length > 1).slice(1);
    assert.deepEqual(rows.map((r) => r[0]), ['marina', 'orchard', 'formula', 'too-long']);
    assert.equal(rows[0][1], 'Hi, I\'m at the "Marina" store');
    // A cell a spreadsheet would run as a formula is defused.
    assert.equal(rows[2][1], "'=SUM(A1)");
    assert.match(rows[0][4], /\.svg$/);
    assert.equal(rows[3][2], '');
    assert.equal(rows[3][5], 'invalid');
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
    assert.match(await alert.textContent(), /NetworkError/);
    assert.match(await alert.textContent(), /could not reach the service/);
    await screenshot(page, 'batch-failed-rows');
    await page.unroute('**/cams');

    await batch.getByRole('button', { name: 'Retry failed rows' }).click();
    await batch.locator('.progress-text', { hasText: '5 of 5 finished: 5 created, 0 failed' }).waitFor({ timeout: 30_000 });
    assert.equal(await batch.locator('tbody tr[data-state="done"]').count(), 5);
    assert.equal(await batch.getByRole('button', { name: 'Retry failed rows' }).isDisabled(), true);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('"Retry failed rows" first claims codes whose create happened though its reply was lost: no duplicates', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, {
    // Through the relay a dropped upstream connection is a 502 RelayUpstreamError; Chromium may
    // also resend the POST by itself, which the gateway refuses as SignatureNonceUsed (400).
    allow: [/the server responded with a status of (502|400)/],
  });
  const emulator = env.relay.emulator;
  const stats = async () => (await (await fetch(`${emulator}/__emulator/stats`)).json());
  try {
    await pageReady(page);
    const batch = page.locator('#batch');
    await batch.getByLabel('Phone number').fill('8613800006666');
    await batch.getByLabel('Messages, one per line').fill(['alpha', 'beta', 'gamma'].join('\n'));
    // The emulator creates the first two codes and then drops the connection without a reply.
    const set = await fetch(`${emulator}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dropRate: 1, failFirst: 2, actions: ['CreatePhoneMessageQrdl'] }),
    });
    assert.equal(set.status, 200);
    const createdBefore = (await stats()).created ?? 0;
    await batch.getByRole('button', { name: 'Create 3 QR codes' }).click();
    await batch.locator('.progress-text', { hasText: '3 of 3 finished: 1 created, 2 failed' }).waitFor({ timeout: 30_000 });
    await fetch(`${emulator}/__emulator/faults`, { method: 'DELETE' });
    assert.equal((await stats()).created - createdBefore, 3, 'the two lost replies were creates that happened');

    await batch.getByRole('button', { name: 'Retry failed rows' }).click();
    await batch.locator('.progress-text', { hasText: '3 of 3 finished: 3 created, 0 failed' }).waitFor({ timeout: 30_000 });
    assert.equal((await stats()).created - createdBefore, 3, 'retrying made no second code');
    const codes = await batch.locator('tbody tr td:nth-child(5)').allTextContents();
    assert.equal(new Set(codes.filter(Boolean)).size, 3, `three distinct codes: ${codes}`);
    assertNoConsoleErrors();
  } finally {
    await fetch(`${emulator}/__emulator/faults`, { method: 'DELETE' }).catch(() => {});
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
    await page.waitForFunction(() => document.querySelector('#batch progress').value >= 2);
    await batch.getByRole('button', { name: 'Stop' }).click();
    await page.locator('#status', { hasText: 'Batch stopped' }).waitFor();
    const done = await batch.locator('tbody tr[data-state="done"]').count();
    assert.ok(done >= 2 && done < 12, `stopped part-way (${done} done)`);
    assert.equal(await batch.locator('tbody tr[data-state="ready"]').count(), 12 - done);
    assert.equal((await start.textContent()).trim(), `Create ${12 - done} QR codes`);
    await start.click();
    await batch.locator('.progress-text', { hasText: '12 of 12 finished: 12 created, 0 failed' }).waitFor({ timeout: 30_000 });
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});
