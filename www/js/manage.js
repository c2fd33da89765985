// "My QR codes": list a number's codes, edit a message, delete after a confirmation.

import {
  MAX_CODES_PER_NUMBER,
  alertRegion,
  clearError,
  field,
  fmt,
  h,
  link,
  messageCounter,
  replace,
  setFieldError,
  showError,
} from './dom.js';
import { validate } from './validate.js';

/**
 * Mounts the section's content into `root`.
 * opts: { getClient(), announce(msg), defaultPhone() }
 */
export function mountManage(root, opts) {
  const announce = opts.announce ?? (() => {});
  const phone = field({
    id: 'manage-phone',
    label: 'Phone number',
    control: h('input', { type: 'tel', inputmode: 'tel', autocomplete: 'tel', spellcheck: 'false', placeholder: '8613800001234' }),
  });
  const space = field({ id: 'manage-space', label: 'Space ID (optional)', control: h('input', { type: 'text', spellcheck: 'false', autocomplete: 'off' }) });
  const showBtn = h('button', { type: 'submit', class: 'primary', text: 'Show my QR codes' });
  const form = h('form', { class: 'list-form', novalidate: true, 'aria-label': 'Find QR codes' }, h('div', { class: 'field-row' }, phone.wrap, space.wrap), h('div', { class: 'actions' }, showBtn));
  const alert = alertRegion();
  const usage = h('div', { class: 'usage', hidden: true });
  const tableWrap = h('div', { class: 'table-wrap' });
  const dialog = buildDialog();
  root.append(form, alert, usage, tableWrap, dialog.el);

  let current = null; // { phoneNumber, custSpaceId, rows: Qrdl[] }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearError(alert);
    const raw = phone.control.value.trim();
    const bad = validate.phoneNumber(raw);
    phone.setError(bad);
    if (bad) {
      phone.control.focus();
      return;
    }
    await load(raw, space.control.value.trim() || undefined);
  });

  async function load(phoneNumber, custSpaceId) {
    showBtn.disabled = true;
    tableWrap.setAttribute('aria-busy', 'true');
    announce('Loading your QR codes…');
    try {
      const client = opts.getClient();
      const req = { phoneNumber };
      if (custSpaceId) req.custSpaceId = custSpaceId;
      const res = await client.listQrdls(req);
      current = { phoneNumber: phoneNumber.replace(/[+\s\-()]/g, ''), custSpaceId, rows: Array.from(res.data ?? []) };
      render();
      announce(`${current.rows.length === 1 ? '1 QR code' : `${fmt(current.rows.length)} QR codes`} for this number.`);
    } catch (err) {
      showError(alert, err, { title: 'Could not list the QR codes', operation: 'list' });
    } finally {
      showBtn.disabled = false;
      tableWrap.removeAttribute('aria-busy');
    }
  }

  function renderUsage() {
    const n = current.rows.length;
    const meterId = 'manage-usage-meter';
    replace(
      usage,
      h('label', { for: meterId, class: 'usage-label' }, h('strong', { class: 'usage-count', text: `${fmt(n)} of ${fmt(MAX_CODES_PER_NUMBER)}` }), ` QR codes used for +${current.phoneNumber}`),
      h('meter', { id: meterId, min: '0', max: String(MAX_CODES_PER_NUMBER), low: String(MAX_CODES_PER_NUMBER * 0.8), high: String(MAX_CODES_PER_NUMBER * 0.95), optimum: '0', value: String(n) }),
      h('p', { class: 'help', text: `WhatsApp allows at most ${fmt(MAX_CODES_PER_NUMBER)} message QR codes per number; delete ones you no longer use to make room.` }),
    );
    usage.hidden = false;
  }

  function render() {
    renderUsage();
    if (current.rows.length === 0) {
      replace(tableWrap, h('p', { class: 'empty', text: 'No QR codes for this number yet. Create one above.' }));
      return;
    }
    const tbody = h('tbody', {}, current.rows.map((q) => row(q)));
    replace(
      tableWrap,
      h(
        'table',
        { class: 'qr-table' },
        h('caption', { class: 'visually-hidden', text: `QR codes for +${current.phoneNumber}` }),
        h('thead', {}, h('tr', {}, ['Message', 'Code', 'Link', 'Format', 'Actions'].map((t) => h('th', { scope: 'col', text: t })))),
        tbody,
      ),
    );
  }

  function row(q) {
    const code = String(q.qrdlCode ?? '');
    const msgCell = h('td', { class: 'cell-message', 'data-label': 'Message', text: String(q.prefilledMessage ?? '') });
    const editBtn = h('button', { type: 'button', class: 'secondary small edit', text: 'Edit message', 'aria-label': `Edit message of ${code}` });
    const delBtn = h('button', { type: 'button', class: 'danger small delete', text: 'Delete', 'aria-label': `Delete ${code}` });
    const tr = h(
      'tr',
      { dataset: { code } },
      msgCell,
      h('td', { 'data-label': 'Code' }, h('code', { text: code })),
      h('td', { 'data-label': 'Link', class: 'cell-link' }, link(q.deepLinkUrl, String(q.deepLinkUrl ?? ''))),
      h('td', { 'data-label': 'Format', text: String(q.generateQrImage ?? '') }),
      h('td', { 'data-label': 'Actions', class: 'cell-actions' }, editBtn, delBtn),
    );
    editBtn.addEventListener('click', () => startEdit(q, tr, msgCell, editBtn));
    delBtn.addEventListener('click', () => confirmDelete(q, tr, delBtn));
    return tr;
  }

  function startEdit(q, tr, cell, editBtn) {
    if (cell.querySelector('form')) return;
    const code = String(q.qrdlCode);
    const id = `edit-${code.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const ta = h('textarea', { id, rows: '3' });
    ta.value = String(q.prefilledMessage ?? '');
    const err = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
    ta.setAttribute('aria-describedby', `${id}-note ${id}-error`);
    const counter = messageCounter(ta, `${id}-count`);
    const save = h('button', { type: 'submit', class: 'primary small', text: 'Save' });
    const cancel = h('button', { type: 'button', class: 'secondary small', text: 'Cancel' });
    const editAlert = alertRegion();
    const form = h(
      'form',
      { class: 'edit-form', novalidate: true },
      h('label', { for: id, text: `New message for ${code}` }),
      ta,
      counter.el,
      err,
      h('p', { class: 'help', id: `${id}-note`, text: 'The code and the link stay the same, so printed posters and stickers keep working; only the message the chat opens with changes.' }),
      h('div', { class: 'actions' }, save, cancel),
      editAlert,
    );
    const original = cell.textContent;
    replace(cell, form);
    editBtn.disabled = true;
    ta.focus();
    const finish = (text) => {
      replace(cell, text);
      editBtn.disabled = false;
      editBtn.focus();
    };
    cancel.addEventListener('click', () => finish(original));
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        finish(original);
      }
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearError(editAlert);
      const bad = validate.prefilledMessage(ta.value);
      setFieldError(ta, err, bad);
      if (bad) {
        ta.focus();
        return;
      }
      save.disabled = true;
      save.textContent = 'Saving…';
      try {
        const req = { phoneNumber: current.phoneNumber, qrdlCode: code, prefilledMessage: ta.value, generateQrImage: String(q.generateQrImage || 'PNG').toUpperCase() === 'SVG' ? 'SVG' : 'PNG' };
        if (current.custSpaceId) req.custSpaceId = current.custSpaceId;
        const res = await opts.getClient().updateQrdl(req);
        const updated = res.data && res.data.qrdlCode ? res.data : { ...q, prefilledMessage: ta.value };
        Object.assign(q, updated);
        finish(String(q.prefilledMessage ?? ta.value));
        announce(`Message of ${code} updated. Its code and link are unchanged, so printed copies keep working.`);
      } catch (error) {
        save.disabled = false;
        save.textContent = 'Save';
        showError(editAlert, error, { title: 'Could not update the message', operation: 'update' });
      }
    });
  }

  async function confirmDelete(q, tr, delBtn) {
    const code = String(q.qrdlCode);
    const ok = await dialog.ask(code, String(q.prefilledMessage ?? ''));
    if (!ok) {
      delBtn.focus();
      return;
    }
    clearError(alert);
    delBtn.disabled = true;
    try {
      const req = { phoneNumber: current.phoneNumber, qrdlCode: code };
      if (current.custSpaceId) req.custSpaceId = current.custSpaceId;
      await opts.getClient().deleteQrdl(req);
      const i = current.rows.indexOf(q);
      if (i >= 0) current.rows.splice(i, 1);
      const next = tr.nextElementSibling ?? tr.previousElementSibling;
      tr.remove();
      renderUsage();
      if (current.rows.length === 0) render();
      announce(`QR code ${code} deleted.`);
      (next?.querySelector('button.delete') ?? phone.control).focus();
    } catch (err) {
      delBtn.disabled = false;
      showError(alert, err, { title: `Could not delete ${code}`, operation: 'delete' });
    }
  }

  return {
    setPhone(v) {
      if (!phone.control.value) phone.control.value = v;
    },
    /** Reloads the table when it shows this number (after a create elsewhere on the page). */
    refreshIfShowing(phoneNumber) {
      if (current && current.phoneNumber === String(phoneNumber).replace(/[+\s\-()]/g, '')) load(current.phoneNumber, current.custSpaceId);
    },
  };
}

/** A modal confirmation: ask(code, message) resolves true on "Delete QR code". */
function buildDialog() {
  const title = h('h3', { id: 'delete-dialog-title' });
  const text = h('p', { id: 'delete-dialog-text' });
  const cancel = h('button', { type: 'button', class: 'secondary', text: 'Cancel', value: 'cancel' });
  const confirm = h('button', { type: 'button', class: 'danger', text: 'Delete QR code', value: 'delete' });
  const el = h('dialog', { class: 'confirm', 'aria-labelledby': 'delete-dialog-title', 'aria-describedby': 'delete-dialog-text' }, title, text, h('div', { class: 'actions' }, cancel, confirm));
  let resolve = null;
  const done = (v) => {
    if (el.open) el.close();
    resolve?.(v);
    resolve = null;
  };
  cancel.addEventListener('click', () => done(false));
  confirm.addEventListener('click', () => done(true));
  el.addEventListener('cancel', () => done(false));
  el.addEventListener('close', () => done(false));
  return {
    el,
    ask(code, message) {
      title.textContent = `Delete QR code ${code}?`;
      text.textContent = `People who scan a printed copy of it will no longer reach the chat that opens with “${message}”. This cannot be undone.`;
      el.showModal();
      cancel.focus();
      return new Promise((r) => {
        resolve = r;
      });
    },
  };
}
