// Every failure appears in a role="alert" element with its code, a sentence and what to do; the
// hint table, docs/errors.md and the README's troubleshooting table agree.

import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_HINTS, FALLBACK_HINT, UNKNOWN_OUTCOME } from '../../www/js/errors.js';
import { DOC_PATHS, renderTable, tableInDoc } from './errors-table.mjs';
import { DEMO_KEY, LOST_REPLY_CONSOLE, closedUrl, connectWithKey, emulatorStats, openPage, pageReady, screenshot, setFaults, useRelayAndBrowser } from './helpers.mjs';

const env = useRelayAndBrowser({ before, after, beforeEach, afterEach });
const HINT = Object.fromEntries(ERROR_HINTS.map((h) => [h.code, h]));
const REFUSED = /Failed to load resource: net::ERR_(CONNECTION_REFUSED|FAILED)/;
const HTTP_4XX_5XX = /Failed to load resource: the server responded with a status of [45]\d\d/;

test('docs/errors.md and README.md hold the same table as www/js/errors.js', () => {
  for (const path of DOC_PATHS) {
    const doc = readFileSync(path, 'utf8');
    assert.equal(tableInDoc(doc), renderTable(), `${path}: run \`node tests/page/errors-table.mjs --write\``);
  }
  const codes = ERROR_HINTS.map((h) => h.code);
  for (const code of [
    'SignatureDoesNotMatch', 'InvalidTimeStamp.Expired', 'SignatureNonceUsed', 'InvalidAccessKeyId.NotFound',
    'InvalidSecurityToken.Expired', 'MissingParameter', 'Throttling.User', 'Product.Unsubscript', 'Ram.PermissionDeny',
    'System.LimitControl', 'Unknown.ResourceOwnerId', 'InvalidParameter', 'NetworkError', 'Timeout', 'InvalidResponse',
    'CredentialsError', 'Throttling', 'ServiceUnavailable', 'InternalError', 'Aborted',
    // The relay's own codes (docs/relay.md) and the page's "nothing was sent" ones.
    'RelayOriginNotAllowed', 'RelayHostNotAllowed', 'RelayActionNotAllowed', 'RelayUnauthorized', 'Throttling.Relay',
    'RelayTimeout', 'RelayUpstreamError', 'RelayBodyTooLarge', 'RelayBadRequest', 'RelayBusy', 'RelayPacerUnavailable',
    'NotConnected', 'ConnectionRefused', 'BlockedByCsp', 'ModuleMissing', 'Qrdl.LimitExceeded', 'Qrdl.NotExists',
  ]) assert.ok(codes.includes(code), `${code} has a hint`);
  assert.equal(new Set(codes).size, codes.length, 'no code twice');
});

/** Submits the create form and returns the alert's text once it shows `code`. */
async function createAndExpectAlert(page, code, { phone = '8613800001234', message = 'Error test' } = {}) {
  const form = page.locator('#create');
  await form.getByLabel('Phone number').fill(phone);
  await form.getByLabel('Prefilled message').fill(message);
  await form.getByRole('button', { name: 'Create QR code' }).click();
  const alert = form.locator(`[role="alert"][data-code="${code}"]`);
  await alert.waitFor({ timeout: 30_000 });
  return { alert, text: await alert.textContent() };
}

function assertHint(text, code, hint = HINT[code] ?? FALLBACK_HINT) {
  assert.ok(text.includes(code), `the alert names ${code}: ${text}`);
  assert.ok(text.includes(hint.sentence), `the alert explains ${code}: ${text}`);
  assert.ok(text.includes(hint.todo), `the alert says what to do for ${code}: ${text}`);
}

/**
 * A single create whose outcome is unknown: the alert says the code may exist and to look in
 * "My QR codes" first, and never to try again (which could make a second code).
 */
function assertUnknownOutcome(text, code) {
  assert.ok(text.includes(code), `the alert names ${code}: ${text}`);
  assert.ok(text.includes(HINT[code].sentence), `the alert explains ${code}: ${text}`);
  assert.ok(text.includes(UNKNOWN_OUTCOME.title), `the alert says the code may have been created: ${text}`);
  assert.ok(text.includes(UNKNOWN_OUTCOME.todo), `the alert sends the person to "My QR codes": ${text}`);
  assert.match(text, /My QR codes/);
  assert.doesNotMatch(text, /try again/i);
  assert.ok(!text.includes(HINT[code].todo), `the row's own advice is not shown: ${text}`);
}

test('errors from the emulator for real: wrong secret, unknown key, clock off by an hour (corrected, or not without Date)', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, { allow: [HTTP_4XX_5XX] });
  try {
    await pageReady(page);
    const cams = new URL('cams', env.relay.url).href;

    // The access-key panel warns, and the emulator's demo key is labelled as such.
    await page.locator('#connect summary').click();
    await page.locator('#connect').getByRole('radio', { name: 'Access key' }).check();
    assert.match(await page.locator('#connect .warning').textContent(), /Long-term AccessKeys belong on servers/);
    await page.locator('#connect').getByRole('button', { name: 'Fill in the emulator\'s demo key' }).click();
    assert.equal(await page.locator('#connect').getByLabel('AccessKey ID').inputValue(), DEMO_KEY.id);
    await screenshot(page, 'connect-access-key', { fullPage: false });
    await page.locator('#connect summary').click();

    await connectWithKey(page, { id: DEMO_KEY.id, secret: 'not-the-secret', endpoint: cams });
    // Never in storage or the URL.
    assert.equal(await page.evaluate(() => localStorage.length + sessionStorage.length), 0);
    assert.ok(!page.url().includes('secret'));
    let { text } = await createAndExpectAlert(page, 'SignatureDoesNotMatch');
    assertHint(text, 'SignatureDoesNotMatch');
    await screenshot(page, 'error-signature');

    await connectWithKey(page, { id: 'no-such-key-id', secret: 'whatever', endpoint: cams });
    ({ text } = await createAndExpectAlert(page, 'InvalidAccessKeyId.NotFound'));
    assertHint(text, 'InvalidAccessKeyId.NotFound');

    // The emulator's clock an hour ahead: the request's timestamp is out of its window. The client
    // reads the gateway's time from the reply's Date header, corrects its clock and retries once.
    const clock = `${env.relay.emulator}/__emulator/clock`;
    const json = { 'content-type': 'application/json' };
    const set = await fetch(clock, { method: 'POST', headers: json, body: JSON.stringify({ offsetSeconds: 3600 }) });
    assert.equal(set.status, 200, await set.text());
    try {
      await connectWithKey(page, { id: DEMO_KEY.id, secret: DEMO_KEY.secret, endpoint: cams });
      await page.locator('#create').getByRole('button', { name: 'Create QR code' }).click();
      await page.locator('#create article.result').waitFor();
      assert.equal(await page.locator('#create [role="alert"]:not([hidden])').count(), 0);
      // Without a Date header (a proxy that drops it) there is nothing to correct from.
      await page.route('**/cams', async (route) => {
        const response = await route.fetch();
        const headers = { ...response.headers() };
        delete headers.date;
        await route.fulfill({ response, headers });
      });
      await connectWithKey(page, { id: DEMO_KEY.id, secret: DEMO_KEY.secret, endpoint: cams });
      ({ text } = await createAndExpectAlert(page, 'InvalidTimeStamp.Expired'));
      assertHint(text, 'InvalidTimeStamp.Expired');
      await page.unroute('**/cams');
    } finally {
      await fetch(clock, { method: 'POST', headers: json, body: JSON.stringify({ offsetSeconds: 0 }) });
    }

    // With the right key it works.
    await page.locator('#create').getByRole('button', { name: 'Create QR code' }).click();
    await page.locator('#create article.result').waitFor();
    assert.equal(await page.locator('#create [role="alert"]:not([hidden])').count(), 0);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('client errors: unreachable endpoint, a reply that is not JSON, no reply in time, no relay', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, { allow: [REFUSED, HTTP_4XX_5XX] });
  try {
    await pageReady(page);
    const nowhere = await closedUrl();
    await connectWithKey(page, { id: DEMO_KEY.id, secret: DEMO_KEY.secret, endpoint: nowhere });
    // Nothing listens there: the page checks again, finds the connection refused, and says that
    // nothing was sent (never that the code may have been created).
    let { alert, text } = await createAndExpectAlert(page, 'ConnectionRefused');
    assertHint(text, 'ConnectionRefused');
    assert.doesNotMatch(text, /may have been created|may have happened|may still have/);
    assert.equal(await alert.getAttribute('data-outcome'), null);
    assert.equal(await page.evaluate(() => document.activeElement.dataset.code), 'ConnectionRefused', 'focus is on the advice');
    // The same failure while listing is an ordinary NetworkError with the row's advice.
    const manage = page.locator('#manage');
    await manage.getByLabel('Phone number').fill('8613800001234');
    await manage.getByRole('button', { name: 'Show my QR codes' }).click();
    const listAlert = manage.locator('[role="alert"][data-code="NetworkError"]');
    await listAlert.waitFor();
    assertHint(await listAlert.textContent(), 'NetworkError');
    assert.equal(await listAlert.getAttribute('data-outcome'), null);

    // A proxy answering with an HTML page.
    const cams = new URL('cams', env.relay.url).href;
    await connectWithKey(page, { id: DEMO_KEY.id, secret: DEMO_KEY.secret, endpoint: cams });
    await page.route('**/cams', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><h1>Welcome to nginx</h1>' }));
    ({ text } = await createAndExpectAlert(page, 'InvalidResponse'));
    assertHint(text, 'InvalidResponse');
    await page.unroute('**/cams');

    // A proxy's HTML 502: the relay or the proxy is failing, not the endpoint setting.
    await page.route('**/cams', (route) => route.fulfill({ status: 502, contentType: 'text/html', body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>' }));
    ({ text } = await createAndExpectAlert(page, 'InvalidResponse'));
    assertHint(text, 'InvalidResponse', HINT['InvalidResponse (HTTP 5xx)']);
    assert.match(text, /relay, or a proxy in front of it/);
    assert.doesNotMatch(text, /Check the endpoint/);
    await page.unroute('**/cams');

    // An endpoint that never answers: the client gives up after its timeout (10 s by default).
    await page.route('**/cams', () => {});
    ({ text } = await createAndExpectAlert(page, 'Timeout'));
    assertUnknownOutcome(text, 'Timeout');
    await page.unrouteAll({ behavior: 'ignoreErrors' });

    // A relay URL where no relay runs: Connect asks its /sts first, and says it cannot connect.
    const panel = page.locator('#connect');
    await panel.locator('summary').click();
    await panel.getByRole('radio', { name: 'Relay (recommended)' }).check();
    await panel.getByLabel('Relay URL').fill(nowhere);
    await panel.getByRole('button', { name: 'Connect' }).click();
    const connectAlert = panel.locator('[role="alert"][data-code="CredentialsError"]');
    await connectAlert.waitFor();
    assertHint(await connectAlert.textContent(), 'CredentialsError');
    assert.match(await connectAlert.textContent(), /Could not connect/);
    assert.equal(await panel.evaluate((d) => d.open), true, 'still open: not connected');
    assert.doesNotMatch(await panel.locator('.conn-summary').textContent(), new RegExp(new URL(nowhere).host));
    await screenshot(page, 'error-credentials');

    // The connection form checks its own fields.
    await panel.getByLabel('Relay URL').fill('relay.example.com');
    await panel.getByRole('button', { name: 'Connect' }).click();
    assert.match(await panel.locator('#conn-relay-url-error').textContent(), /http:\/\/ or https:\/\//);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

/** Service and gateway codes, answered by a stand-in for the service as the real one answers. */
const SERVICE_ERRORS = [
  ['Product.Unsubscript', 'You have not subscribed to the specified product.'],
  ['Ram.PermissionDeny', 'You are not authorized to perform the operation.'],
  ['System.LimitControl', 'The system is under flow control.'],
  ['Unknown.ResourceOwnerId', 'The resource does not belong to the current user.'],
  ['SignatureNonceUsed', 'Specified signature nonce was used already.'],
  ['InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.'],
  ['MissingParameter', 'The input parameter "PhoneNumber" that is mandatory for processing this request is not supplied.'],
  ['Throttling.User', 'Request was denied due to user flow control.'],
  // Retried by the client (throttling, 5xx) before they reach the alert.
  ['Throttling', 'Request was denied due to flow control.'],
  ['ServiceUnavailable', 'The request has failed due to a temporary failure of the server.', 503],
  ['InternalError', 'The request processing has failed due to some unknown error.', 500],
];

test('service and gateway codes each show their hint; unknown codes show the server\'s message as text', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, { allow: [HTTP_4XX_5XX] });
  try {
    await pageReady(page);
    let reply = null;
    let thrown;
    await page.route('**/cams', (route) =>
      route.fulfill({ status: reply.status ?? 400, contentType: 'application/json', body: JSON.stringify(reply.body) }),
    );
    for (const [code, message, status] of SERVICE_ERRORS) {
      reply = {
        status,
        body: {
          RequestId: `REQ-${code}`,
          HostId: 'cams.ap-southeast-1.aliyuncs.com',
          Code: code,
          Message: message,
          Recommend: `https://api.alibabacloud.com/troubleshoot?q=${code}&product=cams`,
          ...(code === 'Ram.PermissionDeny' ? { AccessDeniedDetail: '{"NoPermissionType":"ImplicitDeny","AuthAction":"cams:CreatePhoneMessageQrdl"}' } : {}),
        },
      };
      const { alert, text } = await createAndExpectAlert(page, code);
      // The same request twice: the first copy may have created the code.
      if (code === 'SignatureNonceUsed') assertUnknownOutcome(text, code);
      else assertHint(text, code);
      assert.ok(text.includes(`REQ-${code}`), 'the request ID is shown');
      assert.equal(await alert.locator('a[href^="https://api.alibabacloud.com/troubleshoot"]').count(), 1, 'the Recommend link');
      if (code === 'Ram.PermissionDeny') {
        assert.match(text, /Action to grant: cams:CreatePhoneMessageQrdl/);
        assert.match(text, /ImplicitDeny/);
        await alert.locator('summary').click();
        await screenshot(page, 'error-ram-permission');
      }
    }

    // A Throttling.* code without a row of its own gets the Throttling row.
    reply = { body: { RequestId: 'REQ-T', Code: 'Throttling.Api', Message: 'Request was denied due to api flow control.' } };
    ({ text: thrown } = await createAndExpectAlert(page, 'Throttling.Api'));
    assertHint(thrown, 'Throttling.Api', HINT.Throttling);

    // An unknown code: the server's own message, as text, and a Recommend link only when http(s).
    reply = {
      status: 403,
      body: { RequestId: 'REQ-X', Code: 'Forbidden.Something', Message: 'Nope <img src=x id=injected> & more', Recommend: 'javascript:alert(1)' },
    };
    const { alert, text } = await createAndExpectAlert(page, 'Forbidden.Something');
    assertHint(text, 'Forbidden.Something');
    assert.ok(text.includes('Nope <img src=x id=injected> & more'));
    assert.equal(await page.locator('#injected').count(), 0, 'remote text never becomes markup');
    assert.equal(await alert.locator('a[href^="javascript"]').count(), 0);

    // In "My QR codes" the RAM hint names the list action.
    reply = { body: { RequestId: 'REQ-L', Code: 'Ram.PermissionDeny', Message: 'You are not authorized to perform the operation.' } };
    const manage = page.locator('#manage');
    await manage.getByLabel('Phone number').fill('8613800001234');
    await manage.getByRole('button', { name: 'Show my QR codes' }).click();
    const listAlert = manage.locator('[role="alert"][data-code="Ram.PermissionDeny"]');
    await listAlert.waitFor();
    assert.match(await listAlert.textContent(), /Action to grant: cams:ListPhoneMessageQrdl/);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('a single create whose reply was lost says the code may exist and to look in "My QR codes", not to try again', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, { allow: [LOST_REPLY_CONSOLE] });
  const emulator = env.relay.emulator;
  const stats = () => emulatorStats(emulator);
  try {
    await pageReady(page);
    const phone = '8613800004321';
    const message = 'Lost reply, single create';
    // The emulator creates the code, then closes the connection without a reply.
    await setFaults(emulator, { dropRate: 1, failFirst: 1, actions: ['CreatePhoneMessageQrdl'] });
    const createdBefore = (await stats()).created ?? 0;
    const form = page.locator('#create');
    await form.getByLabel('Phone number').fill(phone);
    await form.getByLabel('Prefilled message').fill(message);
    await form.getByRole('button', { name: 'Create QR code' }).click();
    const alert = form.locator('[role="alert"][data-outcome="unknown"]');
    await alert.waitFor({ timeout: 30_000 });
    await setFaults(emulator, null);
    const code = await alert.getAttribute('data-code');
    assert.ok(['RelayUpstreamError', 'SignatureNonceUsed'].includes(code), code);
    assertUnknownOutcome(await alert.textContent(), code);
    assert.equal(await form.locator('article.result').count(), 0, 'no result card');
    assert.equal((await stats()).created - createdBefore, 1, 'the create happened, and was not sent again');
    await screenshot(page, 'error-unknown-outcome');

    // Where the alert sends the person, the code is.
    const manage = page.locator('#manage');
    await manage.getByLabel('Phone number').fill(phone);
    await manage.getByRole('button', { name: 'Show my QR codes' }).click();
    await manage.locator('td.cell-message', { hasText: message }).waitFor();
    assert.equal(await manage.locator('tbody tr').count(), 1);
    assertNoConsoleErrors();
  } finally {
    await setFaults(emulator, null).catch(() => {});
    await context.close();
  }
});

test('a failed create marks the last card as previous and focuses the advice; numbers with 00 or a trunk 0 get a confirmable hint', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, { allow: [HTTP_4XX_5XX] });
  try {
    await pageReady(page);
    const form = page.locator('#create');
    // 00 prefix: a hint first, nothing sent; the same number again is taken as typed.
    await form.getByLabel('Phone number').fill('008613800001234');
    await form.getByLabel('Prefilled message').fill('First');
    await form.getByRole('button', { name: 'Create QR code' }).click();
    const hint = form.locator('#create-phone-error');
    await hint.waitFor();
    assert.match(await hint.textContent(), /starts with 00.*8613800001234/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'create-phone');
    assert.equal(await form.locator('article.result').count(), 0, 'nothing sent yet');
    // A trunk 0: its own hint.
    await form.getByLabel('Phone number').fill('07700900123');
    await form.getByRole('button', { name: 'Create QR code' }).click();
    await form.locator('#create-phone-error', { hasText: 'starts with 0,' }).waitFor();
    assert.match(await hint.textContent(), /start with the country code/);
    // A normal number goes straight through.
    const card = await createViaFormNoHint(page, '8613800001234', 'First');
    const firstCode = (await card.locator('.qrdl-code').textContent()).trim();

    // The next create fails: the card says it is the previous one, and focus is on the alert.
    await page.route('**/cams', (route) => route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ RequestId: 'R-1', Code: 'Product.Unsubscript', Message: 'You have not subscribed to the specified product.' }) }));
    const { alert } = await createAndExpectAlert(page, 'Product.Unsubscript', { message: 'Second' });
    const old = form.locator('article.result');
    assert.equal(await old.getAttribute('data-previous'), 'true');
    assert.equal((await old.getByRole('heading').textContent()).trim(), 'Your previous QR code');
    assert.match(await old.locator('.previous-note').textContent(), /last create failed/);
    assert.equal((await old.locator('.qrdl-code').textContent()).trim(), firstCode);
    assert.equal(await page.evaluate(() => document.activeElement.dataset.code), 'Product.Unsubscript');
    assert.equal(await alert.getAttribute('tabindex'), '-1');
    await screenshot(page, 'error-previous-card');
    await page.unroute('**/cams');
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

/** Creates through the form with a number that needs no hint, and waits for the card. */
async function createViaFormNoHint(page, phone, message) {
  const form = page.locator('#create');
  await form.getByLabel('Phone number').fill(phone);
  await form.getByLabel('Prefilled message').fill(message);
  await form.getByRole('button', { name: 'Create QR code' }).click();
  const card = form.locator('article.result');
  await card.waitFor();
  return card;
}

test('a page whose module was not built explains the build step, and says nothing was sent', async () => {
  const { page, context } = await openPage(env.browser, env.relay.url);
  try {
    await page.route('**/pkg/cams_qrdl.js', (route) => route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' }));
    await page.reload();
    const alert = page.locator('#app-alert[data-code="ModuleMissing"]');
    await alert.waitFor();
    const text = await alert.textContent();
    assertHint(text, 'ModuleMissing');
    assert.match(text, /bash scripts\/build-wasm\.sh/);
    assert.match(text, /make run/);
    assert.doesNotMatch(text, /may have been created/);
  } finally {
    await context.close();
  }
});
