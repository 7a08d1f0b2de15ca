/**
 * dist/vendor/typescript-parser.cjs, the part of TypeScript's bundle the linter's uses reach
 * (scripts/ts-parser.mjs, docs/decisions.md D60): loaded in TypeScript's place, it must answer as
 * TypeScript does. The trees of every code file of the repository (and of ../shared/corpus when it
 * is there), and syntax the repository lacks, are compared node by node with TypeScript's own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runInFreshNode } from '../support/fresh-node.js';
import { codeFilesUnder, CORPUS_ROOT, REPO_ROOT } from '../support/paths.js';
import { cutFrom, derivedLine, ENUMS, useCut } from '../../src/sources/js/typescript-file.cjs';
import type Ts from 'typescript';

const require = createRequire(import.meta.url);
const PARSER = join(REPO_ROOT, 'dist', 'vendor', 'typescript-parser.cjs');
const full = require('typescript') as typeof Ts;
// npm test builds first (package.json); a missing file fails here, not silently in TypeScript's place.
const cut = require(PARSER) as typeof Ts;

/** The methods a node has from its prototypes (the language service's node classes give getStart, getText, …). */
const methodsOf = (n: object): string => {
  const names: string[] = [];
  for (let p = Object.getPrototypeOf(n) as object | null; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) names.push(...Object.getOwnPropertyNames(p).sort());
  return names.join(',');
};

/** A tree as a list of lines: each node's kind, range, flags, text and methods, and the parse's diagnostics. */
function flatten(t: typeof Ts, sf: Ts.SourceFile): string[] {
  const out: string[] = [];
  const visit = (n: Ts.Node, depth: number) => {
    const text = (n as { escapedText?: string }).escapedText ?? (n as { text?: string }).text;
    out.push(`${depth} ${t.SyntaxKind[n.kind]} ${n.pos}-${n.end} f${n.flags}${typeof text === 'string' ? ` ${JSON.stringify(text)}` : ''} [${methodsOf(n)}]`);
    for (const doc of (n as { jsDoc?: Ts.Node[] }).jsDoc ?? []) visit(doc, depth + 1);
    t.forEachChild(n, (c) => visit(c, depth + 1));
  };
  visit(sf, 0);
  for (const d of (sf as { parseDiagnostics?: Ts.DiagnosticWithLocation[] }).parseDiagnostics ?? []) out.push(`diagnostic ${d.start} ${d.length} ${d.code} ${t.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  return out;
}

/** The tokens TypeScript's scanner gives (src/sources/js/nesting.ts scans before it parses). */
function tokens(t: typeof Ts, text: string): string[] {
  const scanner = t.createScanner(t.ScriptTarget.Latest, true, t.LanguageVariant.Standard, text);
  const out: string[] = [];
  for (let k = scanner.scan(); k !== t.SyntaxKind.EndOfFileToken && out.length < 200_000; k = scanner.scan()) out.push(`${k} ${scanner.getTokenStart()}`);
  return out;
}

const kindOf = (t: typeof Ts, file: string) => (file.endsWith('.tsx') ? t.ScriptKind.TSX : /\.[cm]?ts$/.test(file) ? t.ScriptKind.TS : file.endsWith('.jsx') ? t.ScriptKind.JSX : t.ScriptKind.JS);

/** Both parses of `text`, as the linter parses (no JSDoc) and with JSDoc (TypeScript's default). */
function expectSameParse(file: string, text: string) {
  for (const jsDocParsingMode of [full.JSDocParsingMode.ParseNone, full.JSDocParsingMode.ParseAll]) {
    const a = flatten(full, full.createSourceFile(file, text, { languageVersion: full.ScriptTarget.Latest, jsDocParsingMode }, false, kindOf(full, file)));
    const b = flatten(cut, cut.createSourceFile(file, text, { languageVersion: cut.ScriptTarget.Latest, jsDocParsingMode }, false, kindOf(cut, file)));
    if (a.length !== b.length || a.some((line, i) => line !== b[i])) {
      const at = a.findIndex((line, i) => line !== b[i]);
      expect({ file, jsDocParsingMode, line: at, cut: b[at] }).toEqual({ file, jsDocParsingMode, line: at, cut: a[at] });
    }
  }
}

describe("the parser cut from TypeScript's bundle", () => {
  it('is cut from the installed TypeScript, and loaded in its place', () => {
    const version = (JSON.parse(readFileSync(require.resolve('typescript/package.json'), 'utf8')) as { version: string }).version;
    expect(readFileSync(PARSER, 'latin1')).toContain(`// Derived from TypeScript ${version}'s lib/typescript.js `);
    expect(cut.version).toBe(full.version);
    expect(readFileSync(PARSER).length).toBeLessThan(readFileSync(require.resolve('typescript')).length / 3);
    // The loader, in a fresh Node (no code cache): the cut file is what it loads.
    const loaded = runInFreshNode(
      `
      import { createRequire } from 'node:module';
      const ts = (await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist', 'src', 'sources', 'js', 'typescript.cjs')).href)})).default;
      ts.createSourceFile('a.ts', 'const a = 1;', ts.ScriptTarget.Latest);
      const require = createRequire(import.meta.url);
      console.log(JSON.stringify(Object.keys(require.cache).filter((k) => /typescript/.test(k))));
      `,
      { PGCONN_LINT_NO_CACHE: '1' },
    );
    expect(JSON.parse(loaded)).toContain(PARSER);
    expect(JSON.parse(loaded)).not.toContain(require.resolve('typescript'));
    // TypeScript already loaded (an editor's typescript-eslint): that module, not a second copy.
    const shared = runInFreshNode(
      `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const full = require('typescript');
      const ts = (await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist', 'src', 'sources', 'js', 'typescript.cjs')).href)})).default;
      console.log(JSON.stringify({ same: ts.createSourceFile === full.createSourceFile, files: Object.keys(require.cache).filter((k) => k.endsWith('/typescript.js') || k.endsWith('/typescript-parser.cjs')) }));
      `,
      { PGCONN_LINT_NO_CACHE: '1' },
    );
    expect(JSON.parse(shared)).toEqual({ same: true, files: [require.resolve('typescript')] });
  });

  it('is taken only when it was cut from the TypeScript installed', () => {
    const head = `/*! licence */\n\n${derivedLine('5.9.3')}\n// the top-level statements …\n`;
    expect(cutFrom(head)).toBe('5.9.3');
    expect(useCut(head, '5.9.3')).toBe(true);
    // TypeScript upgraded without a build: TypeScript itself.
    expect(useCut(head, '5.9.4')).toBe(false);
    expect(useCut(head, undefined)).toBe(false);
    // Not a cut parser (the line elsewhere than at a line's start, another tool's file).
    expect(useCut(`const a = "${derivedLine('5.9.3')}";`, '5.9.3')).toBe(false);
    expect(useCut('', '5.9.3')).toBe(false);
  });

  it("gives nodes none of the binder's, checker's and emitter's fields up front (D65), and the same values", () => {
    const text = "import { Pool } from 'pg';\n/** doc */\nexport function f(a: number) { const p = new Pool(); if (a) return p.query('x'); }\nclass C { m() { return this; } }\n";
    const fields = ['id', 'original', 'emitNode', 'symbol', 'localSymbol', 'locals', 'nextContainer', 'flowNode', 'endFlowNode', 'returnFlowNode', 'jsDoc'];
    const own = (t: typeof Ts) => {
      const sf = t.createSourceFile('a.ts', text, { languageVersion: t.ScriptTarget.Latest, jsDocParsingMode: t.JSDocParsingMode.ParseNone }, false);
      const seen = new Set<string>();
      const values = new Set<unknown>();
      const visit = (n: Ts.Node): void => {
        for (const f of fields) {
          if (Object.hasOwn(n, f)) seen.add(f);
          values.add((n as unknown as Record<string, unknown>)[f]);
        }
        t.forEachChild(n, visit);
      };
      t.forEachChild(sf, visit);
      return { seen: [...seen].sort(), values: [...values] };
    };
    // TypeScript's own nodes carry every one of them (so that this test can fail), as undefined or 0.
    expect(own(full).seen).toEqual([...fields].sort());
    expect(own(full).values.every((v) => v === undefined || v === 0)).toBe(true);
    // The cut parser's nodes none, and reading one gives undefined.
    expect(own(cut)).toEqual({ seen: [], values: [undefined] });
  });

  it("exports every TypeScript value the linter's sources name", () => {
    // Found with TypeScript's tree here (the build step finds them with a regular expression).
    const names = new Set<string>();
    for (const f of [...codeFilesUnder(join(REPO_ROOT, 'src')), ...codeFilesUnder(join(REPO_ROOT, 'eslint-plugin', 'src'))].filter((f) => /\.[cm]?ts$/.test(f))) {
      const sf = full.createSourceFile(f, readFileSync(f, 'utf8'), full.ScriptTarget.Latest, true);
      const visit = (n: Ts.Node): void => {
        if (full.isPropertyAccessExpression(n) && full.isIdentifier(n.expression) && n.expression.text === 'ts' && Object.hasOwn(full, n.name.text)) names.add(n.name.text);
        full.forEachChild(n, visit);
      };
      visit(sf);
    }
    expect(names.size).toBeGreaterThan(100);
    expect([...names].filter((n) => !Object.hasOwn(cut, n))).toEqual([]);
    // The enums the loader serves from its shape file, named or not.
    for (const n of ENUMS) expect((cut as unknown as Record<string, unknown>)[n], n).toEqual((full as unknown as Record<string, unknown>)[n]);
  });

  it("parses and scans every code file of the repository (and ../shared/corpus) as TypeScript does", () => {
    const dirs = ['src', 'test', 'fixtures', 'rules', 'eslint-plugin', 'bench', 'scripts'].map((d) => join(REPO_ROOT, d));
    if (existsSync(CORPUS_ROOT)) dirs.push(CORPUS_ROOT);
    const files = dirs.filter((d) => existsSync(d)).flatMap((d) => codeFilesUnder(d));
    expect(files.length).toBeGreaterThan(500);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expectSameParse(f, text);
      expect(tokens(cut, text)).toEqual(tokens(full, text));
    }
  });

  it('parses syntax errors, JSX, decorators and the rest of the grammar as TypeScript does', () => {
    const cases: Array<[string, string]> = [
      ['broken.ts', 'const a = ;\nfunction (x { return x +; }\nclass { m( }'],
      ['unterminated.js', 'const s = "abc\nconst t = `x${'],
      ['cast.ts', 'const a = <number>b; const c = d as unknown as E<F>; let g = h!; const i = j satisfies K;'],
      ['cast.tsx', 'const a = <T,>(x: T) => <div className="a" {...p}>{x}<b.c /></div>;'],
      ['jsx.js', 'export default () => <><A b={1} c="d" e /></>;'],
      ['decorators.ts', '@Injectable() export class A { @Inject(B) private readonly b!: B; constructor(@Optional() c?: C) {} @HostListener("x") m() {} }'],
      ['modern.ts', 'using r = open(); await using s = f(); label: for await (const x of y) { break label; } const re = /a(?<n>b)\\k<n>/dgimsuyv; x ??= y ||= z &&= w; a?.b?.[c]?.(d); #p in o; import.meta.url; new.target; const big = 10_000n;'],
      ['types.ts', 'type A<T> = T extends infer U extends string ? `x${U}` : never; interface B { readonly [k: string]: number; new (): B; <T>(x: T): T } enum C { D = 1, E } declare module "m" { export = x } namespace N.M { export const a = 1 } abstract class F<in out T> { abstract g(): asserts this is F<T>; accessor h = 1 }'],
      ['imports.mts', 'import a, * as b from "c"; import { d as e, type f } from "g" with { type: "json" }; export * as h from "i"; export { j as default }; import k = require("l"); export type { M } from "n";'],
      ['unicode.js', 'const \\u0061bc = "\\u{1F600}"; const ïd = 1; // ☃\n/* ✓ */ const s = "é";'],
      ['jsdoc.js', '/**\n * @param {string} a the a\n * @returns {Promise<number>}\n * @type {import("x").Y}\n */\nfunction f(a) { return 1; }\n/** @typedef {{ a: number }} T */'],
      ['deep.js', `${'('.repeat(500)}1${')'.repeat(500)};`],
      ['empty.ts', ''],
    ];
    for (const [file, text] of cases) {
      expectSameParse(file, text);
      expect(tokens(cut, text)).toEqual(tokens(full, text));
    }
  });

  it("reads tsconfig.json and resolves module names as TypeScript does (the plugin's resolution)", () => {
    const text = '{ // a comment\n "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["src/*"] }, }, }';
    expect(cut.parseConfigFileTextToJson('tsconfig.json', text)).toEqual(full.parseConfigFileTextToJson('tsconfig.json', text));
    const from = join(REPO_ROOT, 'src', 'cli', 'main.ts');
    const options = { moduleResolution: full.ModuleResolutionKind.Bundler, module: full.ModuleKind.ESNext, allowJs: true };
    for (const spec of ['./verbose.js', '../engine/lint.js', 'typescript', 'yaml', 'node:fs', './missing.js', 'vitest']) {
      const a = full.resolveModuleName(spec, from, options, full.sys).resolvedModule;
      const b = cut.resolveModuleName(spec, from, options, cut.sys).resolvedModule;
      expect(b?.resolvedFileName, spec).toBe(a?.resolvedFileName);
      expect(b?.extension, spec).toBe(a?.extension);
    }
  });
});
