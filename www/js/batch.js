// Batch: many QR codes for one number, at the documented rate limit, with per-row status, retry of
// failed rows and a CSV export.

import { alertRegion, charCount, clearError, field, fmt, h, link, replace, saveBlob, showError } from './dom.js';
import { phoneHint, validate } from './validate.js';
import { MAYBE_CREATED, describeError } from './errors.js';
import { formatChoice } from './create.js';
import { readBatchCsv, toCsvText } from './csv.js';
import { remember } from './seen.js';

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
  if (r.state === 'invalid') return `not sent: ${r.invalid}`;
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

const COLUMN_TITLES = { phone: 'phone', message: 'message', label: 'label', format: 'format', space: 'space' };

/**
 * Mounts the batch section into `root`.
 * opts: { getClient(), announce(msg), relayPaces?() (true when the relay paces the account) }
 */
export function mountBatch(root, opts) {
  const announce = opts.announce ?? (() => {});
  const phone = field({ id: 'batch-phone', label: 'Phone number', control: h('input', { type: 'tel', inputmode: 'tel', autocomplete: 'tel', spellcheck: 'false', placeholder: '8613800001234' }) });
  const format = formatChoice('batch', 'Image format');
  const space = field({ id: 'batch-space', label: 'Space ID (optional)', control: h('input', { type: 'text', spellcheck: 'false', autocomplete: 'off' }) });
  const messages = field({
    id: 'batch-messages',
    label: 'Messages, one per line',
    control: h('textarea', { rows: '6', placeholder: 'Hello from the Orchard Road store!\nHello from the Marina Bay store!' }),
    help: 'Each line becomes one QR code, up to 140 characters each.',
  });
  const file = field({
    id: 'batch-file',
    label: 'Or load a CSV file',
    control: h('input', { type: 'file', accept: '.csv,.tsv,.txt,text/csv,text/tab-separated-values,text/plain' }),
    help: 'Columns by their header: message, and optionally phone, label, format (PNG or SVG) and space; Chinese headers work too (电话, 消息, 标签, 格式, 空间). Commas, semicolons or tabs. A phone column gives each row its own number; without one, rows use the number above.',
  });
  const source = h('div', { class: 'source-note', hidden: true });
  const csvWarning = h('p', { class: 'warning csv-warning', role: 'note', hidden: true });
  const useText = h('button', { type: 'button', class: 'link-button', text: 'Use the pasted messages instead' });

  const start = h('button', { type: 'submit', class: 'primary start', text: 'Create QR codes' });
  const stop = h('button', { type: 'button', class: 'secondary stop', text: 'Stop', disabled: true });
  const retry = h('button', { type: 'button', class: 'secondary retry', text: 'Retry failed rows', disabled: true });
  const exportBtn = h('button', { type: 'button', class: 'secondary export', text: 'Export CSV', disabled: true });
  const clearBtn = h('button', { type: 'button', class: 'secondary clear', text: 'Clear results', hidden: true });
  const pendingNote = h('p', { class: 'pending-note', id: 'batch-pending-note', hidden: true });
  const progress = h('progress', { id: 'batch-progress', max: '1', value: '0' });
  const progressText = h('span', { class: 'progress-text', id: 'batch-progress-text', text: 'Nothing to do yet.' });
  progress.setAttribute('aria-describedby', 'batch-progress-text');
  const competeNote = h('p', { class: 'warning compete-note', role: 'status', hidden: true });
  const alert = alertRegion();
  alert.tabIndex = -1;
  const tableWrap = h('div', { class: 'table-wrap batch-table-wrap' });

  const form = h(
    'form',
    { class: 'batch-form', novalidate: true, 'aria-label': 'Create QR codes in a batch' },
    h('div', { class: 'field-row' }, phone.wrap, format.wrap, space.wrap),
    messages.wrap,
    file.wrap,
    source,
    csvWarning,
    pendingNote,
    h('div', { class: 'actions' }, start, stop, retry, exportBtn, clearBtn),
  );
  root.append(
    form,
    h('div', { class: 'progress-row' }, h('label', { for: 'batch-progress', text: 'Progress' }), progress, progressText),
    competeNote,
    alert,
    tableWrap,
  );

  /**
   * req: the request the row was sent with (a retry sends it again as it was); snapshot: the codes
   * its number had before the run that sent it (null when they could not be listed).
   * phone/format/space: the row's own, from a CSV column; named: its label came from the file.
   * @type {{label: string, message: string, phone?: string, format?: string, space?: string, named?: boolean, state: string, qrdl?: any, error?: any, invalid?: string, cells?: any, req?: any, snapshot?: Set<string>|null}[]}
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
    const msg = validate.prefilledMessage(r.message);
    if (msg) return msg;
    if (r.phone !== undefined) {
      const bad = validate.phoneNumber(r.phone);
      if (bad) return `Phone “${r.phone}”: ${bad}`;
    }
    if (r.format !== undefined && !/^(png|svg)$/i.test(r.format)) return `Format “${r.format}”: use PNG or SVG.`;
    if (r.space !== undefined) {
      const bad = validate.custSpaceId(r.space);
      if (bad) return `Space “${r.space}”: ${bad}`;
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
      if (!wasPending) announce(pendingNote.textContent);
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
      const name = info.header ? `“${m.header || `column ${m.index + 1}`}”` : `Column ${m.index + 1}`;
      return h('li', { dataset: { column: m.column ?? 'ignored' } }, name, ' → ', m.column ? h('strong', { text: COLUMN_TITLES[m.column] }) : h('span', { class: 'ignored', text: 'not used' }));
    });
    return [h('p', { class: 'mapping-title', text: `Columns (separated by ${delim}):` }), h('ul', { class: 'csv-mapping', 'aria-label': 'How the file\'s columns are read' }, items)];
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
      file.setError('The file could not be read as text.');
      return;
    }
    const info = readBatchCsv(text);
    if (info.error) {
      file.setError(info.error);
      file.control.focus();
      return;
    }
    csvInfo = info;
    messages.control.disabled = true;
    replace(source, h('p', {}, `Using ${fmt(info.rows.length)} rows from ${f.name}. `, useText), mappingList(info));
    source.hidden = false;
    if (info.warning) {
      csvWarning.textContent = info.warning;
      csvWarning.hidden = false;
    }
    const perRow = info.mapping.some((m) => m.column === 'phone');
    announce(`Loaded ${info.rows.length} rows from ${f.name}${perRow ? ', each with its own phone number' : ''}.${info.warning ? ` ${info.warning}` : ''}`);
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
    ready: 'Waiting',
    queued: 'Waiting',
    retrying: 'Waiting: turned away by flow control, sent again shortly',
    running: 'Creating…',
    done: 'Created',
    stopped: 'Not sent (stopped)',
  };

  function renderRowStatus(r) {
    if (!r.cells) return;
    const { status, code, linkCell } = r.cells;
    r.cells.tr.dataset.state = r.state;
    if (r.state === 'failed') {
      const d = describeError(r.error);
      replace(status, h('span', { class: 'badge failed', text: 'Failed' }), ' ', h('code', { text: d.code }), h('span', { class: 'row-error', text: ` ${d.sentence}` }));
    } else if (r.state === 'invalid') {
      replace(status, h('span', { class: 'badge invalid', text: 'Not sent' }), h('span', { class: 'row-error', text: ` ${r.invalid}` }));
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
      const status = h('td', { class: 'cell-status', 'data-label': 'Status' });
      const code = h('td', { 'data-label': 'Code' });
      const linkCell = h('td', { class: 'cell-link', 'data-label': 'Link' });
      const tr = h(
        'tr',
        { dataset: { row: String(i + 1) } },
        h('td', { 'data-label': '#', class: 'num', text: String(i + 1) }),
        h('td', { 'data-label': 'Label', text: r.label }),
        h('td', { 'data-label': 'Message', class: 'cell-message', text: `${r.message}${charCount(r.message) > 140 ? ` (${charCount(r.message)} characters)` : ''}` }),
        status,
        code,
        linkCell,
        withPhone ? h('td', { 'data-label': 'Phone', class: 'cell-phone', text: r.phone ?? batchPhone ?? '' }) : null,
      );
      r.cells = { tr, status, code, linkCell };
      renderRowStatus(r);
      body.append(tr);
    });
    const heads = ['#', 'Label', 'Message', 'Status', 'Code', 'Link', ...(withPhone ? ['Phone'] : [])];
    replace(
      tableWrap,
      h(
        'table',
        { class: 'qr-table batch-table' },
        h('caption', { class: 'visually-hidden', text: 'Batch rows and their status' }),
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
    const notSent = c.invalid ? ` ${fmt(c.invalid)} ${c.invalid === 1 ? 'row is' : 'rows are'} not valid and will not be sent.` : '';
    const stoppedText = c.stopped ? `, ${fmt(c.stopped)} not sent (stopped)` : '';
    progress.max = Math.max(1, sendable);
    progress.value = finished;
    if (!c.total) progressText.textContent = 'Nothing to do yet.';
    else if (!started) progressText.textContent = `${fmt(sendable)} ${sendable === 1 ? 'QR code' : 'QR codes'} ready to create.${notSent}`;
    else progressText.textContent = `${fmt(finished)} of ${fmt(sendable)} finished: ${fmt(c.done)} created, ${fmt(c.failed)} failed${stoppedText}.${notSent}`;
    const ready = rows.filter((r) => r.state === 'ready' || r.state === 'stopped').length;
    const next = pending ? pendingReady : ready;
    start.textContent = next ? `Create ${fmt(next)} ${next === 1 ? 'QR code' : 'QR codes'}` : 'Create QR codes';
    retry.disabled = running || c.failed === 0;
    exportBtn.disabled = running || c.done + c.failed + c.stopped === 0;
    clearBtn.hidden = c.done + c.failed + c.stopped === 0;
    clearBtn.disabled = running;
    pendingNote.hidden = !pending;
    pendingNote.textContent = pending
      ? `The messages changed. The table still shows the ${running ? 'running' : 'last'} batch's results: export them if you need them. Starting a new batch with the changed messages replaces them, and so does "Clear results".`
      : '';
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
    competeNote.textContent = `Another batch seems to be using this account at the same time: the service turned away ${fmt(turnedAway)} ${turnedAway === 1 ? 'request' : 'requests'} because more than ${MAX_QPS} a second arrived. The rows it turned away are sent again within this batch, which takes longer. Running one batch at a time (one tab, one person) is fastest.`;
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
      showError(alert, err, { title: 'Could not start the batch', operation: 'create', batch: true });
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
    announce(`Creating ${todo.length} QR codes, at most ${MAX_QPS} per second…`);
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
      showError(alert, err, { title: 'Could not run the batch', operation: 'create', batch: true });
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
        title: `${fmt(failed.length)} of ${fmt(c.done + c.failed)} rows failed`,
        operation: 'create',
        batch: true,
      });
    }
    // Focus was on Stop (now disabled) or nowhere: move it to what comes next.
    const lost = document.activeElement === stop || document.activeElement === document.body || !document.activeElement || (document.activeElement instanceof HTMLButtonElement && document.activeElement.disabled);
    if (lost) (failed.length ? alert : stopped ? start : exportBtn).focus();
    announce(`${stopped ? 'Batch stopped' : 'Batch finished'}: ${c.done} created, ${c.failed} failed${c.stopped ? `, ${c.stopped} not sent (stopped)` : ''}${c.invalid ? `, ${c.invalid} not valid` : ''}.`);
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
    const noRows = next.length === 0 ? 'Paste at least one message, or load a CSV file.' : null;
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
      announce(hint);
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
      messages.setError('Every row was already created or is not valid. Change the messages, or press "Clear results", to start a new batch.');
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
    announce('Stopping after the requests already sent…');
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
    announce('Checking which of the failed rows were created after all…');
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
          showError(alert, err, { title: 'Could not check the failed rows before retrying them', operation: 'list' });
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
    else if (!unchecked.length) announce('Every failed row had been created after all; nothing was sent again.');
    else updateProgress();
    if (unchecked.length) {
      const n = unchecked.length;
      showNotice(
        `${fmt(n)} ${n === 1 ? 'row was' : 'rows were'} not sent again`,
        `${n === 1 ? 'Its QR code' : 'Their QR codes'} may have been created, and this number's codes could not be listed before the batch, so the page cannot tell a new code from an older one. Look in "My QR codes" for ${n === 1 ? 'its message' : 'their messages'}, and start a new batch with only the missing ones.`,
      );
    }
  });
  clearBtn.addEventListener('click', () => {
    if (running) return;
    clearError(alert);
    newBatch();
    announce('Results cleared. The table shows the messages as they are now.');
    (messages.control.disabled ? start : messages.control).focus();
  });
  exportBtn.addEventListener('click', () => {
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    saveBlob(new Blob([toCsv(rows, batchPhone)], { type: 'text/csv;charset=utf-8' }), `qr-codes-${batchPhone.replace(/\D/g, '') || 'batch'}-${stamp}.csv`);
    announce('Exporting the batch as CSV.');
  });

  return {
    setPhone(v) {
      if (!phone.control.value) phone.control.value = v;
    },
  };
}
