// The "Connection" settings panel: Relay (default) or Access key with a region or endpoint.
// The AccessKey lives in this module's memory only: never in storage, cookies or the URL.

import { buildClient, checkRelay, describeSettings, effectiveEndpoint, pageError, relayAt } from './client.js';
import { alertRegion, clearError, field, h, showError } from './dom.js';

export const DEMO_KEY = { id: 'demo-access-key-id', secret: 'demo-access-key-secret' };
/** Where the page remembers the last relay it connected to (a URL, never a key). */
export const RELAY_URL_KEY = 'cams-qrdl:relay-url';

function rememberedRelayUrl() {
  try {
    return globalThis.localStorage?.getItem(RELAY_URL_KEY) ?? null;
  } catch {
    return null;
  }
}

function rememberRelayUrl(url) {
  try {
    globalThis.localStorage?.setItem(RELAY_URL_KEY, url);
  } catch {
    // Storage blocked: the URL is simply not remembered.
  }
}
export const DEFAULT_REGION = 'ap-southeast-1';

/**
 * Builds the panel into `root` (a <details>) and returns a Connection: an EventTarget with
 * `client` (a CamsClient or null), `settings`, `relay`, and a "change" event.
 */
/**
 * @typedef {EventTarget & {
 *   client: any, settings: any, relay: any, emulated?: boolean, requireClient: () => any,
 *   refineError: (err: any) => Promise<any>,
 * }} Connection
 */

/** @returns {Connection} */
export function mountConnection(root, { mod, relay, announce }) {
  const conn = /** @type {Connection} */ (new EventTarget());
  conn.client = null;
  conn.settings = null;
  conn.relay = relay;

  const summaryText = h('span', { class: 'conn-summary', text: 'Not connected' });
  const summary = h('summary', {}, h('span', { class: 'summary-label', text: 'Connection' }), summaryText);

  const modeRelay = h('input', { type: 'radio', name: 'conn-mode', value: 'relay', id: 'conn-mode-relay', checked: true });
  const modeKey = h('input', { type: 'radio', name: 'conn-mode', value: 'key', id: 'conn-mode-key' });
  const modes = h(
    'fieldset',
    { class: 'segmented' },
    h('legend', { text: 'Connect through' }),
    h('div', { class: 'segmented-options' }, h('label', { class: 'seg', for: 'conn-mode-relay' }, modeRelay, h('span', { text: 'Relay (recommended)' })), h('label', { class: 'seg', for: 'conn-mode-key' }, modeKey, h('span', { text: 'Access key' }))),
  );

  const relayUrl = field({
    id: 'conn-relay-url',
    label: 'Relay URL',
    control: h('input', { type: 'url', inputmode: 'url', autocomplete: 'url', spellcheck: 'false', placeholder: 'https://relay.example.com/' }),
    help: 'The address of a cams-relay. It hands this page temporary credentials (/sts) and passes calls on to Chat App Message Service (/cams); no long-term key reaches the browser.',
  });
  relayUrl.control.value = relay ? relay.base : '';
  const relayBox = h('div', { class: 'mode-box', dataset: { mode: 'relay' } }, relayUrl.wrap);

  const keyId = field({ id: 'conn-key-id', label: 'AccessKey ID', control: h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' }) });
  const keySecret = field({
    id: 'conn-key-secret',
    label: 'AccessKey secret',
    control: h('input', { type: 'password', autocomplete: 'off', spellcheck: 'false' }),
    help: 'Kept in this tab\'s memory only: never saved, never put in the address. Reloading the page forgets it.',
  });
  const demoButton =
    relay && relay.mode === 'emulate'
      ? h('button', {
          type: 'button',
          class: 'secondary',
          text: 'Fill in the emulator\'s demo key',
          onclick: () => {
            const demo = relay.demoKey ?? DEMO_KEY;
            keyId.control.value = demo.id;
            keySecret.control.value = demo.secret;
            if (!endpoint.control.value) endpoint.control.value = relay.camsUrl;
            announce('Filled in the emulator\'s demo key. It works only with this relay\'s built-in emulator.');
          },
        })
      : null;
  const keyBox = h(
    'div',
    { class: 'mode-box', dataset: { mode: 'key' }, hidden: true },
    h(
      'div',
      { class: 'warning', role: 'note' },
      h('strong', { text: 'Long-term AccessKeys belong on servers. ' }),
      'Anyone who can run script in this page can read a key typed here. Use a RAM user allowed only the four cams:*PhoneMessageQrdl actions, and prefer a relay, which gives the browser short-lived credentials instead.',
    ),
    h('div', { class: 'field-row' }, keyId.wrap, keySecret.wrap),
    demoButton ? h('p', { class: 'demo-key' }, demoButton, ' ', h('span', { class: 'help', text: 'The emulator\'s demo key works only against this relay\'s emulator, never against Alibaba Cloud.' })) : null,
  );

  // Region and endpoint matter only with an access key: through a relay, calls go to the relay's
  // /cams and the relay alone decides which CAMS endpoint they reach (its --cams-endpoint).
  const region = field({
    id: 'conn-region',
    label: 'Region (optional)',
    control: h('input', { type: 'text', list: 'conn-region-list', spellcheck: 'false', autocomplete: 'off', placeholder: DEFAULT_REGION }),
    help: relay
      ? `Used when the endpoint is empty: requests go to cams.<region>.aliyuncs.com. With both empty they go through this page's relay (${relay.camsUrl}).`
      : `Used when the endpoint is empty: requests go to cams.<region>.aliyuncs.com (${DEFAULT_REGION} when this is empty too).`,
  });
  const regionList = h('datalist', { id: 'conn-region-list' }, h('option', { value: 'ap-southeast-1', text: 'Singapore' }));
  const endpoint = field({
    id: 'conn-endpoint',
    label: 'Endpoint (optional)',
    control: h('input', { type: 'url', inputmode: 'url', spellcheck: 'false', autocomplete: 'off' }),
    help: 'Where signed calls go. Alibaba Cloud\'s endpoint does not answer browsers directly (no CORS), so point this at a relay\'s /cams or a same-origin proxy.',
  });
  if (relay) endpoint.control.placeholder = relay.camsUrl;
  const whereBox = h('div', { class: 'field-row where-fields', dataset: { mode: 'key' }, hidden: true }, region.wrap, endpoint.wrap);
  const relayWhere = h('p', { class: 'help relay-where', id: 'conn-relay-where', text: 'The relay decides which Chat App Message Service endpoint (and region) calls reach: this page sends them to the relay\'s /cams, and the relay forwards them to the endpoint it was started with.' });
  relayBox.append(relayWhere);

  const alert = alertRegion();
  const submit = h('button', { type: 'submit', class: 'primary', text: 'Connect' });
  const form = h(
    'form',
    { class: 'connect-form', novalidate: true },
    modes,
    relayBox,
    keyBox,
    whereBox,
    regionList,
    h('div', { class: 'actions' }, submit),
    alert,
  );
  root.replaceChildren(summary, h('div', { class: 'panel-body' }, form));

  const mode = () => (modeKey.checked ? 'key' : 'relay');
  const showMode = () => {
    relayBox.hidden = mode() !== 'relay';
    keyBox.hidden = mode() !== 'key';
    whereBox.hidden = mode() !== 'key';
  };
  modeRelay.addEventListener('change', showMode);
  modeKey.addEventListener('change', showMode);

  function setClient(settings, relayInfo) {
    conn.settings = settings;
    conn.relay = relayInfo ?? conn.relay;
    conn.client = buildClient(mod, settings);
    const emu = conn.relay && conn.relay.mode === 'emulate' && (settings.mode === 'relay' || effectiveEndpoint(settings) === conn.relay.camsUrl);
    conn.emulated = Boolean(emu);
    summaryText.textContent = describeSettings(settings, emu ? conn.relay : null);
    root.classList.add('connected');
    conn.dispatchEvent(new Event('change'));
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearError(alert);
    for (const f of [relayUrl, keyId, keySecret, endpoint, region]) f.setError(null);
    const regionId = region.control.value.trim();
    const ep = endpoint.control.value.trim();
    if (mode() === 'key' && ep && !/^https?:\/\//i.test(ep)) {
      endpoint.setError('The endpoint must be an http:// or https:// URL.');
      endpoint.control.focus();
      return;
    }
    if (mode() === 'key' && !ep && regionId && !/^[a-z0-9-]+$/.test(regionId)) {
      region.setError('A region ID looks like ap-southeast-1.');
      region.control.focus();
      return;
    }
    submit.disabled = true;
    try {
      if (mode() === 'relay') {
        const raw = relayUrl.control.value.trim();
        if (!/^https?:\/\//i.test(raw)) {
          relayUrl.setError('Enter the relay\'s http:// or https:// address.');
          relayUrl.control.focus();
          return;
        }
        await connectRelay(raw);
      } else {
        const id = keyId.control.value.trim();
        const secret = keySecret.control.value;
        let bad = false;
        if (!id) {
          keyId.setError('Enter the AccessKey ID.');
          bad = true;
        }
        if (!secret) {
          keySecret.setError('Enter the AccessKey secret.');
          bad = true;
        }
        if (bad) {
          (id ? keySecret : keyId).control.focus();
          return;
        }
        // An endpoint goes as typed; a region alone means cams.<region>.aliyuncs.com. With neither,
        // a page served by a relay goes through its /cams (Alibaba Cloud's endpoint does not
        // answer browsers).
        setClient({ mode: 'key', accessKeyId: id, accessKeySecret: secret, endpoint: ep || undefined, regionId: regionId || undefined, fallbackEndpoint: conn.relay?.camsUrl, relayCamsHost: conn.relay?.camsHost ?? undefined });
        announce('Connected with an access key. It is kept in this tab\'s memory only.');
      }
      root.open = false;
    } catch (err) {
      showError(alert, err, { title: 'Could not connect' });
    } finally {
      submit.disabled = false;
    }
  });

  /** Connects through the relay at `raw` once its relay.json (same origin) and /sts answer. */
  async function connectRelay(raw) {
    summaryText.textContent = 'Checking the relay…';
    const info = await relayAt(raw);
    try {
      await checkRelay(info);
    } catch (err) {
      summaryText.textContent = conn.settings ? describeSettings(conn.settings, conn.emulated ? conn.relay : null) : 'Not connected';
      throw err;
    }
    setClient({ mode: 'relay', stsUrl: info.stsUrl, camsUrl: info.camsUrl }, info);
    rememberRelayUrl(raw);
    announce(`Connected through the relay at ${info.base}${info.mode === 'emulate' ? ' (its built-in emulator)' : ''}.`);
  }

  // Served by cams-relay: connect through it straight away.
  if (relay) {
    setClient({ mode: 'relay', stsUrl: relay.stsUrl, camsUrl: relay.camsUrl }, relay);
    root.open = false;
  } else {
    root.open = true;
    summaryText.textContent = 'Not connected: enter a relay URL or an access key';
    // The relay this browser connected to last time: check it again and connect.
    const remembered = rememberedRelayUrl();
    if (remembered && /^https?:\/\//i.test(remembered)) {
      relayUrl.control.value = remembered;
      connectRelay(remembered).then(
        () => {
          root.open = false;
        },
        (err) => showError(alert, err, { title: 'Could not connect to the relay used last time' }),
      );
    }
  }

  /** Forgets the key (used by tests and by "Disconnect" if ever added). */
  // Origins whose requests this page's Content-Security-Policy blocked.
  const blockedOrigins = new Set();
  document.addEventListener('securitypolicyviolation', (e) => {
    try {
      blockedOrigins.add(new URL(e.blockedURI).origin);
    } catch {
      // Not a URL (inline, eval): not a request.
    }
  });
  const tick = () => new Promise((r) => setTimeout(r, 0));

  /**
   * A NetworkError says only that no answer came: the request may have reached the service. When
   * the page can tell that nothing was sent, it says so instead: the address refuses connections
   * (checked again now), or the page's CSP blocked it. Null when it cannot tell.
   */
  conn.refineError = async (err) => {
    if (!err || err.name !== 'CamsError' || err.code !== 'NetworkError' || err.httpStatus || !conn.settings) return null;
    let target;
    try {
      target = new URL(conn.settings.mode === 'relay' ? conn.settings.camsUrl : effectiveEndpoint(conn.settings));
    } catch {
      return null;
    }
    const blocked = () =>
      blockedOrigins.has(target.origin) ? pageError('BlockedByCsp', `This page's Content-Security-Policy does not allow requests to ${target.origin}; the request was never sent.`) : null;
    await tick();
    if (blocked()) return blocked();
    try {
      await fetch(target.href, { mode: 'no-cors', cache: 'no-store', credentials: 'omit' });
      return null;
    } catch {
      await tick();
      return blocked() ?? pageError('ConnectionRefused', `${target.origin} refused the connection (checked again just now), so the request never reached it.`);
    }
  };

  conn.requireClient = () => {
    if (!conn.client) {
      root.open = true;
      throw pageError('NotConnected', 'Connect first: open "Connection" and enter a relay URL or an access key.');
    }
    return conn.client;
  };
  return conn;
}
