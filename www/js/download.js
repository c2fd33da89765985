// QR images rendered locally from the deep link with the QR module's renderQrSvg: they work
// offline and never expire, unlike the service's QrImageUrl. The module (pkg/cams_qrdl_qr.js) is
// loaded on first use.

import { loadQrModule } from './client.js';
import { t } from './i18n.js';

export const PNG_SIZES = [256, 512, 1024, 2048];
export const DEFAULT_PNG_SIZE = 1024;

/** The SVG text for a deep link. */
export async function qrSvg(text) {
  return (await loadQrModule()).renderQrSvg(text);
}

export async function svgBlob(text) {
  return new Blob([await qrSvg(text)], { type: 'image/svg+xml' });
}

/** A blob: URL of the locally rendered SVG, for an <img> (no markup is parsed into the page). */
export async function svgObjectUrl(text) {
  return URL.createObjectURL(await svgBlob(text));
}

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.decoding = 'async';
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error(t('download.drawFailed')));
    img.src = url;
  });
}

/** A `size`×`size` PNG of the QR, drawn from the SVG onto a white canvas. */
export async function pngBlob(text, size = DEFAULT_PNG_SIZE) {
  const url = await svgObjectUrl(text);
  try {
    const img = await loadImage(url);
    const canvas = document.createElement('canvas');
    canvas.width = size;
    canvas.height = size;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, size, size);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(img, 0, 0, size, size);
    return await new Promise((resolve, reject) => {
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error(t('download.pngFailed')))), 'image/png');
    });
  } finally {
    URL.revokeObjectURL(url);
  }
}
