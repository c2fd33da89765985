// Round trip: createQrdl latency from Node (the package's client: sign, fetch, parse), N calls
// one after another, straight at the emulator and through cams-relay (/sts credentials, /cams
// pass-through), on loopback. The emulator's QPS limit, the relay's rate limits and its account pacer are off and the
// client's maxQps is high, so pacing adds nothing: this measures the round trip itself.
// The two paths alternate call by call; the relay's added latency is the difference of the
// medians (and of the p99s).
//
//   node bench/roundtrip.mjs [--pkg DIR] [--n 200] [--json]    (CAMS_RELAY_BIN: the relay binary)
import { arg, freshPhone, loadPackage, median, ms, quantile } from './lib.mjs';
import { startRelay } from '../tests/package/helpers.mjs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const n = Number(arg('n', 200));
const mod = await loadPackage();
const www = mkdtempSync(path.join(os.tmpdir(), 'cams-bench-www-'));
const relay = await startRelay(www, ['--emulator-qps', '0', '--cams-rate-limit', '0', '--sts-rate-limit', '0', '--cams-account-qps', '0']);

function clientFor(config) {
  return new mod.CamsClient({ ...config, maxQps: 100000 });
}

const summary = (times) => ({
  p50: median(times),
  p99: quantile(times, 0.99),
  mean: times.reduce((x, y) => x + y, 0) / times.length,
});

try {
  const clients = {
    direct: clientFor({
      credentials: { accessKeyId: 'demo-access-key-id', accessKeySecret: 'demo-access-key-secret' },
      endpoint: relay.emulator,
    }),
    relay: clientFor({ credentials: { stsRelayUrl: `${relay.url}sts` }, endpoint: `${relay.url}cams` }),
  };
  const request = { phoneNumber: freshPhone(), prefilledMessage: 'Round trip', generateQrImage: 'PNG' };
  // Warm-up: credentials, connections, JIT. Then the two paths alternate call by call, so a
  // slow moment of the machine falls on both.
  for (let i = 0; i < 10; i++) {
    await clients.direct.createQrdl(request);
    await clients.relay.createQrdl(request);
  }
  const times = { direct: [], relay: [] };
  for (let i = 0; i < n; i++) {
    for (const path of i % 2 ? ['relay', 'direct'] : ['direct', 'relay']) {
      const t0 = performance.now();
      await clients[path].createQrdl(request);
      times[path].push(performance.now() - t0);
    }
  }
  const direct = summary(times.direct);
  const relayed = summary(times.relay);
  const result = {
    n,
    direct,
    relay: relayed,
    addedP50: relayed.p50 - direct.p50,
    addedP99: relayed.p99 - direct.p99,
  };
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(result));
  } else {
    console.log(`round trip: createQrdl from Node, ${n} calls per path (alternating) after 10 warm-up, loopback`);
    console.log(`  direct to the emulator        p50 ${ms(direct.p50)}  p99 ${ms(direct.p99)}  mean ${ms(direct.mean)}`);
    console.log(`  through cams-relay /cams      p50 ${ms(relayed.p50)}  p99 ${ms(relayed.p99)}  mean ${ms(relayed.mean)}`);
    console.log(`  relay's added latency         p50 ${ms(result.addedP50)}  p99 ${ms(result.addedP99)}`);
  }
} finally {
  await relay.stop();
  rmSync(www, { recursive: true, force: true });
}
