// Batch: many QR codes for one number, at the documented rate limit, with per-row status, retry of
// failed rows and a CSV export.

import { alertRegion, charCount, clearError, field, fmt, h, link, replace, saveBlob, showError } from './dom.js';
import { validate } from './validate.js';
import { MAYBE_CREATED, describeError } from './errors.js';
import { formatChoice } from './create.js';

/** The documented limit: 5 calls per second per account (the client paces to it). */
export const MAX_QPS = 5;

/** Parses CSV text (RFC 4180: quotes, doubled quotes, CRLF) into rows of cells. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const s = String(text).replace(/^\uFEFF/, '');
  while (i < s.length) {
    const c = s[i];
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        continue;
      }
      cell += c;
      i += 1;
      continue;
    }
    if (c === '"' && cell === '') {
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      if (c === '\r' && s[i + 1] === '\n') i += 1;
    } else {
      cell += c;
    }
    i += 1;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => r.some((x) => x.trim() !== ''));
}

/** message[,label] rows from a CSV file; a first row "message,label" is a header and skipped. */
export function rowsFromCsv(text) {
  const rows = parseCsv(text);
  if (rows.length && rows[0][0].trim().toLowerCase() === 'message') rows.shift();
  return rows.map((r, i) => ({ message: r[0] ?? '', label: (r[1] ?? '').trim() || String(i + 1) }));
}

/** One message per non-empty line. */
export function rowsFromLines(text) {
  return String(text)
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map((message, i) => ({ message, label: String(i + 1) }));
}

/** A CSV cell: quoted when needed; cells a spreadsheet would run as a formula get a leading '. */
export function csvCell(v) {
  let s = String(v ?? '');
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const EXPORT_COLUMNS = ['label', 'message', 'code', 'deep_link', 'image_url', 'status'];

export function toCsv(rows) {
  const lines = [EXPORT_COLUMNS.join(',')];
  for (const r of rows) {
    const status = r.state === 'done' ? 'created' : r.error ? `failed: ${describeError(r.error).code}` : r.state;
    lines.push([r.label, r.message, r.qrdl?.qrdlCode ?? '', r.qrdl?.deepLinkUrl ?? '', r.qrdl?.qrImageUrl ?? '', status].map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Where a request's codes live: its number and space. */
const ownerKey = (req) => `${req.phoneNumber}|${req.custSpaceId ?? ''}`;

const sameFormat = (a, b) => String(a ?? '').toUpperCase() === String(b ?? '').toUpperCase();

/**
 * Mounts the batch section into `root`. opts: { getClient(), announce(msg), defaultPhone() }
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
    label: 'Or load a CSV file (message,label)',
    control: h('input', { type: 'file', accept: '.csv,text/csv,text/plain' }),
    help: 'One row per QR code: the message, then an optional label (a store, an agent, a campaign). A first row "message,label" is skipped.',
  });
  const source = h('p', { class: 'source-note', hidden: true });
  const useText = h('button', { type: 'button', class: 'link-button', text: 'Use the pasted messages instead' });
  source.hidden = true;

  const start = h('button', { type: 'submit', class: 'primary start', text: 'Create QR codes' });
  const stop = h('button', { type: 'button', class: 'secondary stop', text: 'Stop', disabled: true });
  const retry = h('button', { type: 'button', class: 'secondary retry', text: 'Retry failed rows', disabled: true });
  const exportBtn = h('button', { type: 'button', class: 'secondary export', text: 'Export CSV', disabled: true });
  const clearBtn = h('button', { type: 'button', class: 'secondary clear', text: 'Clear results', hidden: true });
  const pendingNote = h('p', { class: 'pending-note', id: 'batch-pending-note', hidden: true });
  const progress = h('progress', { id: 'batch-progress', max: '1', value: '0' });
  const progressText = h('span', { class: 'progress-text', id: 'batch-progress-text', text: 'Nothing to do yet.' });
  progress.setAttribute('aria-describedby', 'batch-progress-text');
  const alert = alertRegion();
  const tableWrap = h('div', { class: 'table-wrap batch-table-wrap' });

  const form = h(
    'form',
    { class: 'batch-form', novalidate: true, 'aria-label': 'Create QR codes in a batch' },
    h('div', { class: 'field-row' }, phone.wrap, format.wrap, space.wrap),
    messages.wrap,
    file.wrap,
    source,
    pendingNote,
    h('div', { class: 'actions' }, start, stop, retry, exportBtn, clearBtn),
  );
  root.append(
    form,
    h('div', { class: 'progress-row' }, h('label', { for: 'batch-progress', text: 'Progress' }), progress, progressText),
    alert,
    tableWrap,
  );

  /**
   * req: the request the row was sent with (a retry sends it again as it was); snapshot: the codes
   * its number had before the run that sent it (null when they could not be listed).
   * @type {{label: string, message: string, state: string, qrdl?: any, error?: any, invalid?: string, cells?: any, req?: any, snapshot?: Set<string>|null}[]}
   */
  let rows = [];
  let csvRows = null;
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

  function parseRows() {
    const base = csvRows ?? rowsFromLines(messages.control.value);
    return base.map((r) => {
      const bad = validate.prefilledMessage(r.message);
      return { ...r, state: bad ? 'invalid' : 'ready', invalid: bad ?? undefined };
    });
  }

  const hasResults = () => rows.some((r) => r.state === 'done' || r.state === 'failed');

  /** Shows the rows parsed from the messages as a new batch, dropping any results. */
  function newBatch(next = parseRows()) {
    rows = next;
    started = false;
    pending = false;
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
  file.control.addEventListener('change', async () => {
    const f = file.control.files?.[0];
    if (!f) return;
    file.setError(null);
    try {
      const text = await f.text();
      csvRows = rowsFromCsv(text);
      messages.control.disabled = true;
      replace(source, `Using ${fmt(csvRows.length)} rows from ${f.name}. `, useText);
      source.hidden = false;
      announce(`Loaded ${csvRows.length} rows from ${f.name}.`);
      refreshPreview();
    } catch {
      file.setError('The file could not be read as text.');
    }
  });
  useText.addEventListener('click', () => {
    csvRows = null;
    file.control.value = '';
    messages.control.disabled = false;
    source.hidden = true;
    refreshPreview();
    messages.control.focus();
  });

  const STATUS = {
    ready: 'Waiting',
    queued: 'Waiting',
    running: 'Creating…',
    done: 'Created',
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
      );
      r.cells = { tr, status, code, linkCell };
      renderRowStatus(r);
      body.append(tr);
    });
    replace(
      tableWrap,
      h(
        'table',
        { class: 'qr-table batch-table' },
        h('caption', { class: 'visually-hidden', text: 'Batch rows and their status' }),
        h('thead', {}, h('tr', {}, ['#', 'Label', 'Message', 'Status', 'Code', 'Link'].map((t) => h('th', { scope: 'col', text: t })))),
        body,
      ),
    );
  }

  function counts() {
    const c = { total: rows.length, done: 0, failed: 0, invalid: 0, pending: 0 };
    for (const r of rows) {
      if (r.state === 'done') c.done += 1;
      else if (r.state === 'failed') c.failed += 1;
      else if (r.state === 'invalid') c.invalid += 1;
      else c.pending += 1;
    }
    return c;
  }

  function updateProgress() {
    const c = counts();
    const sendable = c.total - c.invalid;
    const finished = c.done + c.failed;
    const notSent = c.invalid ? ` ${fmt(c.invalid)} ${c.invalid === 1 ? 'row is' : 'rows are'} not valid and will not be sent.` : '';
    progress.max = Math.max(1, sendable);
    progress.value = finished;
    if (!c.total) progressText.textContent = 'Nothing to do yet.';
    else if (!started) progressText.textContent = `${fmt(sendable)} ${sendable === 1 ? 'QR code' : 'QR codes'} ready to create.${notSent}`;
    else progressText.textContent = `${fmt(finished)} of ${fmt(sendable)} finished: ${fmt(c.done)} created, ${fmt(c.failed)} failed.${notSent}`;
    const ready = rows.filter((r) => r.state === 'ready').length;
    const next = pending ? pendingReady : ready;
    start.textContent = next ? `Create ${fmt(next)} ${next === 1 ? 'QR code' : 'QR codes'}` : 'Create QR codes';
    retry.disabled = running || c.failed === 0;
    exportBtn.disabled = running || c.done + c.failed === 0;
    clearBtn.hidden = c.done + c.failed === 0;
    clearBtn.disabled = running;
    pendingNote.hidden = !pending;
    pendingNote.textContent = pending
      ? `The messages changed. The table still shows the ${running ? 'running' : 'last'} batch's results: export them if you need them. Starting a new batch with the changed messages replaces them, and so does "Clear results".`
      : '';
    if (pending) start.setAttribute('aria-describedby', pendingNote.id);
    else start.removeAttribute('aria-describedby');
  }

  /** The row's request: the batch's phone number, format and space, and its message. */
  function requestFor(r) {
    const req = { phoneNumber: batchPhone, prefilledMessage: r.message, generateQrImage: batchFormat };
    if (batchSpace) req.custSpaceId = batchSpace;
    return req;
  }

  /** A settled item on its row: created, failed, or (stopped before it was sent) ready again. */
  function settleRow(r, result) {
    if (result.ok) {
      r.qrdl = result.value.data;
      r.state = 'done';
    } else if (result.error?.code === 'Aborted') {
      r.state = 'ready';
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

  /**
   * Runs the given rows through the client's createQrdls: it paces them at the rate limit (no
   * one-second window holds more than 5), retries throttled and 5xx calls, and settles each row
   * on its own. Stop aborts the rows not yet sent.
   */
  async function run(todo) {
    let client;
    try {
      client = opts.getClient();
    } catch (err) {
      showError(alert, err, { title: 'Could not start the batch', operation: 'create', batch: true });
      return;
    }
    running = true;
    started = true;
    stopper = new AbortController();
    start.disabled = true;
    stop.disabled = false;
    form.setAttribute('aria-busy', 'true');
    clearError(alert);
    for (const r of todo) {
      r.state = 'queued';
      r.error = undefined;
      renderRowStatus(r);
    }
    updateProgress();
    announce(`Creating ${todo.length} QR codes, at most ${MAX_QPS} per second…`);
    try {
      await takeSnapshots(client, todo);
      const results = await client.createQrdls(todo.map((r) => r.req), {
        signal: stopper.signal,
        onProgress: (_done, _total, index, result) => settleRow(todo[index], result),
      });
      // Every row has settled through onProgress; this covers a client that did not report one.
      results.forEach((result, i) => {
        if (todo[i].state === 'queued') settleRow(todo[i], result);
      });
    } catch (err) {
      // Only a misuse of the API rejects the whole batch; its rows were not sent.
      for (const r of todo) {
        if (r.state === 'queued') {
          r.state = 'ready';
          renderRowStatus(r);
        }
      }
      showError(alert, err, { title: 'Could not run the batch', operation: 'create', batch: true });
    }
    const stopped = stopper.signal.aborted;
    stopper = null;
    running = false;
    start.disabled = false;
    stop.disabled = true;
    form.removeAttribute('aria-busy');
    updateProgress();
    const c = counts();
    const failed = rows.filter((r) => r.state === 'failed');
    if (failed.length) {
      showError(alert, failed[0].error, {
        title: `${fmt(failed.length)} of ${fmt(c.total)} rows failed`,
        operation: 'create',
        batch: true,
      });
    }
    announce(`${stopped ? 'Batch stopped' : 'Batch finished'}: ${c.done} created, ${c.failed} failed${c.invalid ? `, ${c.invalid} not sent` : ''}.`);
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (running) return;
    const ph = phone.control.value.trim();
    const badPhone = validate.phoneNumber(ph);
    phone.setError(badPhone);
    // A new batch (the messages changed, or nothing was sent yet) starts from the current
    // messages; otherwise the rows a Stop left unsent go on.
    const fresh = pending || rows.every((r) => r.state === 'ready' || r.state === 'invalid');
    const next = fresh ? parseRows() : rows;
    const noRows = next.length === 0 ? 'Paste at least one message, or load a CSV file.' : null;
    messages.setError(noRows);
    if (badPhone || noRows) {
      (badPhone ? phone : messages).control.focus();
      return;
    }
    if (fresh) newBatch(next);
    batchPhone = ph;
    batchFormat = format.value();
    batchSpace = space.control.value.trim() || undefined;
    // Rows never sent take the form's number, format and space as they are now, and the codes
    // their number has when they go (see takeSnapshots).
    for (const r of rows) {
      if (r.state !== 'ready') continue;
      r.req = requestFor(r);
      r.snapshot = undefined;
    }
    const todo = rows.filter((r) => r.state === 'ready');
    if (!todo.length) {
      messages.setError('Every row was already created or is not valid. Change the messages, or press "Clear results", to start a new batch.');
      return;
    }
    await run(todo);
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
    saveBlob(new Blob([toCsv(rows)], { type: 'text/csv;charset=utf-8' }), `qr-codes-${batchPhone.replace(/\D/g, '') || 'batch'}-${stamp}.csv`);
    announce('Exporting the batch as CSV.');
  });

  return {
    setPhone(v) {
      if (!phone.control.value) phone.control.value = v;
    },
  };
}
