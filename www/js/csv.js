// CSV in and out for batches. In: spreadsheets as people export them: the delimiter sniffed
// (comma, semicolon or tab), a UTF-8 BOM tolerated, quoted fields (RFC 4180), and columns found
// by their header's name in English or Chinese, in any case and order. Out: UTF-8 with a BOM (so
// Excel reads it as UTF-8), every cell guarded against formula injection.
// No DOM here: Node imports it in the tests.

/** The columns a batch understands, and the header names each goes by (compared normalised). */
export const COLUMN_NAMES = {
  phone: ['phone', 'phone number', 'phonenumber', 'number', 'mobile', 'mobile number', 'whatsapp', 'whatsapp number', 'tel', 'telephone', '电话', '电话号码', '手机', '手机号', '手机号码', '号码', 'whatsapp号码'],
  message: ['message', 'prefilled message', 'prefilledmessage', 'text', 'msg', '消息', '预填消息', '预设消息', '消息内容', '内容', '文本'],
  label: ['label', 'name', 'store', 'agent', 'campaign', 'tag', 'note', 'notes', '标签', '备注', '名称', '门店', '名字'],
  format: ['format', 'image format', 'generateqrimage', 'image', '格式', '图片格式', '图像格式'],
  space: ['space', 'space id', 'spaceid', 'custspaceid', 'cust space id', '空间', '空间id', '空间 id'],
};

/** A header cell as compared: NFKC (full-width letters and spaces), lower case, no spaces, _ or -. */
export function normalizeHeader(s) {
  return String(s ?? '')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-:：()（）]+/g, '');
}

const BY_NAME = new Map();
for (const [column, names] of Object.entries(COLUMN_NAMES)) for (const n of names) BY_NAME.set(normalizeHeader(n), column);

/** The column a header cell names, or null. */
export function columnFor(header) {
  return BY_NAME.get(normalizeHeader(header)) ?? null;
}

/**
 * The delimiter of a CSV text: of comma, semicolon and tab, the one that splits the first lines
 * (outside quotes) most consistently into more than one field.
 */
export function sniffDelimiter(text) {
  const lines = String(text).replace(/^\uFEFF/, '').split(/\r\n|\n|\r/).filter((l) => l.trim() !== '').slice(0, 10);
  let best = ',';
  let bestScore = -1;
  for (const d of [',', ';', '\t']) {
    const counts = lines.map((l) => countOutsideQuotes(l, d));
    if (!counts.length || counts[0] === 0) continue;
    const same = counts.filter((c) => c === counts[0]).length;
    const score = same * 100 + counts[0];
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

function countOutsideQuotes(line, d) {
  let n = 0;
  let q = false;
  for (const c of line) {
    if (c === '"') q = !q;
    else if (c === d && !q) n += 1;
  }
  return n;
}

/** Parses CSV text (RFC 4180: quotes, doubled quotes, CRLF) into rows of cells; blank rows dropped. */
export function parseCsv(text, delimiter = sniffDelimiter(text)) {
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
    if (c === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (c === delimiter) {
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

/**
 * Reads a batch from CSV text. Returns
 * `{ rows: [{message, label, named, phone?, format?, space?}], mapping: [{index, header, column}],
 *    header: boolean, delimiter, warning?: string, error?: string }`.
 * With a header row, columns go by name (unknown ones are ignored and listed); without one
 * recognised, the first column is the message and the second the label, and `warning` says so.
 */
export function readBatchCsv(text) {
  const delimiter = sniffDelimiter(text);
  const cells = parseCsv(text, delimiter);
  const result = { rows: [], mapping: [], header: false, delimiter, warning: undefined, error: undefined };
  if (!cells.length) {
    result.error = 'The file has no rows.';
    return result;
  }
  const first = cells[0];
  const found = first.map((h) => columnFor(h));
  const recognised = found.filter(Boolean).length;
  /** @type {Record<string, number>} */
  let index;
  if (recognised > 0) {
    result.header = true;
    index = {};
    first.forEach((h, i) => {
      const column = found[i];
      // The first column of a name wins; a second one of the same name is ignored (and shown so).
      const used = column && index[column] === undefined;
      if (used) index[column] = i;
      result.mapping.push({ index: i, header: h.trim(), column: used ? column : null });
    });
    if (index.message === undefined) {
      result.error = `No message column: the header row names ${first.map((h) => `“${h.trim()}”`).join(', ')}. Name the column with the messages “message” (or 消息).`;
      return result;
    }
    cells.shift();
  } else {
    index = { message: 0, label: 1 };
    result.mapping = first.map((_, i) => ({ index: i, header: '', column: i === 0 ? 'message' : i === 1 ? 'label' : null }));
    result.warning = 'No header recognised in the first row, so it is read as data: the first column as the message and the second as the label. To choose columns, start the file with a header row naming them: phone, message, label, format, space (or 电话, 消息, 标签, 格式, 空间).';
  }
  const at = (r, column) => (index[column] === undefined ? undefined : (r[index[column]] ?? '').trim());
  result.rows = cells.map((r, i) => {
    const given = at(r, 'label');
    const row = { message: index.message === undefined ? '' : (r[index.message] ?? ''), label: given || String(i + 1), named: Boolean(given) };
    for (const column of ['phone', 'format', 'space']) {
      const v = at(r, column);
      if (v !== undefined && v !== '') row[column] = v;
    }
    return row;
  });
  return result;
}

/** A CSV cell: quoted when needed; a cell a spreadsheet would run as a formula gets a leading '. */
export function csvCell(v) {
  let s = String(v ?? '');
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n;\t]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text from a header and rows of cells, CRLF line ends, starting with a UTF-8 BOM. */
export function toCsvText(header, rows) {
  return `\uFEFF${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
