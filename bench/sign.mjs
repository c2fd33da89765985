// Signing speed: µs per signRpcRequest (the wasm module, loaded with initSync in Node) beside
// Alibaba's official @alicloud/openapi-util getRPCSignature, on identical inputs, in one process.
// Rounds alternate between the two (A B A B ...); each figure is the median over rounds of the
// mean µs per call in that round, in wall time and in this process's CPU time. Both must give
// the same signature first.
//
//   node bench/sign.mjs [--pkg DIR] [--rounds N] [--calls N] [--json]
//
// DIR defaults to pkg/ (scripts/build-package.sh).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import OpenApiUtilModule from '@alicloud/openapi-util';

const OpenApiUtil = OpenApiUtilModule.default ?? OpenApiUtilModule;
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const pkgDir = resolve(arg('pkg', process.env.CAMS_PKG || resolve(repo, 'pkg')));
const rounds = Number(arg('rounds', 41));
const calls = Number(arg('calls', 2000));

const mod = await import(pathToFileURL(resolve(pkgDir, 'cams_qrdl_tools.js')).href);
mod.initSync({ module: readFileSync(resolve(pkgDir, 'cams_qrdl_tools_bg.wasm')) });

// A CreatePhoneMessageQrdl call with STS credentials, as the client signs it: 13 parameters.
const secret = 'wyLTSmsyPGP1ohvvw8xYgB29dlGI8KMiH2pKExample';
const params = {
  AccessKeyId: 'STS.L4aBSCSJVMuKg5U1Example',
  Action: 'CreatePhoneMessageQrdl',
  Format: 'JSON',
  SignatureMethod: 'HMAC-SHA1',
  SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
  SignatureVersion: '1.0',
  Timestamp: '2026-05-09T07:30:00Z',
  Version: '2020-06-06',
  SecurityToken: 'CAIS' + 'x'.repeat(400) + '+/=',
  PhoneNumber: '8613800001234',
  PrefilledMessage: 'Hello! I would like to book a table for two at 7 pm, please. 你好',
  GenerateQrImage: 'PNG',
  CustSpaceId: 'cs-123456',
};

const ours = () => mod.signRpcRequest('POST', params, secret).signature;
const official = () => OpenApiUtil.getRPCSignature(params, 'POST', secret);

if (ours() !== official()) {
  console.error(`signatures differ: ours ${ours()}, official ${official()}`);
  process.exit(1);
}

// One round: `calls` calls of `fn`; returns [wall µs per call, CPU µs per call]. CPU time (this
// process, all threads) is the steadier figure on a shared machine; both are reported.
function round(fn) {
  let sink = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) sink += fn().length;
  const wall = ((performance.now() - t0) * 1000) / calls;
  const c = process.cpuUsage(c0);
  if (sink === 0) throw new Error('unreachable');
  return [wall, (c.user + c.system) / calls];
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
};

// Warm-up: both JITs and the wasm tier-up.
for (let i = 0; i < 3; i++) {
  round(ours);
  round(official);
}
const a = [];
const b = [];
for (let r = 0; r < rounds; r++) {
  if (r % 2 === 0) {
    a.push(round(ours));
    b.push(round(official));
  } else {
    b.push(round(official));
    a.push(round(ours));
  }
}
const col = (xs, i) => median(xs.map((x) => x[i]));
const result = {
  oursWallUs: col(a, 0),
  officialWallUs: col(b, 0),
  oursCpuUs: col(a, 1),
  officialCpuUs: col(b, 1),
  rounds,
  callsPerRound: calls,
  node: process.version,
  pkg: pkgDir,
};
result.ratioWall = result.oursWallUs / result.officialWallUs;
result.ratioCpu = result.oursCpuUs / result.officialCpuUs;
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(result));
} else {
  const f = (x) => x.toFixed(2).padStart(7);
  console.log(`signing: ${rounds} alternating rounds of ${calls} calls, medians, Node ${process.version}`);
  console.log('                                              wall µs   CPU µs');
  console.log(`  cams-qrdl signRpcRequest (wasm)            ${f(result.oursWallUs)}  ${f(result.oursCpuUs)}`);
  console.log(`  @alicloud/openapi-util getRPCSignature     ${f(result.officialWallUs)}  ${f(result.officialCpuUs)}`);
  console.log(`  ratio ours/official                        ${f(result.ratioWall)}  ${f(result.ratioCpu)}`);
}
