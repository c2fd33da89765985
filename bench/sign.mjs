// Signing speed: µs per call of the tools module's signers (wasm, loaded with initSync in Node)
// beside Alibaba's official @alicloud/openapi-util, on identical inputs, in one process:
//   V2  signRpcRequest   against getRPCSignature
//   V3  signAcs3Request  against hash(body) + getAuthorization, the two steps the official
//       client takes for an ACS3-HMAC-SHA256 call (our signer hashes the body itself)
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

// The same call signed with V3, as the client sends it: the business parameters in a form body.
const token = params.SecurityToken;
const business = Object.fromEntries(['PhoneNumber', 'PrefilledMessage', 'GenerateQrImage', 'CustSpaceId'].map((k) => [k, params[k]]));
const body = new URLSearchParams(business).toString().replace(/\+/g, '%20');
const algorithm = 'ACS3-HMAC-SHA256';
const bodyHash = () => OpenApiUtil.hexEncode(OpenApiUtil.hash(Buffer.from(body, 'utf8'), algorithm));
const headers = {
  host: 'cams.ap-southeast-1.aliyuncs.com',
  'x-acs-action': 'CreatePhoneMessageQrdl',
  'x-acs-version': '2020-06-06',
  'x-acs-date': params.Timestamp,
  'x-acs-signature-nonce': params.SignatureNonce,
  'x-acs-content-sha256': bodyHash(),
  'x-acs-security-token': token,
  'content-type': 'application/x-www-form-urlencoded',
};
const v3Request = { method: 'POST', pathname: '/', query: {}, headers, body };

const cases = [
  {
    name: 'V2',
    ours: ['cams-qrdl signRpcRequest (wasm)', () => mod.signRpcRequest('POST', params, secret).signature],
    official: ['@alicloud/openapi-util getRPCSignature', () => OpenApiUtil.getRPCSignature(params, 'POST', secret)],
  },
  {
    name: 'V3',
    ours: ['cams-qrdl signAcs3Request (wasm)', () => mod.signAcs3Request(v3Request, params.AccessKeyId, secret).authorization],
    official: [
      '@alicloud/openapi-util getAuthorization',
      () => OpenApiUtil.getAuthorization({ method: 'POST', pathname: '/', query: {}, headers }, algorithm, bodyHash(), params.AccessKeyId, secret),
    ],
  },
];

for (const c of cases) {
  if (c.ours[1]() !== c.official[1]()) {
    console.error(`${c.name} signatures differ: ours ${c.ours[1]()}, official ${c.official[1]()}`);
    process.exit(1);
  }
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

/** Alternating rounds of ours and official; medians and ratios. */
function compare(ours, official) {
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
  const out = { oursWallUs: col(a, 0), officialWallUs: col(b, 0), oursCpuUs: col(a, 1), officialCpuUs: col(b, 1) };
  out.ratioWall = out.oursWallUs / out.officialWallUs;
  out.ratioCpu = out.oursCpuUs / out.officialCpuUs;
  return out;
}

const results = {};
for (const c of cases) results[c.name] = compare(c.ours[1], c.official[1]);

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ ...results, rounds, callsPerRound: calls, node: process.version, pkg: pkgDir }));
} else {
  const f = (x) => x.toFixed(2).padStart(7);
  const l = (x) => x.padEnd(44);
  console.log(`signing: ${rounds} alternating rounds of ${calls} calls, medians, Node ${process.version}`);
  for (const c of cases) {
    const r = results[c.name];
    console.log(`${c.name}                                          wall µs   CPU µs`);
    console.log(`  ${l(c.ours[0])}${f(r.oursWallUs)}  ${f(r.oursCpuUs)}`);
    console.log(`  ${l(c.official[0])}${f(r.officialWallUs)}  ${f(r.officialCpuUs)}`);
    console.log(`  ${l('ratio ours/official')}${f(r.ratioWall)}  ${f(r.ratioCpu)}`);
  }
}
