// QR images rendered locally from the deep link with the QR module's renderQrSvg: they work
// offline and never expire, unlike the service's QrImageUrl. The module (pkg/cams_qrdl_qr.js) is
// loaded on first use; PNG and PDF come from the export module (pkg/cams_qrdl_export.js:
// whole-pixel modules and the DPI in the PNG, a vector PDF), loaded on the first such download.

import { loadQrModule } from './client.js';

export const PNG_SIZES = [256, 512, 1024, 2048];
export const DEFAULT_PNG_SIZE = 1024;

/** The SVG text for a deep link, in `style` (the QR module's options; none: black on white). */
export async function qrSvg(text, style = undefined) {
  return (await loadQrModule()).renderQrSvg(text, style);
}

export async function svgBlob(text, style = undefined) {
  return new Blob([await qrSvg(text, style)], { type: 'image/svg+xml' });
}

/** A blob: URL of the locally rendered SVG, for an <img> (no markup is parsed into the page). */
export async function svgObjectUrl(text) {
  return URL.createObjectURL(await svgBlob(text));
}

let exportModulePromise = null;

/** The export module, imported and initialised once (a failed load is tried again next time). */
export function loadExportModule(url = new URL('../pkg/cams_qrdl_export.js', import.meta.url)) {
  exportModulePromise ??= import(url.href)
    .then(async (m) => {
      await m.default();
      return m;
    })
    .catch((err) => {
      exportModulePromise = null;
      throw err;
    });
  return exportModulePromise;
}

/** A `size`×`size` PNG of the QR: every module a whole number of pixels, 300 DPI recorded. */
export async function pngBlob(text, size = DEFAULT_PNG_SIZE, style = {}) {
  const { renderQrPng } = await loadExportModule();
  return new Blob([renderQrPng(text, { ...style, sizePx: size })], { type: 'image/png' });
}

/** A vector PDF of the QR, `sizeMm` wide with its quiet zone (default 30 mm), for print. */
export async function pdfBlob(text, sizeMm = 30, style = {}) {
  const { renderQrPdf } = await loadExportModule();
  return new Blob([renderQrPdf(text, { ...style, sizeMm })], { type: 'application/pdf' });
}
