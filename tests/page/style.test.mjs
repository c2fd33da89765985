// One print style for every download on the page: set in any "Customise the downloads" panel (the
// result card's, My QR codes', the batch's), it applies to the result card's SVG/PNG/PDF, the
// batch's ZIP and <cams-qrdl>'s downloads; a logo uploaded (PNG, or a JPEG the page redraws as
// PNG) is in the preview and the downloads, which still decode; the guards speak the page's
// language.

import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { PNG } from 'pngjs';
import { SCREENSHOTS, createViaForm, decodePng, decodeSvgInPage, download, openPage, pdfWidths, pageReady, useRelayAndBrowser } from './helpers.mjs';

const env = useRelayAndBrowser({ before, after, beforeEach, afterEach });

const NAVY = [0x1b, 0x2a, 0x6b];

/** How many of a PNG's pixels are exactly `rgb`, and how many are pure black. */
function pixelCounts(buffer, rgb) {
  const png = PNG.sync.read(buffer);
  let match = 0;
  let black = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = png.data.subarray(i, i + 3);
    if (r === rgb[0] && g === rgb[1] && b === rgb[2]) match += 1;
    if (r === 0 && g === 0 && b === 0) black += 1;
  }
  return { match, black, width: png.width, height: png.height, png };
}

/** The average colour of a PNG's centre square, `side` pixels wide. */
function centreColour(png, side) {
  const x0 = Math.floor((png.width - side) / 2);
  const y0 = Math.floor((png.width - side) / 2);
  const sum = [0, 0, 0];
  for (let y = y0; y < y0 + side; y += 1) {
    for (let x = x0; x < x0 + side; x += 1) {
      const i = (y * png.width + x) * 4;
      for (let c = 0; c < 3; c += 1) sum[c] += png.data[i + c];
    }
  }
  return sum.map((v) => Math.round(v / (side * side)));
}

/** The SVG the panel's preview shows. */
async function previewSvg(panel) {
  const src = await panel.locator('img.style-preview-img').getAttribute('src');
  return decodeURIComponent(src.slice(src.indexOf(',') + 1));
}

test('a style set in the result card applies to its downloads and to the batch ZIP (SVG, PNG, PDF, sizes), set in one panel shown in the others', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    const card = await createViaForm(page, { phone: '8613800008181', message: 'Styled card' });
    const link = await card.locator('a.deep-link').getAttribute('href');
    const code = (await card.locator('.qrdl-code').textContent()).trim();

    // The card has the panel: a colour and a frame text.
    await card.getByText('Customise the downloads').click();
    await card.getByLabel('Foreground').fill('#1b2a6b');
    await card.getByLabel('Frame text').fill('Scan to chat');
    await page.waitForFunction(() => decodeURIComponent(document.querySelector('#create img.style-preview-img')?.getAttribute('src') ?? '').includes('Scan to chat'));
    assert.equal(await decodeSvgInPage(page, await previewSvg(card)), link, 'the preview draws this code');

    const svg = await download(page, () => card.getByRole('button', { name: 'Download SVG' }).click());
    const svgText = svg.buffer.toString('utf8');
    assert.match(svgText, /#1b2a6b/i);
    assert.match(svgText, /Scan to chat/);
    assert.equal(await decodeSvgInPage(page, svgText), link);

    await card.getByLabel('PNG size').selectOption('512');
    const png = await download(page, () => card.getByRole('button', { name: 'Download PNG' }).click());
    assert.equal(png.name, `${code}-512.png`);
    const counts = pixelCounts(png.buffer, NAVY);
    assert.equal(counts.width, 512);
    assert.ok(counts.match > 10_000, `navy modules (${counts.match} navy pixels)`);
    assert.equal(counts.black, 0, 'no black pixels: every dark module is navy');
    assert.equal(decodePng(png.buffer).text, link);

    const pdf = await download(page, () => card.getByRole('button', { name: 'Download PDF' }).click());
    assert.ok(Math.abs(pdfWidths(pdf.buffer).codeMm - 30) < 1e-3, 'the default 30 mm');

    // The batch: its panel shows the same style (PNG size 512 included); a PDF width set there
    // applies to the ZIP, and the card's PDF too.
    const batch = page.locator('#batch');
    await batch.getByLabel('Phone number').fill('8613800008181');
    await batch.getByLabel('Messages, one per line').fill('Hello A\nHello B');
    await batch.getByRole('button', { name: 'Create 2 QR codes' }).click();
    await batch.locator('.progress-text', { hasText: '2 of 2 finished: 2 created, 0 failed' }).waitFor({ timeout: 30_000 });
    const panel = batch.locator('details.customise');
    await panel.getByText('Customise the downloads').click();
    assert.equal(await panel.getByLabel('Foreground').inputValue(), '#1b2a6b');
    assert.equal(await panel.getByLabel('Frame text').inputValue(), 'Scan to chat');
    assert.equal(await panel.getByLabel('PNG size').inputValue(), '512');
    await panel.getByLabel('PDF width (mm)').fill('40');
    const csv = await download(page, () => batch.getByRole('button', { name: 'Export CSV' }).click());
    const links = csv.buffer.toString('utf8').match(/https:\/\/wa\.me\/message\/\w+/g);
    const zip = await download(page, () => batch.getByRole('button', { name: 'Download ZIP' }).click());
    const files = unzipSync(new Uint8Array(zip.buffer));
    const stems = Object.keys(files).filter((n) => n.endsWith('.svg')).map((n) => n.slice(0, -4));
    assert.equal(stems.length, 2);
    for (const stem of stems) {
      const l = `https://wa.me/message/${stem}`;
      assert.ok(links.includes(l), `${stem} is a created code`);
      const s = Buffer.from(files[`${stem}.svg`]).toString('utf8');
      assert.match(s, /#1b2a6b/i, `${stem}.svg in navy`);
      assert.match(s, /Scan to chat/, `${stem}.svg with its frame text`);
      assert.equal(await decodeSvgInPage(page, s), l, `${stem}.svg decodes`);
      const p = pixelCounts(Buffer.from(files[`${stem}.png`]), NAVY);
      assert.equal(p.width, 512, `${stem}.png at the style's size`);
      assert.ok(p.match > 10_000 && p.black === 0, `${stem}.png in navy`);
      assert.equal(decodePng(Buffer.from(files[`${stem}.png`])).text, l, `${stem}.png decodes`);
      assert.ok(Math.abs(pdfWidths(Buffer.from(files[`${stem}.pdf`])).codeMm - 40) < 1e-3, `${stem}.pdf 40 mm wide`);
    }
    const pdf40 = await download(page, () => card.getByRole('button', { name: 'Download PDF' }).click());
    assert.ok(Math.abs(pdfWidths(pdf40.buffer).codeMm - 40) < 1e-3, 'the card follows the width set in the batch');

    // A style the guards refuse is not used: the ZIP button opens the panel on the message.
    await panel.getByLabel('Foreground').fill('#dddddd');
    await panel.locator('.style-error').waitFor();
    await panel.evaluate((d) => { d.open = false; });
    let downloads = 0;
    page.on('download', () => { downloads += 1; });
    await batch.getByRole('button', { name: 'Download ZIP' }).click();
    await page.locator('#status', { hasText: 'The style cannot be used' }).waitFor();
    assert.equal(await panel.evaluate((d) => d.open), true, 'the panel opened');
    assert.match(await panel.locator('.style-error').textContent(), /contrast of 1\.\d:1/);
    assert.equal(downloads, 0);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('<cams-qrdl> downloads in the remembered style, and its card has the panel', async () => {
  const url = new URL('embed-example.html', env.relay.url).href;
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, url);
  try {
    await page.evaluate(() => localStorage.setItem('cams-qrdl:style:v1', JSON.stringify({ foreground: '#1b2a6b', frameText: 'Scan me', sizePx: 512 })));
    await page.reload();
    await page.waitForSelector('cams-qrdl[data-ready="true"]');
    const el = page.locator('cams-qrdl');
    await el.getByRole('button', { name: 'Create QR code' }).click();
    const card = el.locator('article.result');
    await card.waitFor();
    const link = await card.locator('a.deep-link').getAttribute('href');
    await card.getByText('Customise the downloads').click();
    assert.equal(await card.getByLabel('Foreground').inputValue(), '#1b2a6b');
    const svg = await download(page, () => card.getByRole('button', { name: 'Download SVG' }).click());
    assert.match(svg.buffer.toString('utf8'), /#1b2a6b/i);
    assert.match(svg.buffer.toString('utf8'), /Scan me/);
    assert.equal(await decodeSvgInPage(page, svg.buffer.toString('utf8')), link);
    const png = await download(page, () => card.getByRole('button', { name: 'Download PNG' }).click());
    assert.match(png.name, /-512\.png$/);
    const counts = pixelCounts(png.buffer, NAVY);
    assert.ok(counts.match > 10_000 && counts.black === 0, 'navy modules');
    assert.equal(decodePng(png.buffer).text, link);
    const pdf = await download(page, () => card.getByRole('button', { name: 'Download PDF' }).click());
    assert.match(pdf.name, /\.pdf$/);
    assert.ok(Math.abs(pdfWidths(pdf.buffer).codeMm - 30) < 1e-3, 'the default 30 mm');
    assert.match(pdf.buffer.toString('latin1'), /^%PDF-/);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('a logo uploaded through the panel (PNG, and a JPEG redrawn as PNG) is in the preview and the downloads, which still decode', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    const card = await createViaForm(page, { phone: '8613800008282', message: 'With a logo' });
    const link = await card.locator('a.deep-link').getAttribute('href');
    await card.getByText('Customise the downloads').click();

    // A 64×64 PNG made here: a red disc with a white ring, transparent around it.
    const red = new PNG({ width: 64, height: 64 });
    for (let y = 0; y < 64; y += 1) {
      for (let x = 0; x < 64; x += 1) {
        const r = Math.hypot(x - 31.5, y - 31.5);
        red.data.set(r < 22 ? [0xe0, 0x10, 0x10, 0xff] : r < 26 ? [0xff, 0xff, 0xff, 0xff] : r < 31 ? [0xe0, 0x10, 0x10, 0xff] : [0, 0, 0, 0], (y * 64 + x) * 4);
      }
    }
    await card.getByLabel('Logo (PNG or JPEG)').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG.sync.write(red) });
    await card.getByRole('button', { name: 'Remove logo' }).waitFor();
    await page.waitForFunction(() => decodeURIComponent(document.querySelector('#create img.style-preview-img')?.getAttribute('src') ?? '').includes('data:image/png;base64,'));
    assert.equal(await decodeSvgInPage(page, await previewSvg(card)), link, 'the preview with its logo decodes');

    const svg = await download(page, () => card.getByRole('button', { name: 'Download SVG' }).click());
    assert.match(svg.buffer.toString('utf8'), /<image[^>]+data:image\/png;base64,/);
    assert.equal(await decodeSvgInPage(page, svg.buffer.toString('utf8')), link);
    await card.getByLabel('PNG size').selectOption('1024');
    const png = await download(page, () => card.getByRole('button', { name: 'Download PNG' }).click());
    const decoded = PNG.sync.read(png.buffer);
    const [r, g, b] = centreColour(decoded, 40);
    assert.ok(r > 200 && g < 40 && b < 40, `the centre is the red logo (${r},${g},${b})`);
    assert.equal(decodePng(png.buffer).text, link);

    // Branded: navy on cream, rounded modules, a call to action; still decodes. The README's
    // picture of a styled code is this PNG (scripts/readme-pictures.sh copies it).
    await card.getByLabel('Foreground').fill('#1b2a6b');
    await card.getByLabel('Background').fill('#fff8e7');
    await card.getByLabel('Module shape').selectOption('rounded');
    await card.getByLabel('Frame text').fill('Scan to chat with us');
    await card.getByLabel('PNG size').selectOption('512');
    const branded = await download(page, () => card.getByRole('button', { name: 'Download PNG' }).click());
    assert.equal(decodePng(branded.buffer).text, link, 'the branded PNG decodes');
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeFileSync(`${SCREENSHOTS}/readme-styled-code.png`, branded.buffer);
    await card.getByRole('button', { name: 'Reset style' }).click();
    await card.getByLabel('PNG size').selectOption('1024');

    // A JPEG (made by the browser's canvas): redrawn as a PNG, so the export module takes it.
    const jpeg = Buffer.from(await page.evaluate(async () => {
      const c = document.createElement('canvas');
      c.width = 80;
      c.height = 80;
      const ctx = c.getContext('2d');
      ctx.fillStyle = '#1040e0';
      ctx.fillRect(0, 0, 80, 80);
      const blob = await new Promise((res) => c.toBlob(res, 'image/jpeg', 0.95));
      return Array.from(new Uint8Array(await blob.arrayBuffer()));
    }));
    assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG');
    const before = await previewSvg(card);
    await card.getByLabel('Logo (PNG or JPEG)').setInputFiles({ name: 'logo.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await page.waitForFunction((old) => {
      const src = document.querySelector('#create img.style-preview-img')?.getAttribute('src') ?? '';
      return decodeURIComponent(src.slice(src.indexOf(',') + 1)) !== old;
    }, before);
    const svgJ = await previewSvg(card);
    assert.match(svgJ, /data:image\/png;base64,/, 'the JPEG became a PNG');
    assert.doesNotMatch(svgJ, /data:image\/jpeg/);
    const pngJ = await download(page, () => card.getByRole('button', { name: 'Download PNG' }).click());
    const [r2, g2, b2] = centreColour(PNG.sync.read(pngJ.buffer), 40);
    assert.ok(b2 > 200 && r2 < 40 && g2 < 90, `the centre is the blue logo (${r2},${g2},${b2})`);
    assert.equal(decodePng(pngJ.buffer).text, link);
    const pdf = await download(page, () => card.getByRole('button', { name: 'Download PDF' }).click());
    assert.equal(pdf.buffer.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.match(pdf.buffer.toString('latin1'), /\/Subtype\s*\/Image/, 'the PDF holds the logo image');

    // The logo is not remembered (only for this page's life): not in storage.
    assert.doesNotMatch(await page.evaluate(() => localStorage.getItem('cams-qrdl:style:v1')), /base64|logo/);
    // Removed: the downloads have no logo again.
    await card.getByRole('button', { name: 'Remove logo' }).click();
    const plain = await download(page, () => card.getByRole('button', { name: 'Download SVG' }).click());
    assert.doesNotMatch(plain.buffer.toString('utf8'), /<image/);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('in Chinese, the guards\' messages show in Chinese beside the form', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, { locale: 'zh-CN' });
  try {
    await pageReady(page);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    const form = page.locator('#create');
    await form.getByLabel('手机号码').fill('8613800008383');
    await form.locator('textarea').fill('你好');
    await form.locator('button[type="submit"]').click();
    const card = form.locator('article.result');
    await card.waitFor();
    await card.getByText('自定义下载样式').click();
    await card.getByLabel('前景色').fill('#dddddd');
    const error = card.locator('.style-error');
    await error.waitFor();
    const text = await error.textContent();
    assert.match(text, /前景色 #dddddd 与背景色 #ffffff 的对比度只有 1\.\d:1，扫码器至少需要 4\.5:1/);
    assert.doesNotMatch(text, /contrast|scanners/);
    // Light on dark, too.
    await card.getByLabel('前景色').fill('#ffffff');
    await card.getByLabel('背景色').fill('#000000');
    await error.filter({ hasText: '更浅' }).waitFor();
    // And a download refused by the export module (frame text it cannot draw) says so in Chinese.
    await card.getByLabel('前景色').fill('#000000');
    await card.getByLabel('背景色').fill('#ffffff');
    await error.waitFor({ state: 'hidden' });
    await card.getByLabel('边框文字').fill('扫码聊天');
    await card.locator('button.download-png').click();
    const alert = card.locator('.downloads .alert');
    await alert.filter({ hasText: '边框文字含有 PNG 和 PDF 导出无法绘制的字符' }).waitFor();
    assert.doesNotMatch(await alert.textContent(), /cannot draw/);
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('the result card with its panel open fits 390 px, light and dark, without sideways scrolling', async () => {
  for (const [name, options] of [
    ['style-card-light', { colorScheme: 'light' }],
    ['style-card-dark', { colorScheme: 'dark' }],
    ['style-card-390', { colorScheme: 'light', viewport: { width: 390, height: 844 } }],
  ]) {
    const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url, options);
    try {
      await pageReady(page);
      const card = await createViaForm(page, { phone: '8613800008484', message: 'Fits' });
      await card.getByText('Customise the downloads').click();
      await card.locator('img.style-preview-img').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, `${name}: no sideways scrolling`);
      await card.screenshot({ path: `${SCREENSHOTS}/${name}.png`, animations: 'disabled' });
      assertNoConsoleErrors();
    } finally {
      await context.close();
    }
  }
});

test('every guard the QR and export modules have is shown in the page\'s language (the English kept word for word)', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, env.relay.url);
  try {
    await pageReady(page);
    const results = await page.evaluate(async () => {
      const { localizeProblem } = await import('./js/validate.js');
      const { loadQrModule } = await import('./js/client.js');
      const { loadExportModule } = await import('./js/download.js');
      const qr = await loadQrModule();
      const ex = await loadExportModule();
      const link = 'https://wa.me/message/ABCDEFGH';
      const bytes = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0));
      const cases = [
        ['svg', link, { foreground: '#dddddd' }, 'style.guard.contrast'],
        ['svg', link, { foreground: '#ffffff', background: '#000000' }, 'style.guard.inverted'],
        ['svg', link, { margin: 1 }, 'style.guard.marginNarrow'],
        ['svg', link, { margin: 40 }, 'style.guard.marginWide'],
        ['svg', link, { frameText: 'x'.repeat(31) }, 'style.guard.frameLong'],
        ['svg', link, { frameText: 'a\nb' }, 'style.guard.frameLine'],
        ['svg', link, { forground: '#000000' }, 'style.guard.unknownOption'],
        ['svg', 'x'.repeat(3000), {}, 'style.guard.textLong'],
        ['svg', '', {}, 'style.guard.textEmpty'],
        ['svg', link, { foreground: 'navy' }, 'style.guard.colour'],
        ['svg', link, { logoSize: 0.3 }, 'style.guard.logoSize'],
        ['svg', link, { logo: 'not a data url' }, 'style.guard.logoData'],
        ['svg', link, { logo: bytes('plain text, not an image') }, 'style.guard.logoType'],
        ['png', link, { frameText: '扫码' }, 'style.guard.frameChars'],
        ['png', link, { sizePx: 10 }, 'style.guard.sizePxRange'],
        ['png', link, { sizePx: 64, margin: 16 }, 'style.guard.sizePxSmall'],
        ['png', link, { dpi: 10 }, 'style.guard.dpiRange'],
        ['png', link, { logo: bytes('\xff\xd8\xff\xe0\x00\x10JFIF\x00') }, 'style.guard.logoJpeg'],
        ['png', link, { logo: bytes('GIF89a\x01\x00\x01\x00') }, 'style.guard.logoExportType'],
        ['png', link, { logo: bytes('\x89PNG\r\n\x1a\nbroken') }, 'style.guard.logoBroken'],
        ['pdf', link, { sizeMm: 10 }, 'style.guard.sizeMmRange'],
      ];
      const out = [];
      for (const [format, text, options, want] of cases) {
        try {
          if (format === 'svg') qr.renderQrSvg(text, options);
          else if (format === 'png') ex.renderQrPng(text, options);
          else ex.renderQrPdf(text, options);
          out.push({ want, error: null });
        } catch (err) {
          const m = localizeProblem(err.message);
          out.push({ want, code: err.code, key: m.key, message: err.message, en: m.in('en'), zh: m.in('zh-CN') });
        }
      }
      return out;
    });
    for (const r of results) {
      assert.ok(r.message, `${r.want}: the module refused`);
      assert.equal(r.code, 'InvalidParameter', r.want);
      assert.equal(r.key, r.want, `"${r.message}" is matched`);
      assert.equal(r.en, r.message, `${r.want}: the English is the module's`);
      assert.notEqual(r.zh, r.message, `${r.want}: a Chinese text`);
      assert.match(r.zh, /[\u4e00-\u9fff]/, `${r.want}: a Chinese text`);
    }
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});
