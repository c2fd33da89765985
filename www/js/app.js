// The standalone page: connection, create, "My QR codes" and batch.

import { discoverRelay, loadModule, loadQrModule } from './client.js';
import { mountConnection } from './connect.js';
import { mountCreate } from './create.js';
import { mountManage } from './manage.js';
import { mountBatch } from './batch.js';
import { showError } from './dom.js';
import { remember } from './seen.js';

const $ = (sel) => document.querySelector(sel);

/** Polite announcements for screen readers (and a visible status line). */
function announce(msg) {
  const el = $('#status');
  el.textContent = '';
  // A fresh text node after a tick makes repeated messages be read again.
  setTimeout(() => {
    el.textContent = msg;
  }, 30);
}

async function main() {
  let mod;
  try {
    mod = await loadModule();
  } catch (err) {
    showError($('#app-alert'), Object.assign(new Error(`The QR module could not be loaded (${err?.message ?? err}).`), { name: 'CamsError', code: 'ModuleMissing' }), { title: 'This page cannot start' });
    document.body.classList.add('failed');
    return;
  }

  const relay = await discoverRelay(new URL('./', location.href).href);
  const conn = mountConnection($('#connect'), { mod, relay, announce });
  const updateBadge = () => {
    const badge = $('#env-badge');
    badge.hidden = !conn.emulated;
  };
  conn.addEventListener('change', updateBadge);
  updateBadge();

  const getClient = () => conn.requireClient();
  const manage = mountManage($('#manage-body'), { getClient, announce });
  // A relay that paces the account's calls means batches through it never compete.
  const relayPaces = () => Boolean(conn.settings?.mode === 'relay' && conn.relay?.pacesAccount);
  const batch = mountBatch($('#batch-body'), { getClient, announce, relayPaces });
  mountCreate($('#create-body'), {
    getClient,
    announce,
    refineError: (err) => conn.refineError(err),
    idPrefix: 'create',
    // The result's heading under the section's h1.
    headingLevel: () => 'h2',
    onPhoneChange: (v) => {
      manage.setPhone(v);
      batch.setPhone(v);
    },
    onCreated: (qrdl) => {
      remember([String(qrdl.qrdlCode ?? '')]);
      manage.setPhone(qrdl.phoneNumber);
      batch.setPhone(qrdl.phoneNumber);
      manage.refreshIfShowing(qrdl.phoneNumber);
    },
  });
  document.body.classList.add('ready');
  document.body.dataset.ready = 'true';
  // This page draws codes for downloads: fetch the QR module now, off the critical path (a failure
  // is retried when a code is drawn).
  setTimeout(() => loadQrModule().catch(() => {}), 0);
}

main().catch((err) => {
  const alert = $('#app-alert');
  if (alert) showError(alert, err, { title: 'This page cannot start' });
});
