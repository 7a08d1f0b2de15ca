/**
 * Shared by the ESLint plugin tests: the two ESLint majors side by side (eslint = 10,
 * eslint9 = npm:eslint@9), the two parsers, and the CLI's findings on a fixture file.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { rangeInFile } from '../../eslint-plugin/src/rule.js';
import * as eslint10 from 'eslint';
import * as eslint9 from 'eslint9';
import tsParser from '@typescript-eslint/parser';
import type { Linter } from 'eslint';
import type { Diagnostic, TextEdit } from '../../src/core/diagnostic.js';
import { LineIndex } from '../../src/core/location.js';
import { allDiagnostics, lintPaths, projectTestConfig, testConfig, type TestSettings } from '../support/lint-helpers.js';

export const REPO = resolve(__dirname, '../..');
export const FIXTURES = join(REPO, 'fixtures');

export interface EslintFlavour {
  name: string;
  version: string;
  RuleTester: typeof eslint10.RuleTester;
  ESLint: typeof eslint10.ESLint;
  Linter: typeof eslint10.Linter;
}

export const FLAVOURS: EslintFlavour[] = [
  { name: 'ESLint 10', version: eslint10.ESLint.version, RuleTester: eslint10.RuleTester, ESLint: eslint10.ESLint, Linter: eslint10.Linter },
  {
    name: 'ESLint 9',
    version: eslint9.ESLint.version,
    RuleTester: eslint9.RuleTester as unknown as typeof eslint10.RuleTester,
    ESLint: eslint9.ESLint as unknown as typeof eslint10.ESLint,
    Linter: eslint9.Linter as unknown as typeof eslint10.Linter,
  },
];

export interface ParserChoice {
  name: string;
  /** Which fixture files it can read. */
  reads: (file: string) => boolean;
  languageOptions: Linter.LanguageOptions;
}

const JS_ONLY = /\.(?:js|mjs|cjs|jsx)$/;
/** What ESLint lints with the plugin: JS and TS files (a rule's Python or Ruby fixtures are the CLI's). */
const JS_OR_TS = /\.(?:js|mjs|cjs|jsx|ts|mts|cts|tsx)$/;

export const PARSERS: ParserChoice[] = [
  { name: 'espree', reads: (f) => JS_ONLY.test(f), languageOptions: { ecmaVersion: 'latest' } },
  { name: '@typescript-eslint/parser', reads: (f) => JS_OR_TS.test(f), languageOptions: { parser: tsParser as Linter.Parser, ecmaVersion: 'latest' } },
];

/** ESLint's default sourceType by extension (`.cjs` is CommonJS, the rest modules), as its default config sets it. */
export function sourceTypeOf(file: string): 'module' | 'commonjs' {
  return file.endsWith('.cjs') || file.endsWith('.cts') ? 'commonjs' : 'module';
}

/** The settings comment of a fixture (see test/rules/rule-fixtures.test.ts). */
export function fixtureSettings(text: string): TestSettings {
  const m = /pgconn-lint-test:\s*(\{.*\})/.exec(text.split(/\r?\n/, 1)[0] ?? '');
  return m ? (JSON.parse(m[1]!) as TestSettings) : {};
}

export interface FixtureCase {
  file: string;
  name: string;
  kind: 'valid' | 'invalid';
  code: string;
}

/** The single-file fixtures of a rule (directory fixtures are projects: see projectCases). */
export function fixtureCases(ruleId: string): FixtureCase[] {
  const dir = join(FIXTURES, ruleId);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^(valid|invalid)-/.test(f) && statSync(join(dir, f)).isFile())
    .sort()
    .map((name) => {
      const file = join(dir, name);
      return { file, name, kind: name.startsWith('valid-') ? 'valid' : 'invalid', code: readFileSync(file, 'utf8') } as FixtureCase;
    });
}

/** What the CLI reports for one rule on one fixture file (run as test/rules/rule-fixtures.test.ts runs it). */
export function cliFindings(ruleId: string, c: FixtureCase): Diagnostic[] {
  const dir = join(FIXTURES, ruleId);
  const result = lintPaths(dir, [c.file], testConfig([ruleId], fixtureSettings(c.code)));
  return allDiagnostics(result).filter((d) => d.ruleId === ruleId);
}

/** The ESLint message of a CLI finding: the message, then the help, on one line. */
export function eslintMessageOf(d: Diagnostic): string {
  return d.help !== undefined ? `${d.message} — ${d.help}` : d.message;
}

const CODE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

function codeFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === '.git') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...codeFiles(p));
    else if (CODE_FILE.test(e.name) && !/\.d\.[cm]?ts$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

/**
 * For rules that read the deployment: each fixture (a file, or a directory that is a project)
 * copied into a repository of its own, the CLI run over it, and one case per code file with
 * the CLI's findings shown in that file (at a related location when the finding is elsewhere).
 * Settings from a fixture's first-line comment go into a pgconn-lint.config.json.
 */
export function projectCases(ruleId: string): Array<FixtureCase & { expected: Diagnostic[] }> {
  const dir = join(FIXTURES, ruleId);
  if (!existsSync(dir)) return [];
  const out: Array<FixtureCase & { expected: Diagnostic[] }> = [];
  for (const name of readdirSync(dir).filter((f) => /^(valid|invalid)-/.test(f)).sort()) {
    const src = join(dir, name);
    const repo = mkdtempSync(join(tmpdir(), 'pgconn-eslint-fixture-'));
    mkdirSync(join(repo, '.git'));
    let settings: TestSettings = {};
    if (statSync(src).isDirectory()) cpSync(src, repo, { recursive: true });
    else {
      cpSync(src, join(repo, basename(src)));
      settings = fixtureSettings(readFileSync(src, 'utf8'));
      if (Object.keys(settings).length > 0) writeFileSync(join(repo, 'pgconn-lint.config.json'), JSON.stringify(settings));
    }
    const findings = allDiagnostics(lintPaths(repo, [repo], projectTestConfig([ruleId], settings, repo))).filter((d) => d.ruleId === ruleId);
    for (const file of codeFiles(repo)) {
      const expected: Diagnostic[] = [];
      for (const d of findings) {
        const range = rangeInFile(d, file);
        if (range !== undefined) expected.push({ ...d, range });
      }
      expected.sort((a, b) => a.range.line - b.range.line || a.range.column - b.range.column);
      out.push({ file, name: `${name} ${relative(repo, file)}`, kind: name.startsWith('valid-') ? 'valid' : 'invalid', code: readFileSync(file, 'utf8'), expected });
    }
  }
  return out;
}

/** `edits` (pgconn-lint's 1-based, end-exclusive ranges) applied to `code`, last first. */
export function applyEdits(code: string, edits: readonly TextEdit[]): string {
  const index = new LineIndex(code);
  const spans = edits.map((e) => ({ start: index.offset(e.range.line, e.range.column)!, end: index.offset(e.range.endLine, e.range.endColumn)!, text: e.text }));
  spans.sort((a, b) => b.start - a.start);
  let out = code;
  for (const s of spans) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}
