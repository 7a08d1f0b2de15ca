// TypeScript's parser, cut out of TypeScript's own bundle (issue 11, docs/decisions.md D60).
//
// The linter asks TypeScript for one thing: a syntax tree (createSourceFile, forEachChild, the node
// tests, the factory, module resolution). lib/typescript.js is 9.1 MB, the compiler, the checker and
// the language service, and loading it cost ~0.2 s of CPU in every run that parses (reading it,
// making its 9 MB string, its code cache, creating its ~4,300 top-level functions). This writes
// dist/vendor/typescript-parser.cjs: the same file with only the top-level statements the linter's
// uses reach, ~1.9 MB, loaded by src/sources/js/typescript.cjs in its place.
//
// How (on the file's own syntax tree, made by TypeScript itself):
// - lib/typescript.js is `var ts = {}; ((module) => { BODY })(…)`; BODY's statements are declarations
//   (function, class, var), a few statements that belong to a declared name (`__export(X_exports,
//   …)`, `((N2) => …)(N || (N = {}))`, `X.y = …`, `registerCodeFix(…)` and `registerRefactor(…)`,
//   kept with that name), and the rest, kept always (`"use strict"`, `if (sys && …)`,
//   `setObjectAllocator(getServicesObjectAllocator())`).
// - The names kept: every export of TypeScript that src/ and eslint-plugin/src/ name as `ts.<name>`,
//   and every top-level name a kept statement mentions (identifiers, not property names), to a
//   fixed point. A name a kept statement mentions keeps every statement that belongs to it.
// - One edit: the language service's object allocator (kept always: it gives nodes the methods
//   getStart, getText, … that the linter calls) no longer sets the symbol, type and signature
//   constructors. Their classes reach the checker and the language service (~2 MB); a parse creates
//   no symbol, type or signature, and the compiler's own constructors stay in their place.
// - Slimmer nodes (`SLIMMED_CLASSES`, `SLIMMED_FIELDS`): the fields a node is given only for the binder, the checker and the
//   emitter (`id`, `original`, `emitNode` in the node classes' constructors; `symbol`,
//   `localSymbol`, `locals`, `nextContainer`, `flowNode`, `endFlowNode`, `returnFlowNode` and
//   `jsDoc` set to `undefined` by the factory) are no longer set to `undefined` up front. Reading
//   one still gives `undefined`; whoever sets one (the binder, a clone, a JSDoc parse) adds it. A
//   call expression's node was 152 bytes, 16 fields: the 1,352 files the 50,000-file bench tree
//   parses made 304 MB of trees, 233 MB now (docs/decisions.md D65).
// - The exports object is TypeScript's own mechanism (getters over the bindings), for those names.
//
// Checked: the build fails when the file's shape is not the one described here (another TypeScript),
// and test/js-pools/typescript-parser.test.ts parses the repository's code, tests and fixtures
// with both files and compares the trees node by node.
//
// The output carries TypeScript's licence header and says what was changed (Apache License 2.0,
// section 4); TypeScript's LICENSE.txt and ThirdPartyNoticeText.txt are copied beside it.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// The file's place and its "derived from" line, as the loader reads them.
const { CUT_PARSER, ENUMS, derivedLine } = require('../src/sources/js/typescript-file.cjs');
const ts = require('typescript');
const tsDir = dirname(require.resolve('typescript/package.json'));
const tsVersion = JSON.parse(readFileSync(join(tsDir, 'package.json'), 'utf8')).version;
const input = join(tsDir, 'lib', 'typescript.js');
const output = join(root, ...CUT_PARSER);
const outDir = dirname(output);

const fail = (message) => {
  throw new Error(`scripts/ts-parser.mjs: ${message} (TypeScript ${tsVersion}, ${input})`);
};

/** Every `ts.<name>` in the linter's sources that is one of TypeScript's exports (a value, not a type). */
export function namesUsed(dirs) {
  const names = new Set();
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.[cm]?ts$/.test(e.name)) for (const m of readFileSync(p, 'utf8').matchAll(/\bts\.([A-Za-z_$][\w$]*)/g)) names.add(m[1]);
    }
  };
  for (const d of dirs) walk(d);
  return [...names].filter((n) => Object.hasOwn(ts, n)).sort();
}

/** The names a declaration statement declares. */
function declaredNames(s) {
  if (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) return s.name ? [s.name.text] : [];
  if (!ts.isVariableStatement(s)) return undefined;
  const out = [];
  const bind = (n) => {
    if (ts.isIdentifier(n)) out.push(n.text);
    else for (const e of n.elements) if (!ts.isOmittedExpression(e)) bind(e.name);
  };
  for (const d of s.declarationList.declarations) bind(d.name);
  return out;
}

/** `a.b.c` → `a`. */
function leftmost(e) {
  while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isParenthesizedExpression(e)) e = e.expression;
  return ts.isIdentifier(e) ? e.text : undefined;
}

/** The declared name a non-declaration statement belongs to, or undefined (kept always). */
function ownerOf(s, declared) {
  if (!ts.isExpressionStatement(s)) return undefined;
  const e = s.expression;
  if (ts.isCallExpression(e) && ts.isIdentifier(e.expression)) {
    const callee = e.expression.text;
    if (callee === '__export' && e.arguments.length === 2 && ts.isIdentifier(e.arguments[0])) return e.arguments[0].text;
    if (callee === 'registerCodeFix' || callee === 'registerRefactor') return callee;
  }
  // A namespace: ((N2) => { … })(N || (N = {}))
  if (ts.isCallExpression(e) && ts.isParenthesizedExpression(e.expression) && e.arguments.length === 1) {
    const a = e.arguments[0];
    if (ts.isBinaryExpression(a) && a.operatorToken.kind === ts.SyntaxKind.BarBarToken && ts.isIdentifier(a.left) && declared.has(a.left.text)) return a.left.text;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const target = leftmost(e.left);
    if (target !== undefined && declared.has(target)) return target;
  }
  return undefined;
}

/** Top-level names a statement mentions (over-approximated: a local of the same name counts too). */
function mentions(s, declared) {
  const out = new Set();
  const visit = (n) => {
    if (ts.isIdentifier(n)) {
      const p = n.parent;
      const isMemberName = (ts.isPropertyAccessExpression(p) || ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p)) && p.name === n;
      if (!isMemberName && declared.has(n.text)) out.add(n.text);
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(s);
  return out;
}

const ALLOCATOR = 'function getServicesObjectAllocator()';
/** The node classes' constructors, and the checker's and emitter's fields they no longer set. */
const constructorLine = (field, value) => new RegExp(`^ *this\\.${field} = ${value};\\n`, 'm');
const SLIMMED_CLASSES = new Map([
  ['var NodeObject = class {', [constructorLine('id', '0'), constructorLine('original', 'void 0'), constructorLine('emitNode', 'void 0')]],
  ['var TokenOrIdentifierObject = class {', [constructorLine('id', '0'), constructorLine('emitNode', 'void 0')]],
]);
/** The factory's `node.<field> = void 0;` lines for the binder's, checker's and JSDoc's fields. */
const SLIMMED_FIELDS = ['symbol', 'localSymbol', 'locals', 'nextContainer', 'flowNode', 'endFlowNode', 'returnFlowNode', 'jsDoc'];

const DROPPED_CONSTRUCTORS = [
  ['getSymbolConstructor', 'SymbolObject'],
  ['getTypeConstructor', 'TypeObject'],
  ['getSignatureConstructor', 'SignatureObject'],
];

export function cut(text, names) {
  const sf = ts.createSourceFile(input, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const [head, wrapper] = sf.statements;
  const arrow = wrapper && ts.isExpressionStatement(wrapper) && ts.isCallExpression(wrapper.expression) && ts.isParenthesizedExpression(wrapper.expression.expression) ? wrapper.expression.expression.expression : undefined;
  if (sf.statements.length !== 2 || !head || text.slice(head.getStart(sf), head.getEnd()) !== 'var ts = {};' || !arrow || !ts.isArrowFunction(arrow) || !ts.isBlock(arrow.body)) fail('not `var ts = {}; ((module) => { … })(…)`');
  const body = arrow.body.statements;
  const src = (s) => text.slice(s.getStart(sf), s.getEnd());

  const declared = new Set();
  for (const s of body) for (const n of declaredNames(s) ?? []) declared.add(n);
  for (const n of names) if (!declared.has(n)) fail(`${n} is not declared at the top level`);

  // TypeScript's own export list and its CommonJS assignment are replaced; the `0 && (module.exports = …)` for cjs-module-lexer is left out.
  const replaced = (s) => /^(?:__export\(typescript_exports, \{|module\.exports = __toCommonJS\(typescript_exports\);|0 && \(module\.exports = \{)/.test(src(s));
  const owners = new Map();
  const always = [];
  body.forEach((s, i) => {
    if (replaced(s)) return;
    const owner = ownerOf(s, declared);
    const own = declaredNames(s) ?? (owner === undefined ? undefined : [owner]);
    if (own === undefined) return void always.push(i);
    for (const n of own) owners.set(n, [...(owners.get(n) ?? []), i]);
  });
  const uses = body.map((s) => {
    const m = mentions(s, declared);
    if (ts.isFunctionDeclaration(s) && s.name?.text === 'getServicesObjectAllocator') for (const [, cls] of DROPPED_CONSTRUCTORS) m.delete(cls);
    return m;
  });

  const kept = new Set();
  const reached = new Set();
  const queue = [];
  const keep = (i) => {
    if (kept.has(i)) return;
    kept.add(i);
    queue.push(i);
  };
  const reach = (n) => {
    if (reached.has(n)) return;
    reached.add(n);
    for (const i of owners.get(n) ?? []) keep(i);
  };
  for (const n of [...names, '__export', '__toCommonJS']) reach(n);
  for (const i of always) keep(i);
  while (queue.length > 0) for (const n of uses[queue.pop()]) reach(n);

  let edited = false;
  const statements = [];
  const slimmedClasses = new Set();
  const slimmedFields = new Map(SLIMMED_FIELDS.map((f) => [f, 0]));
  body.forEach((s, i) => {
    if (!kept.has(i)) return;
    let t = src(s);
    const cls = [...SLIMMED_CLASSES.keys()].find((c) => t.startsWith(c));
    if (cls !== undefined) {
      // Each line once, in the class's constructor (the first method).
      const ctor = t.indexOf('constructor(kind, pos, end) {');
      const close = t.indexOf('\n  }', ctor) + 1; // its body's lines, each with its newline
      if (ctor < 0 || close <= 0) fail(`${cls} has no constructor(kind, pos, end)`);
      let body = t.slice(ctor, close);
      for (const line of SLIMMED_CLASSES.get(cls)) {
        if (!line.test(body)) fail(`${cls}'s constructor has no line ${line}`);
        body = body.replace(line, '');
      }
      t = t.slice(0, ctor) + body + t.slice(close);
      slimmedClasses.add(cls);
    }
    for (const f of SLIMMED_FIELDS) {
      const line = new RegExp(`^ *node\\.${f} = void 0;\\n`, 'gm');
      const n = t.match(line)?.length ?? 0;
      if (n > 0) {
        t = t.replace(line, '');
        slimmedFields.set(f, slimmedFields.get(f) + n);
      }
    }
    if (t.startsWith(ALLOCATOR)) {
      for (const [getter, cls] of DROPPED_CONSTRUCTORS) {
        const line = `\n    ${getter}: () => ${cls},`;
        if (!t.includes(line)) fail(`getServicesObjectAllocator has no \`${line.trim()}\``);
        t = t.replace(line, '');
      }
      edited = true;
    }
    statements.push(t);
  });
  if (!edited) fail('getServicesObjectAllocator was not kept');
  for (const c of SLIMMED_CLASSES.keys()) if (!slimmedClasses.has(c)) fail(`\`${c}\` was not kept`);
  for (const [f, n] of slimmedFields) if (n === 0) fail(`no \`node.${f} = void 0;\` in the factory`);

  const licence = text.slice(0, head.getStart(sf)).trimEnd();
  if (!licence.includes('Licensed under the Apache License, Version 2.0')) fail('no Apache License header');
  return [
    licence,
    '',
    derivedLine(tsVersion),
    '// the top-level statements the names exported below do not reach were removed, and',
    "// getServicesObjectAllocator no longer sets the symbol, type and signature constructors, and",
    '// nodes are no longer given the fields only the binder, the checker and the emitter use',
    `// (${['id', 'original', 'emitNode', ...SLIMMED_FIELDS].join(', ')}) as undefined up front.`,
    '',
    'var ts = {}; ((module) => {',
    ...statements,
    'var typescript_exports = {};',
    '__export(typescript_exports, {',
    ...names.map((n) => `  ${n}: () => ${n},`),
    '});',
    'module.exports = __toCommonJS(typescript_exports);',
    `})({ get exports() { return ts; }, set exports(v) { ts = v; if (typeof module !== "undefined" && module.exports) { module.exports = v; } } })`,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const names = namesUsed([join(root, 'src'), join(root, 'eslint-plugin', 'src')]);
  if (!names.includes('createSourceFile')) fail('no ts.createSourceFile in src/');
  // The loader (src/sources/js/typescript.cjs) serves `version` and the enums from its shape file.
  for (const n of ['version', ...ENUMS]) if (!names.includes(n)) names.push(n);
  const out = cut(readFileSync(input, 'utf8'), names.sort());
  mkdirSync(outDir, { recursive: true });
  const tmp = `${output}.${process.pid}.tmp`;
  writeFileSync(tmp, out);
  renameSync(tmp, output);
  copyFileSync(join(tsDir, 'LICENSE.txt'), join(outDir, 'typescript-LICENSE.txt'));
  copyFileSync(join(tsDir, 'ThirdPartyNoticeText.txt'), join(outDir, 'typescript-ThirdPartyNoticeText.txt'));
}
