// Batch: many QR codes for one number, at the documented rate limit, with per-row status, retry of
// failed rows and a CSV export.

import { alertRegion, charCount, clearError, field, h, link, replace, saveBlob, showError } from './dom.js';
import { phoneHint, validate } from './validate.js';
import { MAYBE_CREATED, describeError } from './errors.js';
import { formatChoice } from './create.js';
import { readBatchCsv, toCsvText } from './csv.js';
import { remember } from './seen.js';
import { langOf, msg, setText, translate } from './i18n.js';
import { FORMATS, buildZip } from './exports.js';
import { mountCustomise } from './customise.js';
import { httpUrl } from './errors.js';

export { csvCell, parseCsv } from './csv.js';

/** The documented limit: 5 calls per second per account (the client paces to it). */
export const MAX_QPS = 5;

/**
 * Rounds in which rows turned away by flow control are sent again within the batch (the client
 * has already retried each a few times), and the pause before each, growing.
 */
export const THROTTLE_ROUNDS = 6;
const THROTTLE_PAUSE_MS = 1500;

/** Codes that mean "too many calls right now": nothing was created, sending again is safe. */
export function isThrottle(code) {
  return typeof code === 'string' && (code.startsWith('Throttling') || code === 'System.LimitControl' || code === 'RelayBusy');
}

/** message[,label] rows (or columns by header name) from CSV text; see csv.js. */
export function rowsFromCsv(text) {
  return readBatchCsv(text).rows;
}

/** One message per non-empty line. */
export function rowsFromLines(text) {
  return String(text)
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map((message, i) => ({ message, label: String(i + 1) }));
}

export const EXPORT_COLUMNS = ['label', 'phone', 'message', 'code', 'deep_link', 'image_url', 'status'];

/** A row's status as the export says it. */
function exportStatus(r) {
  if (r.state === 'done') return 'created';
  if (r.state === 'failed') return `failed: ${describeError(r.error).code}`;
  if (r.state === 'stopped') return 'not sent (stopped)';
  if (r.state === 'invalid') return `not sent: ${r.invalid?.in('en') ?? ''}`;
  return 'not sent';
}

/** The export: UTF-8 with a BOM, one line per row, formula-like cells defused (csv.js). */
export function toCsv(rows, defaultPhone = '') {
  return toCsvText(
    EXPORT_COLUMNS,
    rows.map((r) => [r.label, r.req?.phoneNumber ?? r.phone ?? defaultPhone, r.message, r.qrdl?.qrdlCode ?? '', r.qrdl?.deepLinkUrl ?? '', r.qrdl?.qrImageUrl ?? '', exportStatus(r)]),
  );
}

/** Where a request's codes live: its number and space. */
const ownerKey = (req) => `${req.phoneNumber}|${req.custSpaceId ?? ''}`;

const sameFormat = (a, b) => String(a ?? '').toUpperCase() === String(b ?? '').toUpperCase();

const COLUMN_TITLES = { phone: msg('batch.col.phone'), message: msg('batch.col.message'), label: msg('batch.col.label'), format: msg('batch.col.format'), space: msg('batch.col.space') };

/**
 * Mounts the batch section into `root`.
 * opts: { getClient(), announce(msg), relayPaces?() (true when the relay paces the account) }
 */
export function mountBatch(root, opts) {
  const announce = opts.announce ?? (() => {});
  /** A text in the section's language, for announcements. */
  const say = (key, vars = {}) => translate(langOf(root), key, vars);
  const phone = field({ id: 'batch-phone', label: msg('common.phone'), control: h('input', { type: 'tel', inputmode: 'tel', autocomplete: 'tel', spellcheck: 'false', placeholder: '8613800001234' }) });
  const format = formatChoice('batch', msg('common.format'));
  const space = field({ id: 'batch-space', label: msg('common.space'), control: h('input', { type: 'text', spellcheck: 'false', autocomplete: 'off' }) });
  const messages = field({
    id: 'batch-messages',
    label: msg('batch.messages'),
    control: h('textarea', { rows: '6', placeholder: msg('batch.messagesPlaceholder') }),
    help: msg('batch.messagesHelp'),
  });
  const file = field({
    id: 'batch-file',
    label: msg('batch.file'),
    control: h('input', { type: 'file', accept: '.csv,.tsv,.txt,text/csv,text/tab-separated-values,text/plain' }),
    help: msg('batch.fileHelp'),
  });
  const source = h('div', { class: 'source-note', hidden: true });
  const csvWarning = h('p', { class: 'warning csv-warning', role: 'note', hidden: true });
  const useText = h('button', { type: 'button', class: 'link-button', text: msg('batch.useText') });

  const start = h('button', { type: 'submit', class: 'primary start', text: msg('batch.create') });
  const stop = h('button', { type: 'button', class: 'secondary stop', text: msg('common.stop'), disabled: true });
  const retry = h('button', { type: 'button', class: 'secondary retry', text: msg('batch.retry'), disabled: true });
  const exportBtn = h('button', { type: 'button', class: 'secondary export', text: msg('batch.export'), disabled: true });
  const clearBtn = h('button', { type: 'button', class: 'secondary clear', text: msg('batch.clear'), hidden: true });
  // The ZIP of every created code's print files: the formats to hold, the button, its progress.
  const zipBoxes = FORMATS.map((f) => h('input', { type: 'checkbox', id: `batch-zip-${f}`, value: f, checked: true }));
  const zipBtn = h('button', { type: 'button', class: 'secondary zip', text: msg('batch.zip'), disabled: true });
  const zipProgress = h('progress', { class: 'zip-progress', max: '1', value: '0', hidden: true, 'aria-label': msg('batch.zipProgress') });
  // The print style of the ZIP's files (the page's one style); its preview draws the first code.
  const customise = mountCustomise({ hidden: true, idPrefix: 'batch-style', previewLink: () => httpUrl(rows.find((r) => r.state === 'done' && r.qrdl)?.qrdl.deepLinkUrl) ?? '' });
  const zipGroup = h(
    'fieldset',
    { class: 'zip-export', hidden: true },
    h('legend', { text: msg('batch.zipLegend') }),
    zipBoxes.map((b) => h('label', { class: 'zip-format', for: b.id }, b, ` ${b.value.toUpperCase()}`)),
    zipBtn,
    zipProgress,
  );
  let zipping = false;
  const pendingNote = h('p', { class: 'pending-note', id: 'batch-pending-note', hidden: true });
  const progress = h('progress', { id: 'batch-progress', max: '1', value: '0' });
  const progressText = h('span', { class: 'progress-text', id: 'batch-progress-text', text: msg('batch.nothing') });
  progress.setAttribute('aria-describedby', 'batch-progress-text');
  const competeNote = h('p', { class: 'warning compete-note', role: 'status', hidden: true });
  const alert = alertRegion();
  alert.tabIndex = -1;
  const tableWrap = h('div', { class: 'table-wrap batch-table-wrap' });

  const form = h(
    'form',
    { class: 'batch-form', novalidate: true, 'aria-label': msg('batch.formLabel') },
    h('div', { class: 'field-row' }, phone.wrap, format.wrap, space.wrap),
    messages.wrap,
    file.wrap,
    source,
    csvWarning,
    pendingNote,
    h('div', { class: 'actions' }, start, stop, retry, exportBtn, clearBtn),
    zipGroup,
    customise.el,
  );
  root.append(
    form,
    h('div', { class: 'progress-row' }, h('label', { for: 'batch-progress', text: msg('common.progress') }), progress, progressText),
    competeNote,
    alert,
    tableWrap,
  );

  /**
   * req: the request the row was sent with (a retry sends it again as it was); snapshot: the codes
   * its number had before the run that sent it (null when they could not be listed).
   * phone/format/space: the row's own, from a CSV column; named: its label came from the file.
   * @type {{label: string, message: string, phone?: string, format?: string, space?: string, named?: boolean, state: string, qrdl?: any, error?: any, invalid?: import('./i18n.js').Msg, cells?: any, req?: any, snapshot?: Set<string>|null}[]}
   */
  let rows = [];
  /** The loaded CSV: its rows and how its columns were read. */
  let csvInfo = null;
  let running = false;
  let started = false;
  /**
   * The messages changed while the table holds results: the results stay (to be exported) until
   * a new batch starts or "Clear results"; `pendingReady` counts the new batch's sendable rows.
   */
  let pending = false;
  let pendingReady = 0;
  /** Aborts the running batch's unsent rows. */
  let stopper = null;
  let batchPhone = '';
  let batchFormat = 'PNG';
  let batchSpace;
  /** The form's number the person confirmed despite its hint (00 or trunk 0). */
  let confirmedPhone = null;

  /** Why a row cannot be sent (its message, or its own phone, format or space), or null. */
  function rowProblem(r) {
    const problem = validate.prefilledMessage(r.message);
    if (problem) return problem;
    if (r.phone !== undefined) {
      const bad = validate.phoneNumber(r.phone);
      if (bad) return msg('batch.rowPhone', { value: r.phone, problem: bad });
    }
    if (r.format !== undefined && !/^(png|svg)$/i.test(r.format)) return msg('batch.rowFormat', { value: r.format });
    if (r.space !== undefined) {
      const bad = validate.custSpaceId(r.space);
      if (bad) return msg('batch.rowSpace', { value: r.space, problem: bad });
    }
    return null;
  }

  function parseRows() {
    const base = csvInfo?.rows ?? rowsFromLines(messages.control.value);
    return base.map((r) => {
      const bad = rowProblem(r);
      return { ...r, state: bad ? 'invalid' : 'ready', invalid: bad ?? undefined };
    });
  }

  /** Rows that use the form's number (no phone of their own). */
  const needsFormPhone = (list) => list.some((r) => r.phone === undefined && r.state !== 'invalid');
  const perRowPhones = () => rows.some((r) => r.phone !== undefined);
  const hasResults = () => rows.some((r) => r.state === 'done' || r.state === 'failed' || r.state === 'stopped');

  /** Shows the rows parsed from the messages as a new batch, dropping any results. */
  function newBatch(next = parseRows()) {
    rows = next;
    started = false;
    pending = false;
    competeNote.hidden = true;
    progress.removeAttribute('data-outcome');
    renderTable();
    updateProgress();
  }

  function refreshPreview() {
    // Results not yet exported must not vanish because a line was typed: they stay until the
    // person starts a new batch or clears them.
    if (running || hasResults()) {
      const wasPending = pending;
      pending = true;
      pendingReady = parseRows().filter((r) => r.state === 'ready').length;
      updateProgress();
      if (!wasPending) announce(pendingNote.textContent ?? '');
      return;
    }
    newBatch();
  }

  messages.control.addEventListener('input', () => {
    messages.setError(null);
    refreshPreview();
  });

  /** The "which column became what" list of a loaded CSV. */
  function mappingList(info) {
    const delim = { ',': 'commas', ';': 'semicolons', '\t': 'tabs' }[info.delimiter] ?? 'commas';
    const items = info.mapping.map((m) => {
      const name = info.header ? (m.header ? msg('batch.columnNamed', { name: m.header }) : msg('batch.columnNamed', { name: msg('batch.columnN', { n: m.index + 1 }) })) : msg('batch.ColumnN', { n: m.index + 1 });
      return h('li', { dataset: { column: m.column ?? 'ignored' } }, name, ' → ', m.column ? h('strong', { text: COLUMN_TITLES[m.column] }) : h('span', { class: 'ignored', text: msg('batch.notUsed') }));
    });
    return [h('p', { class: 'mapping-title', text: msg('batch.columns', { delim: msg(`batch.delim.${delim}`) }) }), h('ul', { class: 'csv-mapping', 'aria-label': msg('batch.mappingLabel') }, items)];
  }

  file.control.addEventListener('change', async () => {
    const f = file.control.files?.[0];
    if (!f) return;
    file.setError(null);
    csvWarning.hidden = true;
    let text;
    try {
      text = await f.text();
    } catch {
      file.setError(msg('batch.fileUnreadable'));
      return;
    }
    const info = readBatchCsv(text);
    if (info.errorMsg) {
      file.setError(info.errorMsg);
      file.control.focus();
      return;
    }
    csvInfo = info;
    messages.control.disabled = true;
    replace(source, h('p', {}, msg('batch.using', { n: info.rows.length, file: f.name }), ' ', useText), mappingList(info));
    source.hidden = false;
    if (info.warningMsg) {
      setText(csvWarning, info.warningMsg);
      csvWarning.hidden = false;
    }
    const perRow = info.mapping.some((m) => m.column === 'phone');
    announce(`${say(perRow ? 'batch.loadedPerRow' : 'batch.loaded', { n: info.rows.length, file: f.name })}${info.warningMsg ? ` ${info.warningMsg.in(langOf(root))}` : ''}`);
    refreshPreview();
  });
  useText.addEventListener('click', () => {
    csvInfo = null;
    file.control.value = '';
    messages.control.disabled = false;
    source.hidden = true;
    csvWarning.hidden = true;
    refreshPreview();
    messages.control.focus();
  });

  const STATUS = {
    ready: msg('batch.status.waiting'),
    queued: msg('batch.status.waiting'),
    retrying: msg('batch.status.retrying'),
    running: msg('batch.status.running'),
    done: msg('batch.status.done'),
    stopped: msg('batch.status.stopped'),
  };

  function renderRowStatus(r) {
    if (!r.cells) return;
    const { status, code, linkCell } = r.cells;
    r.cells.tr.dataset.state = r.state;
    if (r.state === 'failed') {
      const d = describeError(r.error);
      replace(status, h('span', { class: 'badge failed', text: msg('batch.status.failed') }), ' ', h('code', { text: d.code }), ' ', h('span', { class: 'row-error', text: msg(d.sentenceKey) }));
    } else if (r.state === 'invalid') {
      replace(status, h('span', { class: 'badge invalid', text: msg('batch.status.invalid') }), ' ', h('span', { class: 'row-error', text: r.invalid }));
    } else {
      replace(status, h('span', { class: `badge ${r.state}`, text: STATUS[r.state] ?? r.state }));
    }
    replace(code, r.qrdl ? h('code', { text: String(r.qrdl.qrdlCode ?? '') }) : '');
    replace(linkCell, r.qrdl ? link(r.qrdl.deepLinkUrl, String(r.qrdl.deepLinkUrl ?? '')) : '');
  }

  function renderTable() {
    if (!rows.length) {
      tableWrap.replaceChildren();
      return;
    }
    const withPhone = perRowPhones();
    const body = h('tbody', {});
    rows.forEach((r, i) => {
      const status = h('td', { class: 'cell-status', 'data-label': msg('batch.head.status') });
      const code = h('td', { 'data-label': msg('batch.head.code') });
      const linkCell = h('td', { class: 'cell-link', 'data-label': msg('batch.head.link') });
      const tr = h(
        'tr',
        { dataset: { row: String(i + 1) } },
        h('td', { 'data-label': '#', class: 'num', text: String(i + 1) }),
        h('td', { 'data-label': msg('batch.head.label'), text: r.label }),
        h('td', { 'data-label': msg('batch.head.message'), class: 'cell-message', text: charCount(r.message) > 140 ? msg('batch.tooLong', { message: r.message, n: charCount(r.message) }) : r.message }),
        status,
        code,
        linkCell,
        withPhone ? h('td', { 'data-label': msg('batch.head.phone'), class: 'cell-phone', text: r.phone ?? batchPhone ?? '' }) : null,
      );
      r.cells = { tr, status, code, linkCell };
      renderRowStatus(r);
      body.append(tr);
    });
    const heads = ['#', ...['label', 'message', 'status', 'code', 'link', ...(withPhone ? ['phone'] : [])].map((k) => msg(`batch.head.${k}`))];
    replace(
      tableWrap,
      h(
        'table',
        { class: 'qr-table batch-table' },
        h('caption', { class: 'visually-hidden', text: msg('batch.caption') }),
        h('thead', {}, h('tr', {}, heads.map((t) => h('th', { scope: 'col', text: t })))),
        body,
      ),
    );
  }

  function counts() {
    const c = { total: rows.length, done: 0, failed: 0, invalid: 0, stopped: 0, pending: 0 };
    for (const r of rows) {
      if (r.state === 'done') c.done += 1;
      else if (r.state === 'failed') c.failed += 1;
      else if (r.state === 'invalid') c.invalid += 1;
      else if (r.state === 'stopped') c.stopped += 1;
      else c.pending += 1;
    }
    return c;
  }

  function updateProgress() {
    const c = counts();
    const sendable = c.total - c.invalid;
    const finished = c.done + c.failed;
    const invalid = c.invalid ? msg('batch.invalidRows', { n: c.invalid }) : '';
    progress.max = Math.max(1, sendable);
    progress.value = finished;
    if (!c.total) setText(progressText, msg('batch.nothing'));
    else if (!started) setText(progressText, msg('batch.ready', { n: sendable, invalid }));
    else setText(progressText, msg(c.stopped ? 'batch.progressStopped' : 'batch.progress', { finished, n: sendable, done: c.done, failed: c.failed, stopped: c.stopped, invalid }));
    const ready = rows.filter((r) => r.state === 'ready' || r.state === 'stopped').length;
    const next = pending ? pendingReady : ready;
    setText(start, next ? msg('batch.createN', { n: next }) : msg('batch.create'));
    retry.disabled = running || c.failed === 0;
    exportBtn.disabled = running || c.done + c.failed + c.stopped === 0;
    clearBtn.hidden = c.done + c.failed + c.stopped === 0;
    zipGroup.hidden = c.done === 0;
    customise.el.hidden = zipGroup.hidden;
    zipBtn.disabled = running || zipping || c.done === 0 || !zipBoxes.some((b) => b.checked);
    clearBtn.disabled = running;
    pendingNote.hidden = !pending;
    setText(pendingNote, pending ? msg(running ? 'batch.pendingRunning' : 'batch.pendingLast') : '');
    if (pending) start.setAttribute('aria-describedby', pendingNote.id);
    else start.removeAttribute('aria-describedby');
  }

  /** The bar's colour after a run: green only when every row sent was created. */
  function markOutcome() {
    const c = counts();
    const outcome = c.failed === 0 && c.stopped === 0 ? 'ok' : c.done === 0 ? 'failed' : 'partial';
    progress.dataset.outcome = outcome;
  }

  /** The row's request: its own phone, format and space, else the batch's; and its message. */
  function requestFor(r) {
    const req = {
      phoneNumber: r.phone ?? batchPhone,
      prefilledMessage: r.message,
      generateQrImage: r.format ? r.format.toUpperCase() : batchFormat,
    };
    const s = r.space ?? batchSpace;
    if (s) req.custSpaceId = s;
    return req;
  }

  /**
   * A settled item on its row: created, failed, turned away by flow control (sent again in a
   * later round while rounds remain), or stopped before it was sent.
   */
  function settleRow(r, result, { retryThrottled = false } = {}) {
    if (result.ok) {
      r.qrdl = result.value.data;
      r.state = 'done';
      r.error = undefined;
      const code = String(r.qrdl?.qrdlCode ?? '');
      remember([code], r.named ? { labels: new Map([[code, r.label]]) } : {});
    } else if (result.error?.code === 'Aborted') {
      r.state = 'stopped';
    } else if (retryThrottled && isThrottle(result.error?.code)) {
      r.error = result.error;
      r.state = 'retrying';
    } else {
      r.error = result.error;
      r.state = 'failed';
    }
    renderRowStatus(r);
    updateProgress();
  }

  /**
   * The codes each number of these rows has now, for rows without such a list yet: a code that
   * is in it existed before the row was sent, so it can never be the row's lost create. A list
   * that fails leaves null (the batch still runs; see reconcileMaybeCreated).
   */
  async function takeSnapshots(client, todo) {
    const lists = new Map();
    for (const r of todo) {
      if (r.snapshot instanceof Set) continue;
      const key = ownerKey(r.req);
      if (!lists.has(key)) {
        const req = { phoneNumber: r.req.phoneNumber };
        if (r.req.custSpaceId) req.custSpaceId = r.req.custSpaceId;
        lists.set(
          key,
          client.listQrdls(req).then(
            (res) => new Set(Array.from(res.data ?? [], (q) => String(q.qrdlCode))),
            () => null,
          ),
        );
      }
      r.snapshot = await lists.get(key);
    }
  }

  /** Waits `ms`, or less when the batch is stopped. */
  function pause(ms, signal) {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      }, { once: true });
    });
  }

  /** Says plainly that another batch competes for the account's calls (unless the relay paces it). */
  function noteCompetition(turnedAway) {
    if (opts.relayPaces?.()) return;
    setText(competeNote, msg('batch.compete', { n: turnedAway, max: MAX_QPS }));
    if (competeNote.hidden) announce(competeNote.textContent);
    competeNote.hidden = false;
  }

  /**
   * Runs the given rows through the client's createQrdls: it paces them at the rate limit (no
   * one-second window holds more than 5), retries throttled and 5xx calls, and settles each row
   * on its own. Rows still turned away by flow control go again, in up to THROTTLE_ROUNDS
   * rounds. Stop aborts the rows not yet sent.
   */
  async function run(todo) {
    let client;
    try {
      client = opts.getClient();
    } catch (err) {
      showError(alert, err, { title: msg('batch.cannotStart'), operation: 'create', batch: true });
      alert.focus();
      return;
    }
    running = true;
    started = true;
    stopper = new AbortController();
    const signal = stopper.signal;
    const startHadFocus = document.activeElement === start || document.activeElement === document.body || !document.activeElement;
    start.disabled = true;
    stop.disabled = false;
    // The button pressed is now disabled: keep the keyboard on the batch's own control.
    if (startHadFocus) stop.focus();
    form.setAttribute('aria-busy', 'true');
    progress.removeAttribute('data-outcome');
    clearError(alert);
    for (const r of todo) {
      r.state = 'queued';
      r.error = undefined;
      renderRowStatus(r);
    }
    updateProgress();
    announce(say('batch.announceCreating', { n: todo.length, max: MAX_QPS }));
    let turnedAway = 0;
    try {
      await takeSnapshots(client, todo);
      let round = todo;
      for (let n = 0; round.length && !signal.aborted; n += 1) {
        const last = n >= THROTTLE_ROUNDS;
        if (n > 0) {
          await pause(THROTTLE_PAUSE_MS * n, signal);
          if (signal.aborted) {
            for (const r of round) settleRow(r, { ok: false, error: { code: 'Aborted' } });
            break;
          }
          for (const r of round) {
            r.state = 'queued';
            renderRowStatus(r);
          }
        }
        const these = round;
        const results = await client.createQrdls(these.map((r) => r.req), {
          signal,
          onProgress: (_done, _total, index, result) => settleRow(these[index], result, { retryThrottled: !last }),
        });
        // Every row has settled through onProgress; this covers a client that did not report one.
        results.forEach((result, i) => {
          if (these[i].state === 'queued') settleRow(these[i], result, { retryThrottled: !last });
        });
        round = these.filter((r) => r.state === 'retrying');
        if (round.length) {
          turnedAway += round.length;
          noteCompetition(turnedAway);
        }
      }
    } catch (err) {
      // Only a misuse of the API rejects the whole batch; its rows were not sent.
      for (const r of todo) {
        if (r.state === 'queued' || r.state === 'retrying') {
          r.state = 'ready';
          renderRowStatus(r);
        }
      }
      showError(alert, err, { title: msg('batch.cannotRun'), operation: 'create', batch: true });
    }
    const stopped = signal.aborted;
    stopper = null;
    running = false;
    start.disabled = false;
    stop.disabled = true;
    form.removeAttribute('aria-busy');
    updateProgress();
    markOutcome();
    const c = counts();
    const failed = rows.filter((r) => r.state === 'failed');
    if (failed.length) {
      showError(alert, failed[0].error, {
        title: msg('batch.rowsFailed', { failed: failed.length, n: c.done + c.failed }),
        operation: 'create',
        batch: true,
      });
    }
    // Focus was on Stop (now disabled) or nowhere: move it to what comes next.
    const lost = document.activeElement === stop || document.activeElement === document.body || !document.activeElement || (document.activeElement instanceof HTMLButtonElement && document.activeElement.disabled);
    if (lost) (failed.length ? alert : stopped ? start : exportBtn).focus();
    const extra = `${c.stopped ? say('batch.extraStopped', { n: c.stopped }) : ''}${c.invalid ? say('batch.extraInvalid', { n: c.invalid }) : ''}`;
    announce(say(stopped ? 'batch.stopped' : 'batch.finished', { done: c.done, failed: c.failed, extra }));
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (running) return;
    // A new batch (the messages changed, or nothing was sent yet) starts from the current
    // messages; otherwise the rows a Stop left unsent go on.
    const fresh = pending || rows.every((r) => r.state === 'ready' || r.state === 'invalid');
    const next = fresh ? parseRows() : rows;
    const ph = phone.control.value.trim();
    const usesForm = needsFormPhone(next);
    const badPhone = usesForm || ph ? validate.phoneNumber(ph) : null;
    phone.setError(badPhone);
    const noRows = next.length === 0 ? msg('batch.noRows') : null;
    messages.setError(noRows);
    if (badPhone || noRows) {
      (badPhone ? phone : messages).control.focus();
      return;
    }
    const hint = usesForm ? phoneHint(ph) : null;
    if (hint && confirmedPhone !== ph) {
      confirmedPhone = ph;
      phone.setError(hint);
      phone.control.focus();
      announce(hint.in(langOf(root)));
      return;
    }
    if (fresh) newBatch(next);
    batchPhone = ph;
    batchFormat = format.value();
    batchSpace = space.control.value.trim() || undefined;
    // Rows never sent take the form's number, format and space as they are now, and the codes
    // their number has when they go (see takeSnapshots).
    for (const r of rows) {
      if (r.state !== 'ready' && r.state !== 'stopped') continue;
      r.state = 'ready';
      r.req = requestFor(r);
      r.snapshot = undefined;
    }
    if (perRowPhones()) renderTable();
    const todo = rows.filter((r) => r.state === 'ready');
    if (!todo.length) {
      messages.setError(msg('batch.nothingLeft'));
      return;
    }
    await run(todo);
  });
  phone.control.addEventListener('input', () => {
    if (confirmedPhone !== null && phone.control.value.trim() !== confirmedPhone) {
      confirmedPhone = null;
      phone.setError(null);
    }
  });
  stop.addEventListener('click', () => {
    stopper?.abort();
    stop.disabled = true;
    announce(say('batch.stopping'));
  });
  /**
   * A create that timed out or lost its connection may have happened. Before such rows are sent
   * again, their number's codes are listed, and a code is taken as a row's only when it is new
   * since the row's run started (not in its snapshot), has the row's message and image format,
   * and is not claimed by another row: so retrying never makes a second code, and never takes a
   * code that was there before. Rows whose number could not be listed before their run cannot
   * be told apart from older codes: they are left failed, not sent again.
   * Returns the rows so left, or null when a list failed now (then nothing is retried).
   */
  async function reconcileMaybeCreated(failed) {
    const unsure = failed.filter((r) => MAYBE_CREATED.has(r.error?.code) && r.req);
    const unchecked = unsure.filter((r) => !(r.snapshot instanceof Set));
    const checkable = unsure.filter((r) => r.snapshot instanceof Set);
    if (!checkable.length) return unchecked;
    announce(say('batch.checking'));
    const claimed = new Set(rows.filter((r) => r.qrdl).map((r) => String(r.qrdl.qrdlCode)));
    const listed = new Map();
    for (const r of checkable) {
      const key = ownerKey(r.req);
      if (!listed.has(key)) {
        const req = { phoneNumber: r.req.phoneNumber };
        if (r.req.custSpaceId) req.custSpaceId = r.req.custSpaceId;
        try {
          listed.set(key, Array.from((await opts.getClient().listQrdls(req)).data ?? []));
        } catch (err) {
          showError(alert, err, { title: msg('batch.checkFailed'), operation: 'list' });
          return null;
        }
      }
      const found = listed.get(key).find((q) => {
        const code = String(q.qrdlCode);
        return q.prefilledMessage === r.req.prefilledMessage && sameFormat(q.generateQrImage, r.req.generateQrImage) && !r.snapshot.has(code) && !claimed.has(code);
      });
      if (found) {
        claimed.add(String(found.qrdlCode));
        settleRow(r, { ok: true, value: { data: found } });
      }
    }
    return unchecked;
  }

  /** A notice in the batch's alert region (for what is not one failure with a code). */
  function showNotice(title, text) {
    replace(alert, h('p', { class: 'alert-title' }, h('strong', { text: title })), h('p', { text }));
    alert.hidden = false;
  }

  retry.addEventListener('click', async () => {
    if (running) return;
    retry.disabled = true;
    clearError(alert);
    const failed = rows.filter((r) => r.state === 'failed');
    const unchecked = await reconcileMaybeCreated(failed);
    if (!unchecked) {
      updateProgress();
      return;
    }
    const todo = failed.filter((r) => r.state === 'failed' && !unchecked.includes(r));
    if (todo.length) await run(todo);
    else if (!unchecked.length) announce(say('batch.allCreated'));
    else updateProgress();
    if (unchecked.length) {
      const n = unchecked.length;
      showNotice(msg('batch.notResentTitle', { n }), msg('batch.notResentText', { n }));
    }
  });
  clearBtn.addEventListener('click', () => {
    if (running) return;
    clearError(alert);
    newBatch();
    announce(say('batch.cleared'));
    (messages.control.disabled ? start : messages.control).focus();
  });
  exportBtn.addEventListener('click', () => {
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    saveBlob(new Blob([toCsv(rows, batchPhone)], { type: 'text/csv;charset=utf-8' }), `qr-codes-${batchPhone.replace(/\D/g, '') || 'batch'}-${stamp}.csv`);
    announce(say('batch.exporting'));
  });

  for (const b of zipBoxes) b.addEventListener('change', updateProgress);
  zipBtn.addEventListener('click', async () => {
    const created = rows.filter((r) => r.state === 'done' && r.qrdl);
    const formats = zipBoxes.filter((b) => b.checked).map((b) => b.value);
    if (running || zipping || !created.length || !formats.length) return;
    zipping = true;
    clearError(alert);
    const style = await customise.forDownload();
    if (!style) {
      zipping = false;
      announce(say('style.invalid'));
      return;
    }
    zipProgress.max = created.length;
    zipProgress.value = 0;
    zipProgress.hidden = false;
    updateProgress();
    announce(say('batch.zipping', { n: created.length }));
    try {
      const zip = await buildZip(
        created.map((r) => ({
          // Lines typed in the box are labelled 1, 2, …: those files are named by their code.
          label: r.named ? r.label : '',
          code: String(r.qrdl.qrdlCode ?? ''),
          deepLinkUrl: r.qrdl.deepLinkUrl,
          message: r.message,
          phone: r.req?.phoneNumber ?? r.phone ?? batchPhone,
        })),
        { formats, style: style.options, sizePx: style.sizePx, sizeMm: style.sizeMm, onProgress: (done) => { zipProgress.value = done; } },
      );
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      saveBlob(new Blob([zip], { type: 'application/zip' }), `qr-codes-${batchPhone.replace(/\D/g, '') || 'batch'}-${stamp}.zip`);
      announce(say('batch.zipReady', { n: created.length }));
    } catch (err) {
      showError(alert, err, { title: msg('batch.zipFailed') });
    } finally {
      zipping = false;
      zipProgress.hidden = true;
      updateProgress();
    }
  });

  return {
    setPhone(v) {
      if (!phone.control.value) phone.control.value = v;
    },
  };
}
