// `npm run build` after `prisma generate`: bundles src/cli.ts with its dependencies into dist/
// (esbuild, ESM, one chunk per lazily imported part), then writes dist/described.json.
// Why a bundle: a start from ~450 separate modules spent most of its time in Node's module loader
// (resolving, reading and compiling each file); one stdio cold start to the first tools/list
// answer went from ~750 to ~480 ms. tsc only type-checks (npm run typecheck).
// Left outside the bundle: better-sqlite3 (a native addon) and Prisma's schema engine (it reads
// its .wasm from its own directory); both load from node_modules as before.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { DESCRIBED_FILE, describeTool } from '../src/tools/describe.js';
import { allTools } from '../src/tools/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');

// Prisma's query compiler ships as a 2.2 MB base64 string in a JS module, which a start parses and
// decodes before compiling the WebAssembly (~30 ms). The bundle reads the decoded bytes from a
// .wasm file written here instead. The generated client passes what it imports to
// Buffer.from(wasm, 'base64'), which copies a Buffer as it is (the encoding applies to strings).
const queryCompilerFromFile: Plugin = {
  name: 'query-compiler-wasm-file',
  setup(bundle) {
    bundle.onLoad({ filter: /query_compiler_[a-z_]+\.[a-z]+\.wasm-base64\.mjs$/ }, ({ path }) => {
      const file = basename(path).replace('.wasm-base64.mjs', '.wasm');
      const base64 = /^const wasm = "([A-Za-z0-9+/=]+)";/.exec(readFileSync(path, 'utf8'))?.[1];
      if (!base64) throw new Error(`${path} is not the base64 module this plugin knows: update scripts/build.ts for this Prisma version.`);
      mkdirSync(dist, { recursive: true });
      writeFileSync(join(dist, file), Buffer.from(base64, 'base64'));
      return { contents: `import { readFileSync } from 'node:fs';\nexport const wasm = readFileSync(new URL('./${file}', import.meta.url));\n`, loader: 'js' };
    });
  },
};

rmSync(dist, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'src', 'cli.ts')],
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', '@prisma/schema-engine-wasm'],
  // Bundled CommonJS packages call require() for Node's built-ins; an ES module has none.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
  plugins: [queryCompilerFromFile],
});
// Next to the bundle, where the bundled describeTools looks (src/tools/describe.ts).
writeFileSync(join(dist, DESCRIBED_FILE), `${JSON.stringify(allTools.map(describeTool))}\n`);
