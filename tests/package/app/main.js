// The scratch app of the package tests and the cold-start benchmark: imports `cams-qrdl` by its
// package name (Vite resolves it from node_modules; the static page maps it with an import map),
// starts the module, creates one QR code against cams-relay's emulator and shows it twice: the
// service's image and a local SVG of the deep link (from the package's QR module, cams-qrdl/qr).
//
//   ?emulator=URL  direct keys (the emulator's demo key) against the emulator at URL
//   (none)         the relay that serves the page: credentials from /sts, calls through /cams
import init, { createQrdl } from 'cams-qrdl';
import initQr, { renderQrSvg } from 'cams-qrdl/qr';

const params = new URLSearchParams(location.search);
const status = document.getElementById('status');

await init();
performance.mark('cams-ready');
// The QR renderer is its own module; loaded beside the client, it is ready by the first reply.
const qrReady = initQr();
document.body.dataset.ready = 'true';

const emulator = params.get('emulator');
const config = emulator
  ? {
      credentials: { accessKeyId: 'demo-access-key-id', accessKeySecret: 'demo-access-key-secret' },
      endpoint: emulator,
    }
  : { credentials: { stsRelayUrl: '/sts' }, endpoint: '/cams' };
const phoneNumber = params.get('phone') ?? '8613800001234';

try {
  const reply = await createQrdl(
    { phoneNumber, prefilledMessage: 'Hello from the npm package test', generateQrImage: 'PNG' },
    config,
  );
  const img = document.getElementById('qr-image');
  img.src = reply.data.qrImageUrl;
  await qrReady;
  document.getElementById('qr-svg').innerHTML = renderQrSvg(reply.data.deepLinkUrl);
  await img.decode();
  performance.mark('cams-qr');
  status.textContent = `QR code ${reply.data.qrdlCode}`;
  document.body.dataset.qr = reply.data.deepLinkUrl;
} catch (e) {
  status.textContent = `${e.code}: ${e.message}`;
  document.body.dataset.error = e.code ?? String(e);
}
