// "My QR codes": a number's codes (up to WhatsApp's 2,000), searched, sorted and shown a page at a
// time; a message edited after a confirmation (an update makes a new code, as Alibaba documents);
// codes deleted one by one or many at once with one confirmation and a progress bar.

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
import { httpUrl } from './errors.js';
import { renderResult } from './create.js';
import { forget, remember, replaced, seen } from './seen.js';

/** Rows per page: a page renders in a few milliseconds, whatever the number's count. */
export const PAGE_SIZE = 50;

/** The orders offered, by the <select>'s value. */
export const SORTS = {
  newest: 'Newest first',
  oldest: 'Oldest first',
  message: 'Message (A to Z)',
  code: 'Code (A to Z)',
};

/** What the edit confirmation and the editor say: Alibaba's documented effect of an update. */
export const UPDATE_WARNING = 'Saving gives this QR code a new code and link. Printed copies of this code will stop working: people who scan them will no longer reach your chat. Replace every printed copy with the new one.';

const normalizePhone = (v) => String(v).replace(/[+\s\-()]/g, '');

/** A creation time the service gave, if any (the documented List reply has none). */
function serviceTime(q) {
  const raw = q.createTime ?? q.gmtCreate ?? q.createdAt;
  if (raw === undefined || raw === null || raw === '') return null;
  const t = typeof raw === 'number' ? raw : Date.parse(String(raw));
  return Number.isFinite(t) ? t : null;
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/**
 * Mounts the section's content into `root`.
 * opts: { getClient(), announce(msg) }
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
  alert.tabIndex = -1;
  const usage = h('div', { class: 'usage', hidden: true });

  // Search, sort, selection and paging: shown once a number's codes are listed.
  const search = h('input', { type: 'search', id: 'manage-search', spellcheck: 'false', autocomplete: 'off', placeholder: 'Message, code or label' });
  const sortSel = h('select', { id: 'manage-sort' }, Object.entries(SORTS).map(([v, t]) => h('option', { value: v, text: t })));
  const matchText = h('p', { class: 'match-text', id: 'manage-match', 'aria-live': 'polite' });
  const selText = h('span', { class: 'selection-text', id: 'manage-selection' });
  const selectAllBtn = h('button', { type: 'button', class: 'link-button select-all', hidden: true });
  const clearSelBtn = h('button', { type: 'button', class: 'link-button clear-selection', text: 'Clear selection', hidden: true });
  const bulkDeleteBtn = h('button', { type: 'button', class: 'danger small delete-selected', text: 'Delete selected', disabled: true, 'aria-describedby': 'manage-selection' });
  const bulkProgress = h('progress', { id: 'manage-bulk-progress', max: '1', value: '0' });
  const bulkText = h('span', { class: 'progress-text', id: 'manage-bulk-text' });
  bulkProgress.setAttribute('aria-describedby', 'manage-bulk-text');
  const bulkStop = h('button', { type: 'button', class: 'secondary small bulk-stop', text: 'Stop' });
  const bulkRow = h('div', { class: 'progress-row bulk-progress', hidden: true }, h('label', { for: 'manage-bulk-progress', text: 'Deleting' }), bulkProgress, bulkText, bulkStop);
  const tools = h(
    'div',
    { class: 'manage-tools', hidden: true },
    h('div', { class: 'field-row' },
      h('div', { class: 'field' }, h('label', { for: 'manage-search', text: 'Search' }), search),
      h('div', { class: 'field' }, h('label', { for: 'manage-sort', text: 'Sort' }), sortSel),
    ),
    matchText,
    h('div', { class: 'selection-bar', role: 'group', 'aria-label': 'Selected QR codes' }, selText, selectAllBtn, clearSelBtn, bulkDeleteBtn),
    bulkRow,
  );
  const resultSlot = h('div', { class: 'manage-result' });
  const tableWrap = h('div', { class: 'table-wrap' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages of QR codes', hidden: true });
  const dialog = buildDialog();
  root.append(form, alert, usage, tools, resultSlot, tableWrap, pager, dialog.el);

  /**
   * The listed number and its codes, in the service's order (`idx`), each with what this
   * browser remembers about it (`seen`).
   * @type {{ phoneNumber: string, custSpaceId?: string, rows: {q: any, idx: number, seen: any, hay: string}[], timed: boolean } | null}
   */
  let current = null;
  /** The rows the search and sort leave, in order. */
  let visible = [];
  let page = 0;
  const selected = new Set();
  let bulkStopper = null;

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

  function entry(q, idx) {
    const code = String(q.qrdlCode ?? '');
    const s = seen(code);
    const hay = `${q.prefilledMessage ?? ''}\n${code}\n${s?.l ?? ''}`.toLowerCase().replace(/[^\S\n]+/g, ' ');
    return { q, idx, seen: s, hay };
  }

  async function load(phoneNumber, custSpaceId, { keepView = false } = {}) {
    showBtn.disabled = true;
    tableWrap.setAttribute('aria-busy', 'true');
    announce('Loading your QR codes…');
    try {
      const client = opts.getClient();
      const req = { phoneNumber };
      if (custSpaceId) req.custSpaceId = custSpaceId;
      const res = await client.listQrdls(req);
      performance.mark('manage-listed');
      const list = Array.from(res.data ?? []);
      remember(list.map((q) => String(q.qrdlCode ?? '')));
      const samePhone = current && current.phoneNumber === normalizePhone(phoneNumber) && current.custSpaceId === custSpaceId;
      current = { phoneNumber: normalizePhone(phoneNumber), custSpaceId, rows: list.map(entry), timed: list.some((q) => serviceTime(q) !== null) };
      if (!(keepView && samePhone)) {
        search.value = '';
        page = 0;
        selected.clear();
        replace(resultSlot);
      } else {
        const codes = new Set(list.map((q) => String(q.qrdlCode)));
        for (const c of selected) if (!codes.has(c)) selected.delete(c);
      }
      render();
      // Style and layout included: the table is ready to paint.
      void tableWrap.offsetHeight;
      performance.measure('manage-render', 'manage-listed');
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

  /** When a row was created (from the service) or first seen here, in milliseconds. */
  const timeOf = (r) => serviceTime(r.q) ?? r.seen?.t ?? 0;

  /** Applies the search and the sort to the rows. */
  function computeVisible() {
    // The query as typed (spaces collapsed), found anywhere in the message, the code or the label.
    const q = search.value.trim().toLowerCase().replace(/\s+/g, ' ');
    const rows = q ? current.rows.filter((r) => r.hay.includes(q)) : current.rows.slice();
    const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
    const by = {
      newest: (a, b) => timeOf(b) - timeOf(a) || b.idx - a.idx,
      oldest: (a, b) => timeOf(a) - timeOf(b) || a.idx - b.idx,
      message: (a, b) => collator.compare(String(a.q.prefilledMessage ?? ''), String(b.q.prefilledMessage ?? '')) || a.idx - b.idx,
      code: (a, b) => collator.compare(String(a.q.qrdlCode ?? ''), String(b.q.qrdlCode ?? '')),
    }[sortSel.value] ?? (() => 0);
    visible = rows.sort(by);
    const pages = Math.max(1, Math.ceil(visible.length / PAGE_SIZE));
    page = Math.min(page, pages - 1);
  }

  /** The whole section from `current`: usage, tools, table and pager. */
  function render() {
    renderUsage();
    if (current.rows.length === 0) {
      tools.hidden = true;
      pager.hidden = true;
      replace(tableWrap, h('p', { class: 'empty', text: 'No QR codes for this number yet. Create one above.' }));
      return;
    }
    tools.hidden = false;
    computeVisible();
    renderPage();
  }

  function renderPage() {
    const n = visible.length;
    const total = current.rows.length;
    const first = page * PAGE_SIZE;
    const shown = visible.slice(first, first + PAGE_SIZE);
    matchText.textContent = search.value.trim()
      ? `${fmt(n)} of ${fmt(total)} QR codes match “${search.value.trim()}”.`
      : `${fmt(total)} ${total === 1 ? 'QR code' : 'QR codes'}.`;
    renderSelection();
    if (!n) {
      replace(tableWrap, h('p', { class: 'empty', text: 'No QR code matches this search.' }));
      pager.hidden = true;
      return;
    }
    const timeHead = current.timed ? 'Created' : 'First seen';
    const all = h('input', { type: 'checkbox', class: 'select-page', 'aria-label': 'Select every QR code on this page' });
    all.checked = shown.every((r) => selected.has(String(r.q.qrdlCode)));
    all.addEventListener('change', () => {
      for (const r of shown) {
        const c = String(r.q.qrdlCode);
        if (all.checked) selected.add(c);
        else selected.delete(c);
      }
      for (const box of tableWrap.querySelectorAll('input.select-row')) box.checked = all.checked;
      renderSelection();
    });
    const tbody = h('tbody', {}, shown.map((r) => row(r)));
    replace(
      tableWrap,
      h(
        'table',
        { class: 'qr-table manage-table' },
        h('caption', { class: 'visually-hidden', text: `QR codes for +${current.phoneNumber}, ${first + 1} to ${first + shown.length} of ${n}` }),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'cell-select' }, all), ['Message', 'Code', 'Link', 'Format', timeHead, 'Actions'].map((t) => h('th', { scope: 'col', text: t })))),
        tbody,
      ),
    );
    renderPager();
  }

  function renderPager() {
    const pages = Math.ceil(visible.length / PAGE_SIZE);
    pager.hidden = pages <= 1;
    if (pages <= 1) {
      pager.replaceChildren();
      return;
    }
    const first = page * PAGE_SIZE + 1;
    const last = Math.min(visible.length, (page + 1) * PAGE_SIZE);
    const go = (p, focusSel) => {
      page = p;
      renderPage();
      pager.querySelector(focusSel)?.focus();
      announce(`Page ${page + 1} of ${pages}: QR codes ${fmt(page * PAGE_SIZE + 1)} to ${fmt(Math.min(visible.length, (page + 1) * PAGE_SIZE))}.`);
    };
    const prev = h('button', { type: 'button', class: 'secondary small prev', text: 'Previous page', disabled: page === 0 });
    const next = h('button', { type: 'button', class: 'secondary small next', text: 'Next page', disabled: page >= pages - 1 });
    prev.addEventListener('click', () => go(page - 1, page - 1 === 0 ? 'button.next' : 'button.prev'));
    next.addEventListener('click', () => go(page + 1, page + 1 >= pages - 1 ? 'button.prev' : 'button.next'));
    replace(pager, prev, h('span', { class: 'pager-text', text: `${fmt(first)}–${fmt(last)} of ${fmt(visible.length)} · page ${page + 1} of ${pages}` }), next);
  }

  function renderSelection() {
    const n = selected.size;
    selText.textContent = n ? `${fmt(n)} selected` : 'None selected';
    bulkDeleteBtn.disabled = n === 0 || Boolean(bulkStopper);
    bulkDeleteBtn.textContent = n ? `Delete ${fmt(n)} selected` : 'Delete selected';
    clearSelBtn.hidden = n === 0;
    const unselected = visible.filter((r) => !selected.has(String(r.q.qrdlCode))).length;
    selectAllBtn.hidden = visible.length <= 1 || unselected === 0;
    selectAllBtn.textContent = search.value.trim() ? `Select all ${fmt(visible.length)} matching` : `Select all ${fmt(visible.length)}`;
  }

  /**
   * One table row for a code: select box, message, code, link, format, time, actions. Every
   * cell of a row is made here (one place to add a column).
   */
  function row(r) {
    const q = r.q;
    const code = String(q.qrdlCode ?? '');
    const box = h('input', { type: 'checkbox', class: 'select-row', 'aria-label': `Select ${code}` });
    box.checked = selected.has(code);
    box.addEventListener('change', () => {
      if (box.checked) selected.add(code);
      else selected.delete(code);
      renderSelection();
    });
    const label = r.seen?.l;
    const msgCell = h('td', { class: 'cell-message', 'data-label': 'Message' }, h('span', { class: 'message-text', text: String(q.prefilledMessage ?? '') }), label ? h('span', { class: 'row-label', text: label }) : null);
    const t = serviceTime(q) ?? r.seen?.t;
    const editBtn = h('button', { type: 'button', class: 'secondary small edit', text: 'Edit message', 'aria-label': `Edit message of ${code}` });
    const delBtn = h('button', { type: 'button', class: 'danger small delete', text: 'Delete', 'aria-label': `Delete ${code}` });
    const tr = h(
      'tr',
      { dataset: { code } },
      h('td', { class: 'cell-select', 'data-label': 'Select' }, box),
      msgCell,
      h('td', { 'data-label': 'Code' }, h('code', { text: code })),
      h('td', { 'data-label': 'Link', class: 'cell-link' }, link(q.deepLinkUrl, httpUrl(q.deepLinkUrl) ? 'Open link' : String(q.deepLinkUrl ?? ''), { 'aria-label': `Open the link of ${code}`, title: String(q.deepLinkUrl ?? '') })),
      h('td', { 'data-label': 'Format', class: 'cell-format', text: String(q.generateQrImage ?? '') }),
      h('td', { 'data-label': current.timed ? 'Created' : 'First seen', class: 'cell-time' }, t ? h('time', { datetime: new Date(t).toISOString(), text: dateFormat.format(t) }) : ''),
      h('td', { 'data-label': 'Actions', class: 'cell-actions' }, editBtn, delBtn),
    );
    editBtn.addEventListener('click', () => startEdit(r, tr, msgCell, editBtn));
    delBtn.addEventListener('click', () => confirmDelete(r, tr, delBtn));
    return tr;
  }

  search.addEventListener('input', () => {
    page = 0;
    computeVisible();
    renderPage();
  });
  sortSel.addEventListener('change', () => {
    page = 0;
    computeVisible();
    renderPage();
    announce(`Sorted: ${SORTS[sortSel.value]}.`);
  });
  selectAllBtn.addEventListener('click', () => {
    for (const r of visible) selected.add(String(r.q.qrdlCode));
    for (const box of tableWrap.querySelectorAll('input.select-row, input.select-page')) box.checked = true;
    renderSelection();
    announce(`${fmt(selected.size)} QR codes selected.`);
    bulkDeleteBtn.focus();
  });
  clearSelBtn.addEventListener('click', () => {
    selected.clear();
    for (const box of tableWrap.querySelectorAll('input.select-row, input.select-page')) box.checked = false;
    renderSelection();
    announce('Selection cleared.');
    search.focus();
  });
  bulkDeleteBtn.addEventListener('click', () => bulkDelete());

  function startEdit(r, tr, cell, editBtn) {
    if (cell.querySelector('form')) return;
    const q = r.q;
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
    editAlert.tabIndex = -1;
    const form = h(
      'form',
      { class: 'edit-form', novalidate: true },
      h('label', { for: id, text: `New message for ${code}` }),
      ta,
      counter.el,
      err,
      h('p', { class: 'help warning-text', id: `${id}-note`, text: UPDATE_WARNING }),
      h('div', { class: 'actions' }, save, cancel),
      editAlert,
    );
    const original = Array.from(cell.childNodes);
    replace(cell, form);
    editBtn.disabled = true;
    ta.focus();
    const finish = () => {
      replace(cell, original);
      editBtn.disabled = false;
      editBtn.focus();
    };
    cancel.addEventListener('click', finish);
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !dialog.el.open) {
        e.preventDefault();
        finish();
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
      const ok = await dialog.ask({
        title: `Change the message of ${code}?`,
        text: `${UPDATE_WARNING} The chat will open with “${ta.value}”.`,
        confirm: 'Save and make a new code',
      });
      if (!ok) {
        save.focus();
        return;
      }
      save.disabled = true;
      save.textContent = 'Saving…';
      try {
        const req = { phoneNumber: current.phoneNumber, qrdlCode: code, prefilledMessage: ta.value, generateQrImage: String(q.generateQrImage || 'PNG').toUpperCase() === 'SVG' ? 'SVG' : 'PNG' };
        if (current.custSpaceId) req.custSpaceId = current.custSpaceId;
        const res = await opts.getClient().updateQrdl(req);
        const updated = res.data && res.data.qrdlCode ? res.data : { ...q, prefilledMessage: ta.value };
        updatedCode(r, tr, updated, code);
      } catch (error) {
        save.disabled = false;
        save.textContent = 'Save';
        showError(editAlert, error, { title: 'Could not update the message', operation: 'update' });
        editAlert.focus();
      }
    });
  }

  /** After an update: the row shows the new code, and a card above the table its downloads. */
  function updatedCode(r, tr, updated, oldCode) {
    const newCode = String(updated.qrdlCode);
    if (newCode !== oldCode) replaced(oldCode, newCode);
    if (selected.delete(oldCode)) selected.add(newCode);
    const fresh = entry(updated, r.idx);
    Object.assign(r, fresh);
    const tr2 = row(r);
    tr.replaceWith(tr2);
    const changed = newCode !== oldCode;
    const note = changed
      ? `The message changed and the service gave it a new code, ${newCode}. The old code ${oldCode} and its link no longer work: print and share this one instead.`
      : `The message of ${newCode} changed.`;
    const close = h('button', { type: 'button', class: 'secondary small close-result', text: 'Close' });
    const card = renderResult(updated, { announce, idPrefix: 'manage-result', headingLevel: 'h3' });
    card.querySelector('h3').textContent = changed ? 'Your new QR code' : 'Your QR code';
    replace(resultSlot, h('div', { class: 'updated-note', role: 'note' }, h('p', { class: 'new-code-note', text: note }), close), card);
    close.addEventListener('click', () => {
      replace(resultSlot);
      (tr2.isConnected ? tr2.querySelector('button.edit') : search)?.focus();
    });
    announce(changed ? `Message updated. New code ${newCode}; the old code ${oldCode} no longer works.` : `Message of ${newCode} updated.`);
    card.querySelector('h3')?.focus();
  }

  function requestFor(code) {
    const req = { phoneNumber: current.phoneNumber, qrdlCode: code };
    if (current.custSpaceId) req.custSpaceId = current.custSpaceId;
    return req;
  }

  /** Takes deleted codes out of the rows, the selection and the remembered dates. */
  function dropCodes(codes) {
    const gone = new Set(codes);
    current.rows = current.rows.filter((x) => !gone.has(String(x.q.qrdlCode)));
    for (const c of codes) selected.delete(c);
    forget(codes);
    const shown = resultSlot.querySelector('article.result')?.dataset.code;
    if (shown && gone.has(shown)) replace(resultSlot);
  }

  async function confirmDelete(r, tr, delBtn) {
    const code = String(r.q.qrdlCode);
    const ok = await dialog.ask({
      title: `Delete QR code ${code}?`,
      text: `People who scan a printed copy of it will no longer reach the chat that opens with “${String(r.q.prefilledMessage ?? '')}”. This cannot be undone.`,
      confirm: 'Delete QR code',
      danger: true,
    });
    if (!ok) {
      delBtn.focus();
      return;
    }
    clearError(alert);
    delBtn.disabled = true;
    try {
      await opts.getClient().deleteQrdl(requestFor(code));
      const nextRow = tr.nextElementSibling ?? tr.previousElementSibling;
      const nextCode = nextRow?.getAttribute('data-code');
      dropCodes([code]);
      render();
      announce(`QR code ${code} deleted.`);
      const target = nextCode ? tableWrap.querySelector(`tr[data-code="${CSS.escape(nextCode)}"] button.delete`) : null;
      (target ?? (current.rows.length ? search : phone.control)).focus();
    } catch (err) {
      delBtn.disabled = false;
      showError(alert, err, { title: `Could not delete ${code}`, operation: 'delete' });
      alert.focus();
    }
  }

  /** Deletes the selected codes with one confirmation, through the client's deleteQrdls. */
  async function bulkDelete() {
    const codes = current.rows.map((r) => String(r.q.qrdlCode)).filter((c) => selected.has(c));
    if (!codes.length) return;
    const n = codes.length;
    const ok = await dialog.ask({
      title: `Delete ${fmt(n)} ${n === 1 ? 'QR code' : 'QR codes'}?`,
      text: `People who scan printed copies of ${n === 1 ? 'it' : 'them'} will no longer reach your chat. This cannot be undone. They are deleted at the service's limit of 5 a second (about ${fmt(Math.ceil(n / 5))} s).`,
      confirm: `Delete ${fmt(n)} ${n === 1 ? 'QR code' : 'QR codes'}`,
      danger: true,
    });
    if (!ok) {
      bulkDeleteBtn.focus();
      return;
    }
    clearError(alert);
    bulkStopper = new AbortController();
    bulkRow.hidden = false;
    bulkStop.disabled = false;
    bulkProgress.max = n;
    bulkProgress.value = 0;
    bulkProgress.removeAttribute('data-outcome');
    bulkText.textContent = `0 of ${fmt(n)} deleted.`;
    renderSelection();
    tableWrap.setAttribute('aria-busy', 'true');
    bulkStop.focus();
    announce(`Deleting ${fmt(n)} QR codes…`);
    const deleted = [];
    const failed = [];
    let stopped = 0;
    try {
      await opts.getClient().deleteQrdls(codes.map(requestFor), {
        signal: bulkStopper.signal,
        onProgress: (done, total, index, result) => {
          if (result.ok) deleted.push(codes[index]);
          else if (result.error?.code === 'Aborted') stopped += 1;
          else failed.push({ code: codes[index], error: result.error });
          bulkProgress.value = done;
          bulkText.textContent = `${fmt(deleted.length)} of ${fmt(total)} deleted${failed.length ? `, ${fmt(failed.length)} failed` : ''}${stopped ? `, ${fmt(stopped)} not sent (stopped)` : ''}.`;
        },
      });
    } catch (err) {
      showError(alert, err, { title: 'Could not delete the selected QR codes', operation: 'delete' });
    }
    bulkStopper = null;
    bulkStop.disabled = true;
    tableWrap.removeAttribute('aria-busy');
    dropCodes(deleted);
    const notSent = n - deleted.length - failed.length;
    bulkProgress.dataset.outcome = failed.length === 0 && notSent === 0 ? 'ok' : deleted.length ? 'partial' : 'failed';
    bulkText.textContent = `${fmt(deleted.length)} of ${fmt(n)} deleted${failed.length ? `, ${fmt(failed.length)} failed` : ''}${notSent > 0 ? `, ${fmt(notSent)} not sent (stopped)` : ''}.`;
    render();
    if (failed.length) {
      showError(alert, failed[0].error, { title: `${fmt(failed.length)} of ${fmt(n)} QR codes could not be deleted (they stay selected)`, operation: 'delete' });
      alert.focus();
    } else {
      (current.rows.length ? search : phone.control).focus();
    }
    announce(bulkText.textContent);
  }
  bulkStop.addEventListener('click', () => {
    bulkStopper?.abort();
    bulkStop.disabled = true;
    announce('Stopping after the deletions already sent…');
  });

  return {
    setPhone(v) {
      if (!phone.control.value) phone.control.value = v;
    },
    /** Reloads the table when it shows this number (after a create elsewhere on the page). */
    refreshIfShowing(phoneNumber) {
      if (current && current.phoneNumber === normalizePhone(phoneNumber) && !bulkStopper) load(current.phoneNumber, current.custSpaceId, { keepView: true });
    },
  };
}

/** A modal confirmation: ask({title, text, confirm, danger}) resolves true on the confirm button. */
function buildDialog() {
  const title = h('h3', { id: 'manage-dialog-title' });
  const text = h('p', { id: 'manage-dialog-text' });
  const cancel = h('button', { type: 'button', class: 'secondary', text: 'Cancel', value: 'cancel' });
  const confirm = h('button', { type: 'button', class: 'danger', value: 'confirm', text: 'Confirm' });
  const el = h('dialog', { class: 'confirm', 'aria-labelledby': 'manage-dialog-title', 'aria-describedby': 'manage-dialog-text' }, title, text, h('div', { class: 'actions' }, cancel, confirm));
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
    /** @param {{ title: string, text: string, confirm: string, danger?: boolean }} spec */
    ask(spec) {
      title.textContent = spec.title;
      text.textContent = spec.text;
      confirm.textContent = spec.confirm;
      confirm.className = spec.danger ? 'danger' : 'primary';
      el.showModal();
      cancel.focus();
      return new Promise((r) => {
        resolve = r;
      });
    },
  };
}
