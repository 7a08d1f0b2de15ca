// The bundled CLI and ESLint plugin (issue 11, start-up; docs/decisions.md D38/D41): ES modules
// for what every run loads, dist/bundle/pgconn-lint.js (package.json `bin`) and
// dist/bundle/eslint-plugin.js (package.json exports "./eslint-plugin"), built from tsc's output
// in dist/ by esbuild (https://esbuild.github.io/api/). Loading ~150 small ES modules
// costs Node a resolution, a read and a compile each; one file is read and compiled once.
//
// - What only some runs need is a chunk loaded by `import()`: the CLI itself behind the
//   compile cache (bin.ts enables Node's compile cache before it imports main.js), and
//   `live` (a database reader, with `pg`). esbuild splits at dynamic imports
//   (`splitting`, ESM only).
// - Kept outside the bundle, loaded from node_modules as before: TypeScript (9 MB, loaded on
//   first use through src/sources/js/typescript.cjs with its own code cache), `pg` (only
//   `live`), and the tree-sitter grammars (@vscode/tree-sitter-wasm: WASM files found by
//   `require.resolve`, loaded in a worker).
// - The YAML reader is bundled but evaluated on first use (`lazyYaml` below).
// - Data files are found relative to the module that reads them, walking up to the package
//   root (data/, rules/*.md, package.json): from dist/bundle/ as from dist/src/….
// - CommonJS inside the bundle (typescript.cjs, `require.resolve`) gets a real `require`,
//   made by `createRequire(import.meta.url)` in the banner: esbuild's own shim throws on
//   `require` of an external module in ESM output.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });

// typescript.cjs is imported (`import ts from …typescript.cjs`) by ~36 modules. For each, esbuild
// would emit `__toESM(require_typescript())`, which copies every property of the object as a getter:
// the shim has all ~2,500 of TypeScript's exports, so 36 copies cost ~90 ms of CPU and garbage on
// every start, even `--version` (issue 11, measured with --cpu-prof). Every importer gets instead one
// ES module whose default export is the shim as `require` returns it: one object, no copy.
const tsShim = join(root, 'dist', 'src', 'sources', 'js', 'typescript.cjs');
const oneTypescript = {
  name: 'one-typescript',
  setup(b) {
    b.onResolve({ filter: /typescript\.cjs$/ }, (args) => {
      if (args.namespace === 'one-typescript') return { path: tsShim };
      return { path: 'typescript-esm', namespace: 'one-typescript' };
    });
    b.onLoad({ filter: /.*/, namespace: 'one-typescript' }, () => ({
      contents: `export default require(${JSON.stringify(tsShim)});`,
      resolveDir: root,
      loader: 'js',
    }));
  },
};

// The YAML reader (compose, Kubernetes, workflows, a YAML config) is bundled, but loaded on first use:
// evaluating its ~40 modules costs ~30 ms of every start, and a run that reuses its cached report
// (docs/cache.md) reads no YAML. Our modules import `yaml` from this stand-in: each function it
// exports loads the library then calls it; each class is a function returning `new` of the real one
// (none of our code uses `instanceof` on them). A name the stand-in lacks fails the build.
const YAML_FUNCTIONS = ['isAlias', 'isMap', 'isPair', 'isScalar', 'isSeq'];
const YAML_CLASSES = ['Composer', 'LineCounter', 'Lexer', 'Parser', 'YAMLParseError'];
const lazyYaml = {
  name: 'lazy-yaml',
  setup(b) {
    b.onResolve({ filter: /^yaml$/ }, (args) => (args.namespace === 'lazy-yaml' ? undefined : { path: 'yaml', namespace: 'lazy-yaml' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-yaml' }, () => ({
      contents: [
        "let lib;\nconst yaml = () => (lib ??= require('yaml'));",
        ...YAML_FUNCTIONS.map((n) => `export function ${n}(...a) { return yaml().${n}(...a); }`),
        ...YAML_CLASSES.map((n) => `export function ${n}(...a) { return new (yaml().${n})(...a); }`),
      ].join('\n'),
      resolveDir: root,
      loader: 'js',
    }));
  },
};

const result = await build({
  plugins: [oneTypescript, lazyYaml],
  absWorkingDir: root,
  // The ESLint plugin (package.json exports "./eslint-plugin") is an entry too: an editor's ESLint
  // server loads it on its first lint. Code both use is in shared chunks.
  entryPoints: { 'pgconn-lint': 'dist/src/cli/bin.js', 'eslint-plugin': 'dist/eslint-plugin/src/index.js' },
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // package.json engines: node >= 20.19
  target: 'node20.19',
  external: ['typescript', 'pg', '@vscode/tree-sitter-wasm'],
  banner: { js: "import { createRequire as __pgconnCreateRequire } from 'node:module';\nconst require = __pgconnCreateRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});

if (process.argv.includes('--sizes')) {
  for (const [file, out] of Object.entries(result.metafile.outputs)) process.stdout.write(`${file} ${out.bytes}\n`);
}
