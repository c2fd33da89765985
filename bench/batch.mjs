// Batch: 100 creates against the emulator's documented limit (5 calls per second per account),
// from Node on loopback, three ways, each on its own emulator account so the counters are its own:
//   paced     client.createQrdls(requests)  (the client's sliding-window pacing and retries)
//   naive     Promise.all(requests.map((r) => createQrdl(r, config)))  (no shared pacing; each
//             one-off client still retries throttling with backoff, maxRetries 3)
//   naive-0   the same with maxRetries 0, as Alibaba's official SDKs behave by default
// Prints wall time, failures, and the throttles and accepted calls the emulator counted
// (GET /__emulator/stats?accessKeyId=...).
//
//   node bench/batch.mjs [--pkg DIR] [--n 100] [--json]    (CAMS_RELAY_BIN: the relay binary)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { arg, loadPackage } from './lib.mjs';
import { startRelay } from '../tests/package/helpers.mjs';

const n = Number(arg('n', 100));
const mod = await loadPackage();
const keys = ['paced', 'naive', 'naive-0'];
const www = mkdtempSync(path.join(os.tmpdir(), 'cams-bench-www-'));
const relay = await startRelay(www, keys.flatMap((k) => ['--emulator-access-key', `bench-${k}:bench-${k}-secret`]));

const config = (k, extra = {}) => ({
  credentials: { accessKeyId: `bench-${k}`, accessKeySecret: `bench-${k}-secret` },
  endpoint: relay.emulator,
  ...extra,
});
const requests = (prefix) =>
  Array.from({ length: n }, (_, i) => ({
    phoneNumber: `861380${prefix}${String(i).padStart(4, '0')}`,
    prefilledMessage: `Batch item ${i}`,
    generateQrImage: 'PNG',
  }));

async function stats(k) {
  const r = await fetch(`${relay.emulator}/__emulator/stats?accessKeyId=bench-${k}`);
  return r.json();
}

async function run(k, fn) {
  const t0 = performance.now();
  const settled = await fn();
  const wall = performance.now() - t0;
  const s = await stats(k);
  const failures = settled.filter((r) => !r.ok);
  const codes = {};
  for (const f of failures) codes[f.error.code] = (codes[f.error.code] ?? 0) + 1;
  return {
    wallMs: wall,
    ok: settled.length - failures.length,
    failures: failures.length,
    failureCodes: codes,
    throttled: s.throttled,
    accepted: s.accepted,
    created: s.created,
  };
}

const settle = (p) => p.then((value) => ({ ok: true, value }), (error) => ({ ok: false, error }));

try {
  const result = { n };
  const client = new mod.CamsClient(config('paced'));
  result.paced = await run('paced', () => client.createQrdls(requests('11')));
  result.naive = await run('naive', () =>
    Promise.all(requests('22').map((r) => settle(mod.createQrdl(r, config('naive'))))),
  );
  result['naive-0'] = await run('naive-0', () =>
    Promise.all(requests('33').map((r) => settle(mod.createQrdl(r, config('naive-0', { maxRetries: 0 }))))),
  );
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(result));
  } else {
    console.log(`batch: ${n} creates against the emulator's 5 QPS per account, from Node, loopback`);
    console.log('  mode                                   wall      ok  failed  throttled  accepted');
    const line = (name, r) =>
      console.log(
        `  ${name.padEnd(36)} ${(r.wallMs / 1000).toFixed(2).padStart(6)} s  ${String(r.ok).padStart(4)}  ${String(r.failures).padStart(6)}  ${String(r.throttled).padStart(9)}  ${String(r.accepted).padStart(8)}` +
          (r.failures ? `   (${Object.entries(r.failureCodes).map(([c, k]) => `${c} ×${k}`).join(', ')})` : ''),
      );
    line('client.createQrdls (paced)', result.paced);
    line('Promise.all(createQrdl), retries 3', result.naive);
    line('Promise.all(createQrdl), retries 0', result['naive-0']);
  }
} finally {
  await relay.stop();
  rmSync(www, { recursive: true, force: true });
}
