// www/js/csv.js on its own (no browser): columns by header name in English and Chinese, the
// delimiter sniffed, a BOM tolerated, quoted fields, the warning when no header is recognised,
// and an export that Excel reads as UTF-8 with formula-like cells defused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnFor, csvCell, parseCsv, readBatchCsv, sniffDelimiter, toCsvText } from '../../www/js/csv.js';

test('headers are matched whatever their case, spacing or language', () => {
  for (const [header, column] of [
    ['Phone', 'phone'], ['PHONE NUMBER', 'phone'], ['phone_number', 'phone'], ['电话', 'phone'], ['手机号', 'phone'], ['ｐｈｏｎｅ', 'phone'],
    ['Message', 'message'], ['Prefilled message', 'message'], ['消息', 'message'], ['预填消息', 'message'],
    ['Label', 'label'], ['标签', 'label'], ['备注', 'label'],
    ['Format', 'format'], ['格式', 'format'],
    ['Space', 'space'], ['Space ID', 'space'], ['CustSpaceId', 'space'], ['空间', 'space'],
    ['Nachricht', null], ['', null],
  ]) assert.equal(columnFor(header), column, header);
});

test('the delimiter is sniffed: comma, semicolon or tab', () => {
  assert.equal(sniffDelimiter('phone,message\n1,"a; b"\n'), ',');
  assert.equal(sniffDelimiter('phone;message\n1;"a, b"\n'), ';');
  assert.equal(sniffDelimiter('phone\tmessage\n1\ta, b; c\n'), '\t');
  assert.equal(sniffDelimiter('just one column\nsecond line\n'), ',');
});

test('a Chinese spreadsheet export: BOM, semicolons, columns in any order, per-row numbers', () => {
  const text = '\uFEFF备注;消息;电话;格式;其他\r\n北京店;"你好; 我想了解更多";8613800001234;svg;x\r\n上海店;"Hi ""there""";6591234567;;y\r\n';
  const info = readBatchCsv(text);
  assert.equal(info.header, true);
  assert.equal(info.delimiter, ';');
  assert.equal(info.warning, undefined);
  assert.deepEqual(info.mapping.map((m) => [m.header, m.column]), [['备注', 'label'], ['消息', 'message'], ['电话', 'phone'], ['格式', 'format'], ['其他', null]]);
  assert.deepEqual(info.rows, [
    { message: '你好; 我想了解更多', label: '北京店', named: true, phone: '8613800001234', format: 'svg' },
    { message: 'Hi "there"', label: '上海店', named: true, phone: '6591234567' },
  ]);
});

test('no header recognised: read as message,label, with a clear warning', () => {
  const info = readBatchCsv('Hello from Orchard,orchard\nHello from Marina,marina\n');
  assert.equal(info.header, false);
  assert.match(info.warning, /No header recognised/);
  assert.match(info.warning, /phone, message, label, format, space/);
  assert.deepEqual(info.rows.map((r) => [r.message, r.label]), [['Hello from Orchard', 'orchard'], ['Hello from Marina', 'marina']]);
});

test('a header without a message column is refused with the names it has', () => {
  const info = readBatchCsv('phone,label\n8613800001234,x\n');
  assert.match(info.error, /No message column/);
  assert.match(info.error, /“phone”, “label”/);
  assert.match(readBatchCsv('').error, /no rows/);
});

test('tabs, quoted newlines, blank lines; unlabelled rows are numbered', () => {
  const info = readBatchCsv('Message\tLabel\n"two\nlines"\t\n\nplain\tp\n');
  assert.deepEqual(info.rows.map((r) => [r.message, r.label, r.named]), [['two\nlines', '1', false], ['plain', 'p', true]]);
  assert.deepEqual(parseCsv('a,b\r\n"c,""d""",e\r\n', ','), [['a', 'b'], ['c,"d"', 'e']]);
});

test('export: a UTF-8 BOM, CRLF, quoting, and formula-like cells defused', () => {
  for (const [v, want] of [['=SUM(A1)', "'=SUM(A1)"], ['+1', "'+1"], ['-2', "'-2"], ['@x', "'@x"], ['a,b', '"a,b"'], ['a;b', '"a;b"'], ['say "hi"', '"say ""hi"""'], ['你好', '你好']]) {
    assert.equal(csvCell(v), want, v);
  }
  const text = toCsvText(['phone', 'message'], [['8613800001234', '=1+1']]);
  assert.ok(text.startsWith('\uFEFFphone,message\r\n'));
  assert.ok(text.endsWith("8613800001234,'=1+1\r\n"));
});
