/**
 * End to end: ESLint (Node API, and the real `eslint` binary reading the project's own
 * eslint.config.mjs through the eslint-plugin-pgconn package) over a fixture project, compared
 * with what the CLI reports on the same files: rule ids, positions, messages and help.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import pgconn, { CODE_RULES } from '../../eslint-plugin/src/index.js';
import { rangeInFile } from '../../eslint-plugin/src/rule.js';
import { projectBuilds, staleChecks, staleness } from '../../eslint-plugin/src/project-model.js';
import { ALL_RULES } from '../../rules/index.js';
import { loadConfig } from '../../src/engine/config.js';
import { lint } from '../../src/engine/lint.js';
import { eslintMessageOf, FLAVOURS, REPO } from './support.js';

const APP = join(__dirname, 'fixtures', 'app');
const CODE_IDS = new Set(CODE_RULES.map((r) => r.meta.id));
const TS_FILES = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];

interface Finding {
  file: string;
  line: number;
  column: number;
  endLine: number | undefined;
  endColumn: number | undefined;
  rule: string;
  message: string;
}

const byPosition = (a: Finding, b: Finding) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule);

/** The CLI run in the project (its default, recommended config), keeping code findings in files ESLint lints. */
function cliFindings(lints: (file: string) => boolean): Finding[] {
  const config = loadConfig({ cwd: APP, rules: ALL_RULES });
  const result = lint({ cwd: APP, paths: [], ignorePatterns: [], config, rules: ALL_RULES });
  const out: Finding[] = [];
  for (const d of result.files.flatMap((f) => f.diagnostics)) {
    if (d.ruleId === null || !CODE_IDS.has(d.ruleId)) continue;
    // The editor shows a finding in its own file, and in each file holding one of its related
    // locations (the other pools of a budget overflow).
    const files = new Set([d.range.file, ...(d.related ?? []).map((r) => r.range.file)]);
    for (const file of files) {
      const range = rangeInFile(d, file);
      if (!lints(file) || range === undefined) continue;
      out.push({ file: relative(APP, file), line: range.line, column: range.column, endLine: range.endLine, endColumn: range.endColumn, rule: `pgconn/${d.ruleId}`, message: eslintMessageOf(d) });
    }
  }
  return out.sort(byPosition);
}

interface EslintResultLike {
  filePath: string;
  messages: Array<{ ruleId: string | null; line: number; column: number; endLine?: number; endColumn?: number; message: string; fatal?: boolean }>;
}

function eslintFindings(results: readonly EslintResultLike[]): Finding[] {
  const out: Finding[] = [];
  for (const r of results) {
    for (const m of r.messages) {
      expect(m.fatal ?? false, `${r.filePath}: ${m.message}`).toBe(false);
      out.push({ file: relative(APP, r.filePath), line: m.line, column: m.column, endLine: m.endLine, endColumn: m.endColumn, rule: m.ruleId ?? 'fatal', message: m.message });
    }
  }
  return out.sort(byPosition);
}

const isTs = (f: string) => /\.[cm]?tsx?$/.test(f);
const isJs = (f: string) => /\.[cm]?jsx?$/.test(f);

describe('the fixture project', () => {
  it('has a finding of every code rule for the CLI, and a suppressed one', () => {
    const rules = new Set(cliFindings(() => true).map((f) => f.rule.slice('pgconn/'.length)));
    const expected = ['release-in-finally', 'pool-in-handler', 'missing-connection-timeout', 'serverless-pool-size', 'transaction-on-pool', 'ineffective-pool-option'];
    // Deployment-model findings in code: the compose file runs this code against pgbouncer (transaction mode) and postgres.
    expected.push('session-state-transaction-mode', 'pool-oversubscription');
    for (const id of expected) expect(rules).toContain(id);
    // src/jobs/cleanup.ts has two identical leaks; the first carries a pgconn-lint-disable-next-line comment.
    expect(cliFindings(() => true).filter((f) => f.file === join('src', 'jobs', 'cleanup.ts')).map((f) => f.line)).toEqual([11]);
  });
});

for (const flavour of FLAVOURS) {
  describe(`${flavour.name} (${flavour.version}) Node API`, () => {
    it('with @typescript-eslint/parser: reports what the CLI reports, file by file', async () => {
      const overrideConfig: Linter.Config[] = [pgconn.configs.recommended, { files: TS_FILES, languageOptions: { parser: tsParser as Linter.Parser } }];
      const eslint = new flavour.ESLint({ cwd: APP, overrideConfigFile: true, overrideConfig });
      const results = await eslint.lintFiles(['.']);
      const expected = cliFindings((f) => isTs(f) || isJs(f));
      expect(expected.length).toBeGreaterThanOrEqual(8);
      expect(eslintFindings(results)).toEqual(expected);
    });

    it("with ESLint's default parser: the JavaScript files", async () => {
      const eslint = new flavour.ESLint({ cwd: APP, overrideConfigFile: true, overrideConfig: [pgconn.configs.recommended] });
      const results = await eslint.lintFiles(['.']);
      const expected = cliFindings(isJs);
      expect(expected.map((f) => f.rule)).toEqual(expect.arrayContaining(['pgconn/pool-in-handler', 'pgconn/ineffective-pool-option']));
      expect(eslintFindings(results)).toEqual(expected);
    });
  });
}

describe('typing in the editor', () => {
  for (const flavour of FLAVOURS) {
    it(`${flavour.name}: max: 50 in unsaved text changes the budget overflow on that pool, nothing else is rebuilt`, async () => {
      const overrideConfig: Linter.Config[] = [pgconn.configs.recommended, { files: TS_FILES, languageOptions: { parser: tsParser as Linter.Parser } }];
      const eslint = new flavour.ESLint({ cwd: APP, overrideConfigFile: true, overrideConfig });
      const filePath = join(APP, 'src', 'db.ts');
      const text = readFileSync(filePath, 'utf8').replace('max: POOL_MAX', 'max: 50');
      const overflow = async (t: string) => (await eslint.lintText(t, { filePath }))[0]!.messages.filter((m) => m.ruleId === 'pgconn/pool-oversubscription');
      const [saved] = await overflow(readFileSync(filePath, 'utf8'));
      expect(saved?.message).toMatch(/3 replicas × max 20 = 60/);
      const builds = projectBuilds.count;
      const checks = staleChecks.count;
      // Checked at every lint here (by default at most once a second: one-tree.test.ts).
      const interval = staleness.intervalMs;
      staleness.intervalMs = 0;
      const [typed] = await overflow(text).finally(() => (staleness.intervalMs = interval));
      expect(typed?.message).toMatch(/3 replicas × max 50 = 150/);
      expect(projectBuilds.count).toBe(builds);
      // One staleness check for the lint of the file, not one per pgconn rule (issue 11).
      expect(staleChecks.count - checks).toBe(1);
      expect(typed?.line).toBe(5);
      const off = new flavour.ESLint({ cwd: APP, overrideConfigFile: true, overrideConfig: [...overrideConfig, { settings: { pgconn: { projectModel: false } } }] });
      const quiet = (await off.lintText(text, { filePath }))[0]!.messages.map((m) => m.ruleId);
      expect(quiet).toEqual(['pgconn/missing-connection-timeout']);
    });
  }
});

describe('the eslint binary with the project’s eslint.config.mjs (built package)', () => {
  const built = join(REPO, 'dist', 'eslint-plugin', 'src', 'index.js');
  for (const [name, bin] of [
    ['eslint 10', join(REPO, 'node_modules', 'eslint', 'bin', 'eslint.js')],
    ['eslint 9', join(REPO, 'node_modules', 'eslint9', 'bin', 'eslint.js')],
  ] as const) {
    it(`${name}: import pgconn from 'eslint-plugin-pgconn' works and reports what the CLI reports`, () => {
      // `npm test` builds first; a bare `vitest run` needs `npm run build` for this one.
      expect(existsSync(built), `${built} is missing: run npm run build`).toBe(true);
      let stdout: string;
      try {
        stdout = execFileSync(process.execPath, [bin, '--format', 'json', '.'], { cwd: APP, encoding: 'utf8' });
      } catch (err) {
        // exit status 1 = problems found
        stdout = (err as { stdout?: string }).stdout ?? '';
      }
      const results = JSON.parse(stdout) as EslintResultLike[];
      expect(results.some((r) => r.filePath.endsWith('eslint.config.mjs'))).toBe(true);
      expect(eslintFindings(results)).toEqual(cliFindings((f) => isTs(f) || isJs(f)));
    });
  }
});
