// QR images rendered locally from the deep link with the module's renderQrSvg: they work offline
// and never expire, unlike the service's QrImageUrl.

export const PNG_SIZES = [256, 512, 1024, 2048];
export const DEFAULT_PNG_SIZE = 1024;

/** The SVG text for a deep link. */
export function qrSvg(mod, text) {
  return mod.renderQrSvg(text);
}

export function svgBlob(mod, text) {
  return new Blob([qrSvg(mod, text)], { type: 'image/svg+xml' });
}

/** A blob: URL of the locally rendered SVG, for an <img> (no markup is parsed into the page). */
export function svgObjectUrl(mod, text) {
  return URL.createObjectURL(svgBlob(mod, text));
}

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.decoding = 'async';
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('The locally rendered QR could not be drawn.'));
    img.src = url;
  });
}

/** A `size`×`size` PNG of the QR, drawn from the SVG onto a white canvas. */
export async function pngBlob(mod, text, size = DEFAULT_PNG_SIZE) {
  const url = svgObjectUrl(mod, text);
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
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The PNG could not be made.'))), 'image/png');
    });
  } finally {
    URL.revokeObjectURL(url);
  }
}
