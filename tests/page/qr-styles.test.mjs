// Every styled code decodes in Chromium with an independent decoder (jsQR, run in the page so
// only text crosses back): renderQrSvg drawn by the browser's SVG renderer, renderQrPng decoded
// by the browser's image decoder, and renderQrPdf rasterised by pdf.js (pdfjs-dist) — for each
// error-correction level, module shape, colour pair, logo (PNG and, in SVG, JPEG) and frame
// text. The modules come from www/pkg (scripts/build-wasm.sh).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, decodePng, launchBrowser, openPage, startStaticServer } from './helpers.mjs';

const LINK = 'https://wa.me/message/ABCDEFGHIJKL1';
const env = { server: null, browser: null };
const pdfjs = (name) => readFileSync(path.join(ROOT, 'node_modules/pdfjs-dist/build', name));

before(async () => {
  env.server = await startStaticServer({
    '/blank.html': '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>qr</title>',
    // Served as .js: the static host knows that type.
    '/pdfjs/pdf.js': pdfjs('pdf.min.mjs'),
    '/pdfjs/pdf.worker.js': pdfjs('pdf.worker.min.mjs'),
    '/jsqr.js': readFileSync(path.join(ROOT, 'node_modules/jsqr/dist/jsQR.js')),
  });
  env.browser = await launchBrowser();
});

after(async () => {
  await env.browser?.close();
  await env.server?.close();
});

/** The option combinations: levels × shapes × colours × logo × frame text. */
function combinations() {
  const out = [];
  for (const ecLevel of ['L', 'M', 'Q', 'H']) {
    for (const moduleShape of ['square', 'rounded', 'dots']) {
      for (const colours of [{}, { foreground: '#1b2a6b', background: '#fff8e7', margin: 2 }, { foreground: '#ffffff', background: '#0b3d2e', allowInverted: true }]) {
        for (const logo of [false, true]) {
          for (const frameText of [undefined, 'Scan to chat with us']) {
            out.push({ ecLevel, moduleShape, ...colours, logo, frameText });
          }
        }
      }
    }
  }
  return out;
}

test('SVG, PNG and PDF of every option combination decode to the exact deep link in Chromium', async () => {
  const { page, context, assertNoConsoleErrors } = await openPage(env.browser, new URL('blank.html', env.server.url).href);
  try {
    await page.evaluate(async () => {
      const qr = await import('/pkg/cams_qrdl_qr.js');
      const ex = await import('/pkg/cams_qrdl_export.js');
      await qr.default();
      await ex.default();
      const pdfjsLib = await import('/pdfjs/pdf.js');
      await new Promise((res, rej) => {
        const s = document.createElement('script');
        s.src = '/jsqr.js';
        s.onload = res;
        s.onerror = rej;
        document.head.append(s);
      });
      pdfjsLib.GlobalWorkerOptions.workerSrc = '/pdfjs/pdf.worker.js';
      // A logo: an orange disc with a white bar, as PNG and as JPEG.
      const c = document.createElement('canvas');
      c.width = c.height = 96;
      const g = c.getContext('2d');
      g.fillStyle = '#e8590c';
      g.beginPath();
      g.arc(48, 48, 46, 0, Math.PI * 2);
      g.fill();
      g.fillStyle = '#fff';
      g.fillRect(14, 40, 68, 16);
      const pngLogo = c.toDataURL('image/png');
      const white = document.createElement('canvas');
      white.width = white.height = 96;
      const w = white.getContext('2d');
      w.fillStyle = '#fff';
      w.fillRect(0, 0, 96, 96);
      w.drawImage(c, 0, 0);
      const jpegLogo = white.toDataURL('image/jpeg', 0.9);
      // The canvas decoded as a QR code; a light-on-dark one inverted first, as a scanner that
      // reads inverted codes does (jsQR's own attemptBoth misses some, and its onlyInvert throws).
      const decode = (canvas, inverted) => {
        const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        if (inverted) {
          for (let i = 0; i < d.data.length; i += 4) {
            d.data[i] = 255 - d.data[i];
            d.data[i + 1] = 255 - d.data[i + 1];
            d.data[i + 2] = 255 - d.data[i + 2];
          }
        }
        return window.jsQR(d.data, d.width, d.height, { inversionAttempts: 'dontInvert' })?.data ?? null;
      };
      const load = async (blob) => {
        const url = URL.createObjectURL(blob);
        const img = new Image();
        await new Promise((res, rej) => {
          img.onload = res;
          img.onerror = () => rej(new Error('the image does not load'));
          img.src = url;
        });
        URL.revokeObjectURL(url);
        return img;
      };
      window.qrTest = {
        async svg(text, options, jpeg) {
          const o = { ...options, logo: options.logo ? (jpeg ? jpegLogo : pngLogo) : undefined };
          const img = await load(new Blob([qr.renderQrSvg(text, o)], { type: 'image/svg+xml' }));
          const canvas = document.createElement('canvas');
          canvas.width = 480;
          canvas.height = Math.round((480 * img.naturalHeight) / img.naturalWidth);
          canvas.getContext('2d').drawImage(img, 0, 0, canvas.width, canvas.height);
          return decode(canvas, !!options.allowInverted);
        },
        async png(text, options) {
          const o = { ...options, logo: options.logo ? pngLogo : undefined, sizePx: 400 };
          const img = await load(new Blob([ex.renderQrPng(text, o)], { type: 'image/png' }));
          const canvas = document.createElement('canvas');
          canvas.width = img.naturalWidth;
          canvas.height = img.naturalHeight;
          canvas.getContext('2d').drawImage(img, 0, 0);
          return { text: decode(canvas, !!options.allowInverted), width: canvas.width };
        },
        async pdf(text, options) {
          const o = { ...options, logo: options.logo ? pngLogo : undefined, sizeMm: 30 };
          const bytes = ex.renderQrPdf(text, o);
          const doc = await pdfjsLib.getDocument({ data: bytes }).promise;
          const pdfPage = await doc.getPage(1);
          // 30 mm is 85 pt: drawn at 5× for about 425 pixels across.
          const viewport = pdfPage.getViewport({ scale: 5 });
          const canvas = document.createElement('canvas');
          canvas.width = Math.ceil(viewport.width);
          canvas.height = Math.ceil(viewport.height);
          await pdfPage.render({ canvasContext: canvas.getContext('2d'), viewport }).promise;
          const out = { text: decode(canvas, !!options.allowInverted), pages: doc.numPages, images: 0 };
          const ops = await pdfPage.getOperatorList();
          out.images = ops.fnArray.filter((f) => f === pdfjsLib.OPS.paintImageXObject).length;
          await doc.destroy();
          return out;
        },
      };
    });

    const failures = [];
    let checked = 0;
    for (const options of combinations()) {
      const what = JSON.stringify(options);
      const svg = await page.evaluate(([t, o]) => window.qrTest.svg(t, o, false), [LINK, options]);
      if (svg !== LINK) failures.push(`SVG ${what}: ${svg}`);
      const png = await page.evaluate(([t, o]) => window.qrTest.png(t, o), [LINK, options]);
      if (png.text !== LINK) failures.push(`PNG ${what}: ${png.text}`);
      const pdf = await page.evaluate(([t, o]) => window.qrTest.pdf(t, o), [LINK, options]);
      assert.equal(pdf.pages, 1);
      // Vector: the only image in the PDF is the logo.
      assert.equal(pdf.images, options.logo ? 1 : 0, `PDF images ${what}`);
      if (pdf.text !== LINK) failures.push(`PDF ${what}: ${pdf.text}`);
      checked += 1;
    }
    assert.deepEqual(failures, []);
    assert.equal(checked, 4 * 3 * 3 * 2 * 2);

    // A JPEG logo in the SVG.
    const jpeg = await page.evaluate(([t]) => window.qrTest.svg(t, { logo: true }, true), [LINK]);
    assert.equal(jpeg, LINK, 'SVG with a JPEG logo');
    assertNoConsoleErrors();
  } finally {
    await context.close();
  }
});

test('the guards throw CamsError InvalidParameter, shaped like the other modules\' errors', async () => {
  const { page, context } = await openPage(env.browser, new URL('blank.html', env.server.url).href);
  try {
    const errors = await page.evaluate(async (t) => {
      const qr = await import('/pkg/cams_qrdl_qr.js');
      const ex = await import('/pkg/cams_qrdl_export.js');
      const tools = await import('/pkg/cams_qrdl_tools.js');
      await qr.default();
      await ex.default();
      await tools.default();
      const caught = (f) => {
        try {
          f();
          return null;
        } catch (e) {
          return { isError: e instanceof Error, name: e.name, keys: Object.keys(e), code: e.code, field: e.field, message: e.message, retryable: e.retryable };
        }
      };
      return [
        caught(() => qr.renderQrSvg(t, { foreground: '#999999' })),
        caught(() => qr.renderQrSvg(t, { forground: '#000' })),
        caught(() => ex.renderQrPng(t, { background: '#000', foreground: '#fff' })),
        caught(() => ex.renderQrPdf(t, { logo: 'data:image/png;base64,iVBORw0KGgo=', logoSize: 0.5 })),
        caught(() => qr.renderQrSvg('x'.repeat(3000))),
        // The tools module's errors (serialized by serde-wasm-bindgen) for the shape.
        caught(() => tools.signRpcRequest('GET', {}, 5)),
      ];
    }, LINK);
    const reference = errors.pop();
    assert.equal(reference.code, 'InvalidParameter');
    const keys = reference.keys;
    assert.ok(keys.includes('field') && keys.includes('relayCode'), keys.join());
    const fields = ['options.foreground', 'options', 'options.foreground', 'options.logoSize', 'text'];
    errors.forEach((e, i) => {
      assert.ok(e, `call ${i} throws`);
      assert.equal(e.isError, true);
      assert.equal(e.name, 'CamsError');
      assert.deepEqual(e.keys, keys);
      assert.equal(e.code, 'InvalidParameter');
      assert.equal(e.retryable, false);
      assert.equal(e.field, fields[i], e.message);
    });
    assert.match(errors[0].message, /contrast of 2\.8:1/);
    assert.match(errors[1].message, /Unknown option "forground"/);
    assert.match(errors[2].message, /allowInverted/);
  } finally {
    await context.close();
  }
});

test('PNG sizes from 128 to 4096 pixels decode, at whole-pixel modules', async () => {
  const { page, context } = await openPage(env.browser, new URL('blank.html', env.server.url).href);
  try {
    for (const sizePx of [128, 256, 300, 1000, 2048, 4096]) {
      const bytes = await page.evaluate(
        async ([t, sizePx]) => {
          const ex = await import('/pkg/cams_qrdl_export.js');
          await ex.default();
          return Array.from(ex.renderQrPng(t, { sizePx }));
        },
        [LINK, sizePx],
      );
      const { text, width } = decodePng(Buffer.from(bytes));
      assert.equal(width, sizePx);
      assert.equal(text, LINK, `${sizePx} px`);
    }
  } finally {
    await context.close();
  }
});
