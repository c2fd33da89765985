// /sts throughput: wrk (Debian's) against cams-relay's GET /sts on loopback for a bounded time,
// the relay's per-client rate limit off. /sts answers from its cache (one AssumeRole per
// credential lifetime, single-flight), so this is the relay's own serving rate; wrk and the relay
// share the machine's cores.
//
//   node bench/sts.mjs [--seconds 10] [--connections 32] [--threads 2] [--json]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { arg } from './lib.mjs';
import { startRelay } from '../tests/package/helpers.mjs';

const seconds = Number(arg('seconds', 10));
const connections = Number(arg('connections', 32));
const threads = Number(arg('threads', 2));

const www = mkdtempSync(path.join(os.tmpdir(), 'cams-bench-www-'));
const relay = await startRelay(www, ['--sts-rate-limit', '0']);
try {
  // One request first: the AssumeRole behind the cache.
  const first = await fetch(`${relay.url}sts`);
  if (!first.ok) throw new Error(`/sts answered ${first.status}: ${await first.text()}`);
  const out = execFileSync(
    'wrk',
    [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', `${relay.url}sts`],
    { encoding: 'utf8' },
  );
  const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)[1]);
  const lat = (p) => out.match(new RegExp(`\\s${p}%\\s+([\\d.]+\\w+)`))?.[1];
  const non2xx = Number(out.match(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1] ?? 0);
  const errors = out.match(/Socket errors:.*/)?.[0] ?? 'Socket errors: none';
  const result = { seconds, connections, threads, rps, p50: lat(50), p99: lat(99), non2xx, errors };
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(result));
  } else {
    console.log(`/sts throughput: wrk -t${threads} -c${connections} -d${seconds}s --latency, loopback`);
    console.log(`  ${rps.toFixed(0)} requests/s   latency p50 ${result.p50}  p99 ${result.p99}   non-2xx ${non2xx}   ${errors}`);
  }
} finally {
  await relay.stop();
  rmSync(www, { recursive: true, force: true });
}
