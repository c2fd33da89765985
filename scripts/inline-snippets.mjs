// Puts the JS snippets wasm-bindgen's glue imports (src/web/host.js, copied to snippets/) into
// the glue itself and deletes snippets/: one file fewer to ship and to fetch. A page learns of
// the snippet only once it has the glue, so it was one more round trip before the module could
// start (about 30 ms of cold start in headless Chromium on loopback, BENCHMARKS.md).
//
// Each `import { a, b as c } from './snippets/…';` becomes
// `const { a, b: c } = (() => { <the snippet, exports made local>; return { a, b }; })();`:
// the same bindings under the same names (wasm-bindgen already keeps them clear of the glue's
// own), and the snippet's other top-level names stay inside its function. Fails on a snippet it
// cannot read that way (an import of its own, `export default`, re-exports).
//
//   node scripts/inline-snippets.mjs <out dir> <module>.js
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [outDir, glueName] = process.argv.slice(2);
if (!outDir || !glueName) {
  console.error('usage: node scripts/inline-snippets.mjs <out dir> <module>.js');
  process.exit(2);
}
const fail = (why) => {
  console.error(`inline-snippets: ${why}`);
  process.exit(1);
};

const gluePath = join(outDir, glueName);
let glue = readFileSync(gluePath, 'utf8');
const importLine = /^import \{([^}]*)\} from '(\.\/snippets\/[^']+)';\n/gm;
let inlined = 0;
glue = glue.replace(importLine, (_, list, path) => {
  const snippet = readFileSync(join(outDir, path), 'utf8');
  if (/^\s*import\b|^\s*export\s+(default|\{|\*)/m.test(snippet)) {
    fail(`${path} has imports or exports this script does not handle`);
  }
  const names = list.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const [exported, local = exported] = s.split(/\s+as\s+/);
    return { exported, local };
  });
  for (const { exported } of names) {
    if (!new RegExp(`^export (function|const|let|class) ${exported}\\b`, 'm').test(snippet)) {
      fail(`${path} does not export ${exported} as this script expects`);
    }
  }
  const body = snippet.replace(/^export (function|const|let|class) /gm, '$1 ');
  const pattern = names.map(({ exported, local }) => (exported === local ? local : `${exported}: ${local}`));
  inlined++;
  return `const { ${pattern.join(', ')} } = (() => {\n${body}\nreturn { ${names.map((n) => n.exported).join(', ')} };\n})();\n`;
});
if (glue.includes('./snippets/')) fail(`${glueName} still refers to ./snippets/`);
writeFileSync(gluePath, glue);
const snippets = join(outDir, 'snippets');
if (inlined > 0 && existsSync(snippets)) rmSync(snippets, { recursive: true });
console.log(`inline-snippets: ${inlined} snippet import(s) inlined into ${glueName}`);
