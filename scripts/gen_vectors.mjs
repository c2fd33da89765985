// Cross-check for scripts/gen_vectors.py: signs every case with Alibaba's official npm
// implementation, @alicloud/openapi-util: its RPC signer (what @alicloud/openapi-client / tea
// clients use when signatureAlgorithm is "v2") and its V3 signer, getAuthorization
// (ACS3-HMAC-SHA256, their default).
//
// Not meant to be run on its own: gen_vectors.py pipes the cases in on stdin and reads the
// results from stdout. V2: [{name, method, secret, params: [[k, v], ...]}] in,
// [{name, canonicalQuery, stringToSign, signature}] out. V3 (gen_vectors_acs3.py):
// {acs3: [{name, method, pathname, query, headers, payload, accessKeyId, secret}]} in,
// [{name, canonicalRequest, stringToSign, authorization}] out.
//
// Setup (outside the repository; node_modules is never committed):
//   npm install --prefix /tmp/vecnpm @alicloud/openapi-util@0.3.3
// Versions used for the committed vectors: @alicloud/openapi-util 0.3.3 (with its dependency
// kitx 2.2.0), Node.js v20.20.2. VEC_NPM_PREFIX overrides the install prefix.
//
// Nothing here re-implements a signature. V3: the authorization is getAuthorization's return
// value; the canonical request and the string to sign are what that call hands to the class's own
// static `hash` and `signatureMethod` (wrapped on the exported class while it runs). V2:
// - signature: the exported `Client.getRPCSignature(signedParams, method, secret)`;
// - string-to-sign: captured from inside that same call, by wrapping `kitx.sha1` (the HMAC helper
//   getRPCSignature hands the string-to-sign and the key to) in the very module instance that
//   openapi-util requires;
// - canonical query: the module's own private `canonicalize(normalize(params))`; they are not
//   exported, so a second copy of dist/client.js is compiled verbatim with one line appended that
//   exports them.

import fs from 'node:fs';
import path from 'node:path';
import Module, { createRequire } from 'node:module';

const EXPECTED = { '@alicloud/openapi-util': '0.3.3', kitx: '2.2.0' };

const prefix = process.env.VEC_NPM_PREFIX || '/tmp/vecnpm';
const rootRequire = createRequire(path.join(path.resolve(prefix), 'package.json'));
const utilPath = rootRequire.resolve('@alicloud/openapi-util');
const utilRequire = createRequire(utilPath);

function packageVersion(req, name) {
  // Walk up from the resolved entry point to the package's own package.json.
  let dir = path.dirname(req.resolve(name));
  for (;;) {
    const p = path.join(dir, 'package.json');
    if (fs.existsSync(p)) {
      const pkg = JSON.parse(fs.readFileSync(p, 'utf8'));
      if (pkg.name === name) return pkg.version;
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json for ${name}`);
    dir = up;
  }
}

const versions = {
  '@alicloud/openapi-util': packageVersion(rootRequire, '@alicloud/openapi-util'),
  kitx: packageVersion(utilRequire, 'kitx'),
  node: process.version,
};
if (!process.env.VEC_ALLOW_OTHER_VERSIONS) {
  for (const [name, want] of Object.entries(EXPECTED)) {
    if (versions[name] !== want) {
      throw new Error(`${name} is ${versions[name]}, the vectors were made with ${want} ` +
        '(set VEC_ALLOW_OTHER_VERSIONS=1 to run anyway)');
    }
  }
}

// The exported implementation, and the kitx instance it calls.
const OpenApiUtil = utilRequire('@alicloud/openapi-util').default;
const kitx = utilRequire('kitx');
const realSha1 = kitx.sha1;
let captured = [];
kitx.sha1 = function (data, key, encoding) {
  captured.push({ data, key });
  return realSha1.call(this, data, key, encoding);
};

// A second copy of the same source, with its private canonicalization exported.
const internalsModule = new Module(utilPath, null);
internalsModule.filename = utilPath;
internalsModule.paths = Module._nodeModulePaths(path.dirname(utilPath));
internalsModule._compile(
  fs.readFileSync(utilPath, 'utf8') +
    '\n;exports.__vectorInternals = { normalize, canonicalize, encode };\n',
  utilPath,
);
const { normalize, canonicalize } = internalsModule.exports.__vectorInternals;

function toObject(params) {
  const obj = {};
  for (const [k, v] of params) {
    if (k === '__proto__') throw new Error('a "__proto__" key cannot be passed to the JS SDK');
    if (Object.prototype.hasOwnProperty.call(obj, k)) throw new Error(`duplicate key ${k}`);
    obj[k] = v;
  }
  return obj;
}

const input = JSON.parse(fs.readFileSync(0, 'utf8'));

function signAcs3(list) {
  const realHash = OpenApiUtil.hash;
  const realSignatureMethod = OpenApiUtil.signatureMethod;
  let hashed = [];
  let signed = [];
  OpenApiUtil.hash = function (raw, algorithm) {
    hashed.push(Buffer.from(raw).toString('utf8'));
    return realHash.call(this, raw, algorithm);
  };
  OpenApiUtil.signatureMethod = function (secret, source, algorithm) {
    signed.push(source);
    return realSignatureMethod.call(this, secret, source, algorithm);
  };
  const results = [];
  for (const c of list) {
    hashed = [];
    signed = [];
    const request = {
      method: c.method,
      pathname: c.pathname,
      query: toObject(c.query),
      headers: toObject(c.headers),
    };
    const authorization = OpenApiUtil.getAuthorization(
      request, 'ACS3-HMAC-SHA256', c.payload, c.accessKeyId, c.secret);
    if (hashed.length !== 1 || signed.length !== 1) {
      throw new Error(`${c.name}: expected one hash and one HMAC, saw ${hashed.length}/${signed.length}`);
    }
    results.push({ name: c.name, canonicalRequest: hashed[0], stringToSign: signed[0], authorization });
  }
  OpenApiUtil.hash = realHash;
  OpenApiUtil.signatureMethod = realSignatureMethod;
  return results;
}

if (Array.isArray(input)) {
  process.stdout.write(JSON.stringify({ versions, results: signRpc(input) }));
} else {
  process.stdout.write(JSON.stringify({ versions, results: signAcs3(input.acs3) }));
}

function signRpc(cases) {
  const out = [];
  for (const c of cases) {
    const obj = toObject(c.params);
    captured = [];
    const signature = OpenApiUtil.getRPCSignature(obj, c.method, c.secret);
    if (captured.length !== 1) throw new Error(`${c.name}: expected one HMAC call, saw ${captured.length}`);
    if (captured[0].key !== c.secret + '&') throw new Error(`${c.name}: unexpected HMAC key`);
    const stringToSign = captured[0].data;
    const canonicalQuery = canonicalize(normalize(obj));
    out.push({ name: c.name, canonicalQuery, stringToSign, signature });
  }
  return out;
}
