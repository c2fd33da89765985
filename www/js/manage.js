// "My QR codes": a number's codes (up to WhatsApp's 2,000), searched, sorted and shown a page at a
// time; a message edited after a confirmation (an update makes a new code, as Alibaba documents);
// codes deleted one by one or many at once with one confirmation and a progress bar.

import {
  MAX_CODES_PER_NUMBER,
  alertRegion,
  clearError,
  copyText,
  field,
  h,
  link,
  messageCounter,
  replace,
  saveBlob,
  setFieldError,
  showError,
} from './dom.js';
import { loadQrModule } from './client.js';
import { pdfBlob, pngBlob, svgBlob } from './download.js';
import { fileStem } from './exports.js';
import { mountCustomise } from './customise.js';
import { validate } from './validate.js';
import { httpUrl } from './errors.js';
import { renderResult } from './create.js';
import { forget, remember, replaced, seen } from './seen.js';
import { langOf, msg, setText, translate } from './i18n.js';

/** A thumbnail's largest side in CSS pixels (each module a whole number of them). */
const THUMB_PX = 72;

/** Rows per page: a page renders in a few milliseconds, whatever the number's count. */
export const PAGE_SIZE = 50;

/** The orders offered, by the <select>'s value. */
export const SORTS = {
  newest: msg('manage.sort.newest'),
  oldest: msg('manage.sort.oldest'),
  message: msg('manage.sort.message'),
  code: msg('manage.sort.code'),
};

/** What the edit confirmation and the editor say: Alibaba's documented effect of an update. */
export const UPDATE_WARNING = msg('manage.updateWarning');

const normalizePhone = (v) => String(v).replace(/[+\s\-()]/g, '');

/** A creation time the service gave, if any (the documented List reply has none). */
function serviceTime(q) {
  const raw = q.createTime ?? q.gmtCreate ?? q.createdAt;
  if (raw === undefined || raw === null || raw === '') return null;
  const t = typeof raw === 'number' ? raw : Date.parse(String(raw));
  return Number.isFinite(t) ? t : null;
}


/**
 * Mounts the section's content into `root`.
 * opts: { getClient(), announce(msg) }
 */
export function mountManage(root, opts) {
  const announce = opts.announce ?? (() => {});
  /** A text in the section's language, for announcements. */
  const say = (key, vars = {}) => translate(langOf(root), key, vars);
  const phone = field({
    id: 'manage-phone',
    label: msg('common.phone'),
    control: h('input', { type: 'tel', inputmode: 'tel', autocomplete: 'tel', spellcheck: 'false', placeholder: '8613800001234' }),
  });
  const space = field({ id: 'manage-space', label: msg('common.space'), control: h('input', { type: 'text', spellcheck: 'false', autocomplete: 'off' }) });
  const showBtn = h('button', { type: 'submit', class: 'primary', text: msg('manage.show') });
  const form = h('form', { class: 'list-form', novalidate: true, 'aria-label': msg('manage.formLabel') }, h('div', { class: 'field-row' }, phone.wrap, space.wrap), h('div', { class: 'actions' }, showBtn));
  const alert = alertRegion();
  alert.tabIndex = -1;
  const usage = h('div', { class: 'usage', hidden: true });

  // Search, sort, selection and paging: shown once a number's codes are listed.
  const search = h('input', { type: 'search', id: 'manage-search', spellcheck: 'false', autocomplete: 'off', placeholder: msg('manage.searchPlaceholder') });
  const sortSel = h('select', { id: 'manage-sort' }, Object.entries(SORTS).map(([v, t]) => h('option', { value: v, text: t })));
  const matchText = h('p', { class: 'match-text', id: 'manage-match', 'aria-live': 'polite' });
  const selText = h('span', { class: 'selection-text', id: 'manage-selection' });
  const selectAllBtn = h('button', { type: 'button', class: 'link-button select-all', hidden: true });
  const clearSelBtn = h('button', { type: 'button', class: 'link-button clear-selection', text: msg('manage.clearSelection'), hidden: true });
  const bulkDeleteBtn = h('button', { type: 'button', class: 'danger small delete-selected', text: msg('manage.deleteSelected'), disabled: true, 'aria-describedby': 'manage-selection' });
  const bulkProgress = h('progress', { id: 'manage-bulk-progress', max: '1', value: '0' });
  const bulkText = h('span', { class: 'progress-text', id: 'manage-bulk-text' });
  bulkProgress.setAttribute('aria-describedby', 'manage-bulk-text');
  const bulkStop = h('button', { type: 'button', class: 'secondary small bulk-stop', text: msg('common.stop') });
  const bulkRow = h('div', { class: 'progress-row bulk-progress', hidden: true }, h('label', { for: 'manage-bulk-progress', text: msg('manage.deleting') }), bulkProgress, bulkText, bulkStop);
  // The print style of the rows' downloads (the page's one style, style.js); its preview draws the first row shown.
  const customise = mountCustomise({ idPrefix: 'manage-style', previewLink: () => (httpUrl(visible[0]?.q.deepLinkUrl) ? String(visible[0].q.deepLinkUrl) : '') });
  const tools = h(
    'div',
    { class: 'manage-tools', hidden: true },
    h('div', { class: 'field-row' },
      h('div', { class: 'field' }, h('label', { for: 'manage-search', text: msg('manage.search') }), search),
      h('div', { class: 'field' }, h('label', { for: 'manage-sort', text: msg('manage.sort') }), sortSel),
    ),
    customise.el,
    matchText,
    h('div', { class: 'selection-bar', role: 'group', 'aria-label': msg('manage.selectedGroup') }, selText, selectAllBtn, clearSelBtn, bulkDeleteBtn),
    bulkRow,
  );
  const resultSlot = h('div', { class: 'manage-result' });
  const tableWrap = h('div', { class: 'table-wrap' });
  const pager = h('nav', { class: 'pager', 'aria-label': msg('manage.pagesLabel'), hidden: true });
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
    announce(say('manage.loading'));
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
      announce(say('manage.countForNumber', { n: current.rows.length }));
    } catch (err) {
      showError(alert, err, { title: msg('manage.listFailed'), operation: 'list' });
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
      h('label', { for: meterId, class: 'usage-label' }, h('strong', { class: 'usage-count', text: msg('manage.usageCount', { n, max: MAX_CODES_PER_NUMBER }) }), msg('manage.usageFor', { phone: current.phoneNumber })),
      h('meter', { id: meterId, min: '0', max: String(MAX_CODES_PER_NUMBER), low: String(MAX_CODES_PER_NUMBER * 0.8), high: String(MAX_CODES_PER_NUMBER * 0.95), optimum: '0', value: String(n) }),
      h('p', { class: 'help', text: msg('manage.usageHelp', { max: MAX_CODES_PER_NUMBER }) }),
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
      replace(tableWrap, h('p', { class: 'empty', text: msg('manage.empty') }));
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
    setText(matchText, search.value.trim() ? msg('manage.matching', { n, total, query: search.value.trim() }) : msg('manage.total', { n: total }));
    renderSelection();
    if (!n) {
      replace(tableWrap, h('p', { class: 'empty', text: msg('manage.noMatch') }));
      pager.hidden = true;
      return;
    }
    const timeHead = msg(current.timed ? 'manage.created' : 'manage.firstSeen');
    const all = h('input', { type: 'checkbox', class: 'select-page', 'aria-label': msg('manage.selectPage') });
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
        h('caption', { class: 'visually-hidden', text: msg('manage.caption', { phone: current.phoneNumber, first: first + 1, last: first + shown.length, n }) }),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'cell-select' }, all), [msg('manage.col.qr'), msg('manage.col.message'), msg('manage.col.code'), msg('manage.col.link'), msg('manage.col.format'), timeHead, msg('manage.col.actions')].map((t) => h('th', { scope: 'col', text: t })))),
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
      announce(say('manage.pageAnnounce', { page: page + 1, pages, first: page * PAGE_SIZE + 1, last: Math.min(visible.length, (page + 1) * PAGE_SIZE) }));
    };
    const prev = h('button', { type: 'button', class: 'secondary small prev', text: msg('manage.prev'), disabled: page === 0 });
    const next = h('button', { type: 'button', class: 'secondary small next', text: msg('manage.next'), disabled: page >= pages - 1 });
    prev.addEventListener('click', () => go(page - 1, page - 1 === 0 ? 'button.next' : 'button.prev'));
    next.addEventListener('click', () => go(page + 1, page + 1 >= pages - 1 ? 'button.prev' : 'button.next'));
    replace(pager, prev, h('span', { class: 'pager-text', text: msg('manage.pagerText', { first, last, n: visible.length, page: page + 1, pages }) }), next);
  }

  function renderSelection() {
    const n = selected.size;
    setText(selText, n ? msg('manage.nSelected', { n }) : msg('manage.noneSelected'));
    bulkDeleteBtn.disabled = n === 0 || Boolean(bulkStopper);
    setText(bulkDeleteBtn, n ? msg('manage.deleteNSelected', { n }) : msg('manage.deleteSelected'));
    clearSelBtn.hidden = n === 0;
    const unselected = visible.filter((r) => !selected.has(String(r.q.qrdlCode))).length;
    selectAllBtn.hidden = visible.length <= 1 || unselected === 0;
    setText(selectAllBtn, msg(search.value.trim() ? 'manage.selectAllMatching' : 'manage.selectAll', { n: visible.length }));
  }

  /**
   * Thumbnails are drawn here from the deep link, only once a row's cell is on screen (the table
   * holds one page of 50 rows; the first render stays a few milliseconds). The SVG's modules are
   * a whole number of CSS pixels each, so it is crisp.
   */
  const thumbObserver = typeof IntersectionObserver === 'function'
    ? new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        thumbObserver.unobserve(e.target);
        void drawThumb(/** @type {HTMLElement} */ (e.target));
      }
    }, { rootMargin: '200px' })
    : null;

  async function drawThumb(slot) {
    try {
      const { renderQrSvg } = await loadQrModule();
      const svg = renderQrSvg(slot.dataset.link ?? '', {});
      const modules = Number(/viewBox="0 0 (\d+(?:\.\d+)?) /.exec(svg)?.[1]) || 41;
      const px = modules * Math.max(2, Math.floor(THUMB_PX / modules));
      const img = h('img', { class: 'qr-thumb-img', width: String(px), height: String(px), alt: msg('manage.thumbAlt', { code: slot.dataset.code ?? '' }), src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}` });
      slot.replaceWith(img);
    } catch {
      slot.replaceWith(h('span', { class: 'qr-thumb-none', text: '—' }));
    }
  }

  /** Saves one row's QR as `format`, named from its label (or its code). */
  async function saveRow(r, format, btn) {
    const link = String(r.q.deepLinkUrl ?? '');
    const code = String(r.q.qrdlCode ?? '');
    const file = `${fileStem(r.seen?.l, code, new Set())}.${format}`;
    clearError(alert);
    const style = await customise.forDownload();
    if (!style) {
      announce(translate(langOf(btn), 'style.invalid'));
      return;
    }
    try {
      const blob = format === 'svg' ? await svgBlob(link, style.options) : format === 'png' ? await pngBlob(link, style.sizePx, style.options) : await pdfBlob(link, style.sizeMm, style.options);
      saveBlob(blob, file);
      announce(translate(langOf(btn), 'result.downloading', { file }));
    } catch (err) {
      showError(alert, err, { title: msg(`result.${format}Failed`) });
    }
  }

  /**
   * One table row for a code: select box, message, code, link, format, time, actions. Every
   * cell of a row is made here (one place to add a column).
   */
  function row(r) {
    const q = r.q;
    const code = String(q.qrdlCode ?? '');
    const box = h('input', { type: 'checkbox', class: 'select-row', 'aria-label': msg('manage.selectRow', { code }) });
    box.checked = selected.has(code);
    box.addEventListener('change', () => {
      if (box.checked) selected.add(code);
      else selected.delete(code);
      renderSelection();
    });
    const label = r.seen?.l;
    const msgCell = h('td', { class: 'cell-message', 'data-label': msg('manage.col.message') }, h('span', { class: 'message-text', text: String(q.prefilledMessage ?? '') }), label ? h('span', { class: 'row-label', text: label }) : null);
    const t = serviceTime(q) ?? r.seen?.t;
    const deepLink = httpUrl(q.deepLinkUrl) ? String(q.deepLinkUrl) : '';
    const thumb = deepLink ? h('span', { class: 'qr-thumb', dataset: { link: deepLink, code } }) : h('span', { class: 'qr-thumb-none', text: '—' });
    const copyBtn = h('button', { type: 'button', class: 'link-button copy-link', text: msg('result.copy'), 'aria-label': msg('manage.copyLabel', { code }), disabled: !deepLink });
    copyBtn.addEventListener('click', async () => {
      const ok = await copyText(deepLink);
      announce(translate(langOf(copyBtn), ok ? 'result.announceCopied' : 'result.announceCopyFailed'));
    });
    const downloads = ['svg', 'png', 'pdf'].map((f) => {
      const b = h('button', { type: 'button', class: `secondary small download-${f}`, text: f.toUpperCase(), 'aria-label': msg(`manage.download.${f}`, { code }), disabled: !deepLink });
      b.addEventListener('click', () => saveRow(r, f, b));
      return b;
    });
    const editBtn = h('button', { type: 'button', class: 'secondary small edit', text: msg('manage.edit'), 'aria-label': msg('manage.editLabel', { code }) });
    const delBtn = h('button', { type: 'button', class: 'danger small delete', text: msg('manage.delete'), 'aria-label': msg('manage.deleteLabel', { code }) });
    const tr = h(
      'tr',
      { dataset: { code } },
      h('td', { class: 'cell-select', 'data-label': msg('manage.col.select') }, box),
      h('td', { class: 'cell-qr', 'data-label': msg('manage.col.qr') }, thumb),
      msgCell,
      h('td', { 'data-label': msg('manage.col.code') }, h('code', { text: code })),
      h('td', { 'data-label': msg('manage.col.link'), class: 'cell-link' }, link(q.deepLinkUrl, httpUrl(q.deepLinkUrl) ? msg('manage.openLink') : String(q.deepLinkUrl ?? ''), { 'aria-label': msg('manage.openLinkLabel', { code }), title: String(q.deepLinkUrl ?? '') }), ' ', copyBtn),
      h('td', { 'data-label': msg('manage.col.format'), class: 'cell-format', text: String(q.generateQrImage ?? '') }),
      h('td', { 'data-label': msg(current.timed ? 'manage.created' : 'manage.firstSeen'), class: 'cell-time' }, t ? h('time', { datetime: new Date(t).toISOString(), text: msg('manage.when', { date: new Date(t) }) }) : ''),
      h('td', { 'data-label': msg('manage.col.actions'), class: 'cell-actions' },
        h('span', { class: 'row-downloads', role: 'group', 'aria-label': msg('manage.downloadsLabel', { code }) }, downloads),
        h('span', { class: 'row-edit' }, editBtn, delBtn),
      ),
    );
    if (deepLink) thumbObserver?.observe(thumb);
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
    announce(say('manage.sorted', { order: SORTS[sortSel.value] }));
  });
  selectAllBtn.addEventListener('click', () => {
    for (const r of visible) selected.add(String(r.q.qrdlCode));
    for (const box of tableWrap.querySelectorAll('input.select-row, input.select-page')) box.checked = true;
    renderSelection();
    announce(say('manage.selectedAnnounce', { n: selected.size }));
    bulkDeleteBtn.focus();
  });
  clearSelBtn.addEventListener('click', () => {
    selected.clear();
    for (const box of tableWrap.querySelectorAll('input.select-row, input.select-page')) box.checked = false;
    renderSelection();
    announce(say('manage.selectionCleared'));
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
    const save = h('button', { type: 'submit', class: 'primary small', text: msg('manage.save') });
    const cancel = h('button', { type: 'button', class: 'secondary small', text: msg('common.cancel') });
    const editAlert = alertRegion();
    editAlert.tabIndex = -1;
    const form = h(
      'form',
      { class: 'edit-form', novalidate: true },
      h('label', { for: id, text: msg('manage.newMessageFor', { code }) }),
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
        title: msg('manage.confirmEditTitle', { code }),
        text: msg('manage.confirmEditText', { warning: UPDATE_WARNING, message: ta.value }),
        confirm: msg('manage.confirmEditButton'),
      });
      if (!ok) {
        save.focus();
        return;
      }
      save.disabled = true;
      setText(save, msg('manage.saving'));
      try {
        const req = { phoneNumber: current.phoneNumber, qrdlCode: code, prefilledMessage: ta.value, generateQrImage: String(q.generateQrImage || 'PNG').toUpperCase() === 'SVG' ? 'SVG' : 'PNG' };
        if (current.custSpaceId) req.custSpaceId = current.custSpaceId;
        const res = await opts.getClient().updateQrdl(req);
        const updated = res.data && res.data.qrdlCode ? res.data : { ...q, prefilledMessage: ta.value };
        updatedCode(r, tr, updated, code);
      } catch (error) {
        save.disabled = false;
        setText(save, msg('manage.save'));
        showError(editAlert, error, { title: msg('manage.updateFailed'), operation: 'update' });
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
    const note = changed ? msg('manage.newCodeNote', { code: newCode, old: oldCode }) : msg('manage.sameCodeNote', { code: newCode });
    const close = h('button', { type: 'button', class: 'secondary small close-result', text: msg('common.close') });
    const card = renderResult(updated, { announce, idPrefix: 'manage-result', headingLevel: 'h3' });
    setText(card.querySelector('h3'), msg(changed ? 'result.headingNew' : 'result.heading'));
    replace(resultSlot, h('div', { class: 'updated-note', role: 'note' }, h('p', { class: 'new-code-note', text: note }), close), card);
    close.addEventListener('click', () => {
      replace(resultSlot);
      (tr2.isConnected ? tr2.querySelector('button.edit') : search)?.focus();
    });
    announce(changed ? say('manage.updatedNew', { code: newCode, old: oldCode }) : say('manage.updatedSame', { code: newCode }));
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
      title: msg('manage.confirmDeleteTitle', { code }),
      text: msg('manage.confirmDeleteText', { message: String(r.q.prefilledMessage ?? '') }),
      confirm: msg('manage.confirmDeleteButton'),
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
      announce(say('manage.deleted', { code }));
      const target = nextCode ? tableWrap.querySelector(`tr[data-code="${CSS.escape(nextCode)}"] button.delete`) : null;
      (target ?? (current.rows.length ? search : phone.control)).focus();
    } catch (err) {
      delBtn.disabled = false;
      showError(alert, err, { title: msg('manage.deleteFailed', { code }), operation: 'delete' });
      alert.focus();
    }
  }

  /** Deletes the selected codes with one confirmation, through the client's deleteQrdls. */
  async function bulkDelete() {
    const codes = current.rows.map((r) => String(r.q.qrdlCode)).filter((c) => selected.has(c));
    if (!codes.length) return;
    const n = codes.length;
    const ok = await dialog.ask({
      title: msg('manage.confirmBulkTitle', { n }),
      text: msg('manage.confirmBulkText', { n, seconds: Math.ceil(n / 5) }),
      confirm: msg('manage.confirmBulkButton', { n }),
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
    setText(bulkText, bulkMsg(0, n, 0, 0));
    renderSelection();
    tableWrap.setAttribute('aria-busy', 'true');
    bulkStop.focus();
    announce(say('manage.bulkAnnounce', { n }));
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
          setText(bulkText, bulkMsg(deleted.length, total, failed.length, stopped));
        },
      });
    } catch (err) {
      showError(alert, err, { title: msg('manage.bulkFailed'), operation: 'delete' });
    }
    bulkStopper = null;
    bulkStop.disabled = true;
    tableWrap.removeAttribute('aria-busy');
    dropCodes(deleted);
    const notSent = n - deleted.length - failed.length;
    bulkProgress.dataset.outcome = failed.length === 0 && notSent === 0 ? 'ok' : deleted.length ? 'partial' : 'failed';
    setText(bulkText, bulkMsg(deleted.length, n, failed.length, Math.max(0, notSent)));
    render();
    if (failed.length) {
      showError(alert, failed[0].error, { title: msg('manage.bulkSomeFailed', { failed: failed.length, n }), operation: 'delete' });
      alert.focus();
    } else {
      (current.rows.length ? search : phone.control).focus();
    }
    announce(bulkText.textContent);
  }
  bulkStop.addEventListener('click', () => {
    bulkStopper?.abort();
    bulkStop.disabled = true;
    announce(say('manage.bulkStopping'));
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

/** The bulk deletion's progress line. */
function bulkMsg(done, n, failed, stopped) {
  const key = failed && stopped ? 'manage.bulkProgressFailedStopped' : failed ? 'manage.bulkProgressFailed' : stopped ? 'manage.bulkProgressStopped' : 'manage.bulkProgress';
  return msg(key, { done, n, failed, stopped });
}

/** @typedef {import('./i18n.js').Msg} Msg */

/** A modal confirmation: ask({title, text, confirm, danger}) resolves true on the confirm button. */
function buildDialog() {
  const title = h('h3', { id: 'manage-dialog-title' });
  const text = h('p', { id: 'manage-dialog-text' });
  const cancel = h('button', { type: 'button', class: 'secondary', text: msg('common.cancel'), value: 'cancel' });
  const confirm = h('button', { type: 'button', class: 'danger', value: 'confirm', text: msg('common.confirm') });
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
  // A close event is dispatched in a task of its own: one from the last close may come after the
  // next ask() opened the dialog again, and must not close that one.
  el.addEventListener('close', () => {
    if (!el.open) done(false);
  });
  return {
    el,
    /** @param {{ title: Msg, text: Msg, confirm: Msg, danger?: boolean }} spec */
    ask(spec) {
      setText(title, spec.title);
      setText(text, spec.text);
      setText(confirm, spec.confirm);
      confirm.className = spec.danger ? 'danger' : 'primary';
      el.showModal();
      cancel.focus();
      return new Promise((r) => {
        resolve = r;
      });
    },
  };
}
