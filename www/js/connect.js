// The "Connection" settings panel: Relay (default) or Access key with a region or endpoint.
// The AccessKey lives in this module's memory only: never in storage, cookies or the URL.

import { buildClient, checkRelay, describeSettings, effectiveEndpoint, pageError, relayAt } from './client.js';
import { alertRegion, clearError, field, h, showError } from './dom.js';
import { msg, setText, t } from './i18n.js';

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

  const summaryText = h('span', { class: 'conn-summary', text: msg('connect.notConnected') });
  const summary = h('summary', {}, h('span', { class: 'summary-label', text: msg('page.nav.connect') }), summaryText);

  const modeRelay = h('input', { type: 'radio', name: 'conn-mode', value: 'relay', id: 'conn-mode-relay', checked: true });
  const modeKey = h('input', { type: 'radio', name: 'conn-mode', value: 'key', id: 'conn-mode-key' });
  const modes = h(
    'fieldset',
    { class: 'segmented' },
    h('legend', { text: msg('connect.through') }),
    h('div', { class: 'segmented-options' }, h('label', { class: 'seg', for: 'conn-mode-relay' }, modeRelay, h('span', { text: msg('connect.modeRelay') })), h('label', { class: 'seg', for: 'conn-mode-key' }, modeKey, h('span', { text: msg('connect.modeKey') }))),
  );

  const relayUrl = field({
    id: 'conn-relay-url',
    label: msg('connect.relayUrl'),
    control: h('input', { type: 'url', inputmode: 'url', autocomplete: 'url', spellcheck: 'false', placeholder: 'https://relay.example.com/' }),
    help: msg('connect.relayUrlHelp'),
  });
  relayUrl.control.value = relay ? relay.base : '';
  const relayBox = h('div', { class: 'mode-box', dataset: { mode: 'relay' } }, relayUrl.wrap);

  const keyId = field({ id: 'conn-key-id', label: msg('connect.keyId'), control: h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' }) });
  const keySecret = field({
    id: 'conn-key-secret',
    label: msg('connect.keySecret'),
    control: h('input', { type: 'password', autocomplete: 'off', spellcheck: 'false' }),
    help: msg('connect.keySecretHelp'),
  });
  const demoButton =
    relay && relay.mode === 'emulate'
      ? h('button', {
          type: 'button',
          class: 'secondary',
          text: msg('connect.demoButton'),
          onclick: () => {
            const demo = relay.demoKey ?? DEMO_KEY;
            keyId.control.value = demo.id;
            keySecret.control.value = demo.secret;
            if (!endpoint.control.value) endpoint.control.value = relay.camsUrl;
            announce(t('connect.demoFilled'));
          },
        })
      : null;
  const keyBox = h(
    'div',
    { class: 'mode-box', dataset: { mode: 'key' }, hidden: true },
    h(
      'div',
      { class: 'warning', role: 'note' },
      h('strong', { text: msg('connect.warningStrong') }),
      msg('connect.warning'),
    ),
    h('div', { class: 'field-row' }, keyId.wrap, keySecret.wrap),
    demoButton ? h('p', { class: 'demo-key' }, demoButton, ' ', h('span', { class: 'help', text: msg('connect.demoHelp') })) : null,
  );

  // Region and endpoint matter only with an access key: through a relay, calls go to the relay's
  // /cams and the relay alone decides which CAMS endpoint they reach (its --cams-endpoint).
  const region = field({
    id: 'conn-region',
    label: msg('connect.region'),
    control: h('input', { type: 'text', list: 'conn-region-list', spellcheck: 'false', autocomplete: 'off', placeholder: DEFAULT_REGION }),
    help: relay ? msg('connect.regionHelpRelay', { url: relay.camsUrl }) : msg('connect.regionHelp', { region: DEFAULT_REGION }),
  });
  const regionList = h('datalist', { id: 'conn-region-list' }, h('option', { value: 'ap-southeast-1', text: msg('connect.singapore') }));
  const endpoint = field({
    id: 'conn-endpoint',
    label: msg('connect.endpoint'),
    control: h('input', { type: 'url', inputmode: 'url', spellcheck: 'false', autocomplete: 'off' }),
    help: msg('connect.endpointHelp'),
  });
  if (relay) endpoint.control.placeholder = relay.camsUrl;
  const whereBox = h('div', { class: 'field-row where-fields', dataset: { mode: 'key' }, hidden: true }, region.wrap, endpoint.wrap);
  const relayWhere = h('p', { class: 'help relay-where', id: 'conn-relay-where', text: msg('connect.relayWhere') });
  relayBox.append(relayWhere);

  const alert = alertRegion();
  const submit = h('button', { type: 'submit', class: 'primary', text: msg('connect.submit') });
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
    setText(summaryText, describeSettings(settings, emu ? conn.relay : null));
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
      endpoint.setError(msg('connect.endpointBad'));
      endpoint.control.focus();
      return;
    }
    if (mode() === 'key' && !ep && regionId && !/^[a-z0-9-]+$/.test(regionId)) {
      region.setError(msg('connect.regionBad'));
      region.control.focus();
      return;
    }
    submit.disabled = true;
    try {
      if (mode() === 'relay') {
        const raw = relayUrl.control.value.trim();
        if (!/^https?:\/\//i.test(raw)) {
          relayUrl.setError(msg('connect.relayBad'));
          relayUrl.control.focus();
          return;
        }
        await connectRelay(raw);
      } else {
        const id = keyId.control.value.trim();
        const secret = keySecret.control.value;
        let bad = false;
        if (!id) {
          keyId.setError(msg('connect.keyIdMissing'));
          bad = true;
        }
        if (!secret) {
          keySecret.setError(msg('connect.keySecretMissing'));
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
        announce(t('connect.connectedKey'));
      }
      root.open = false;
    } catch (err) {
      showError(alert, err, { title: msg('connect.failed') });
    } finally {
      submit.disabled = false;
    }
  });

  /** Connects through the relay at `raw` once its relay.json (same origin) and /sts answer. */
  async function connectRelay(raw) {
    setText(summaryText, msg('connect.checking'));
    const info = await relayAt(raw);
    try {
      await checkRelay(info);
    } catch (err) {
      setText(summaryText, conn.settings ? describeSettings(conn.settings, conn.emulated ? conn.relay : null) : msg('connect.notConnected'));
      throw err;
    }
    setClient({ mode: 'relay', stsUrl: info.stsUrl, camsUrl: info.camsUrl }, info);
    rememberRelayUrl(raw);
    announce(t(info.mode === 'emulate' ? 'connect.connectedEmulator' : 'connect.connectedRelay', { url: info.base }));
  }

  // Served by cams-relay: connect through it straight away.
  if (relay) {
    setClient({ mode: 'relay', stsUrl: relay.stsUrl, camsUrl: relay.camsUrl }, relay);
    root.open = false;
  } else {
    root.open = true;
    setText(summaryText, msg('connect.notConnectedHint'));
    // The relay this browser connected to last time: check it again and connect.
    const remembered = rememberedRelayUrl();
    if (remembered && /^https?:\/\//i.test(remembered)) {
      relayUrl.control.value = remembered;
      connectRelay(remembered).then(
        () => {
          root.open = false;
        },
        (err) => showError(alert, err, { title: msg('connect.failedRemembered') }),
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
      blockedOrigins.has(target.origin) ? pageError('BlockedByCsp', t('connect.cspBlocked', { origin: target.origin })) : null;
    await tick();
    if (blocked()) return blocked();
    try {
      await fetch(target.href, { mode: 'no-cors', cache: 'no-store', credentials: 'omit' });
      return null;
    } catch {
      await tick();
      return blocked() ?? pageError('ConnectionRefused', t('connect.refused', { origin: target.origin }));
    }
  };

  conn.requireClient = () => {
    if (!conn.client) {
      root.open = true;
      throw pageError('NotConnected', t('connect.first'));
    }
    return conn.client;
  };
  return conn;
}
