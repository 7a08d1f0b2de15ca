// The bundled CLI and ESLint plugin (issue 11, start-up; docs/decisions.md D38/D41/D49), built
// from tsc's output in dist/ by esbuild (https://esbuild.github.io/api/). Loading ~150 small ES
// modules costs Node a resolution, a read and a compile each; one file is read and compiled once.
//
// - The CLI is two files. dist/bundle/pgconn-lint.cjs (package.json `bin`, a CommonJS script of a
//   few KB: Node starts one ~15 ms sooner than an ES module, D56) starts git, then loads
//   dist/bundle/cli.cjs: the whole CLI as one CommonJS script, compiled from V8's code cache
//   (src/core/code-cache.cjs; Node 22.1+ caches it itself). Node 20 has no code cache for ES
//   modules, and compiling the CLI's 2 MB cost ~0.1 s of every run. The two share no module
//   instance: what the entry hands the CLI goes through process-wide symbols
//   (src/facts/git-early.ts).
// - cli.cjs is ASCII (non-ASCII characters esbuild leaves in regular expressions and comments are
//   written as \u escapes), so it is read as Latin-1, and it has no `import()`: a script compiled
//   by `vm.Script` may not import on Node 20. The build fails otherwise.
// - dist/bundle/eslint-plugin.js (package.json exports "./eslint-plugin") is an ES module of its
//   own; an editor's ESLint server loads it on its first lint.
// - Kept outside the bundles, loaded from node_modules as before: TypeScript (9 MB, loaded on
//   first use through src/sources/js/typescript.cjs with its own code cache), `pg` (only
//   `live`), and the tree-sitter grammars (@vscode/tree-sitter-wasm: WASM files found by
//   `require.resolve`, loaded in a worker).
// - The YAML reader is bundled but evaluated on first use (`lazyYaml` below); so is `live`
//   (esbuild wraps a module imported by `import()` in a function run on first import).
// - Data files are found relative to the module that reads them, walking up to the package
//   root (data/, rules/*.md, package.json): from dist/bundle/ as from dist/src/….
// - CommonJS inside the ES module bundle, eslint-plugin.js (typescript.cjs, `require.resolve`), gets
//   a real `require`, made by `createRequire(import.meta.url)` in the banner: esbuild's own shim
//   throws on `require` of an external module in ESM output. In cli.cjs, `import.meta.url` is the
//   file's URL. The entry has none: esbuild would warn and leave it empty there, and the build fails
//   on any warning of the entry's.
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

const shared = {
  plugins: [oneTypescript, lazyYaml],
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  // package.json engines: node >= 20.19
  target: 'node20.19',
  external: ['typescript', 'pg', '@vscode/tree-sitter-wasm'],
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
};
const esmBanner = { js: "import { createRequire as __pgconnCreateRequire } from 'node:module';\nconst require = __pgconnCreateRequire(import.meta.url);" };

// The entry imports src/cli/load-main.js; here that module loads cli.cjs through the code cache.
const codeCacheLoader = join(root, 'dist', 'src', 'core', 'code-cache.cjs');
const loadCli = {
  name: 'load-cli',
  setup(b) {
    b.onResolve({ filter: /\/load-main\.js$/ }, () => ({ path: 'load-main', namespace: 'load-cli' }));
    b.onLoad({ filter: /.*/, namespace: 'load-cli' }, () => ({
      contents: [
        "import { join } from 'node:path';",
        `import codeCache from ${JSON.stringify(codeCacheLoader)};`,
        'export async function loadMain() {',
        "  return codeCache.requireCached(join(__dirname, 'cli.cjs'), 'cli', require);",
        '}',
      ].join('\n'),
      resolveDir: root,
      loader: 'js',
    }));
  },
};

const results = await Promise.all([
  build({ ...shared, entryPoints: { cli: 'dist/src/cli/main.js' }, outdir, outExtension: { '.js': '.cjs' }, format: 'cjs', define: { 'import.meta.url': '__pgconnImportMetaUrl' }, banner: { js: "var __pgconnImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" } }),
  build({ ...shared, plugins: [loadCli], entryPoints: { 'pgconn-lint': 'dist/src/cli/bin.js' }, outdir, outExtension: { '.js': '.cjs' }, format: 'cjs' }),
  build({ ...shared, entryPoints: { 'eslint-plugin': 'dist/eslint-plugin/src/index.js' }, outdir, format: 'esm', banner: esmBanner }),
]);

// The entry: no warning (`import.meta` in a CommonJS output is one: esbuild leaves it empty).
if (results[1].warnings.length > 0) throw new Error(`dist/bundle/pgconn-lint.cjs: ${results[1].warnings[0].text}`);

// cli.cjs: ASCII, and no import().
const cliFile = join(outdir, 'cli.cjs');
const text = readFileSync(cliFile, 'utf8');
let ascii = '';
let from = 0;
for (let i = 0; i < text.length; i++) {
  const c = text.charCodeAt(i);
  if (c < 0x80) continue;
  // After a backslash, `\u…` would escape the backslash, not the character.
  if (text[i - 1] === '\\') throw new Error(`${cliFile}: an escaped non-ASCII character at offset ${i}`);
  ascii += text.slice(from, i) + `\\u${c.toString(16).padStart(4, '0')}`;
  from = i + 1;
}
ascii += text.slice(from);
writeFileSync(cliFile, ascii);
const ts = createRequire(import.meta.url)('typescript');
const tree = ts.createSourceFile(cliFile, ascii, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
if (tree.parseDiagnostics.length > 0) throw new Error(`${cliFile}: ${tree.parseDiagnostics[0].messageText}`);
const imports = [];
(function visit(n) {
  if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) imports.push(tree.getLineAndCharacterOfPosition(n.getStart(tree)).line + 1);
  ts.forEachChild(n, visit);
})(tree);
if (imports.length > 0) throw new Error(`${cliFile}: import() on line ${imports.join(', ')}; use require (a vm.Script may not import on Node 20)`);

if (process.argv.includes('--sizes')) {
  for (const result of results) for (const [file, out] of Object.entries(result.metafile.outputs)) process.stdout.write(`${file} ${out.bytes}\n`);
}
