/**
 * Every rule's cases are real files: fixtures/<rule-id>/invalid-<case>.<ext> must
 * give at least one finding of that rule, valid-<case>.<ext> none. A first-line
 * comment `pgconn-lint-test: {json}` carries settings (database.memory, versions); a project case's
 * own `pgconn-lint.config.json` gives its `deployment` section (declared servers and poolers).
 * The rendered findings of each invalid case are snapshotted so wording changes are reviewed.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_RULES } from '../../rules/index.js';

import { allDiagnostics, describeDiagnostic, lintPaths, projectTestConfig, renderForSnapshot, testConfig, type TestSettings } from '../support/lint-helpers.js';
import { describeLive, judgeRecorded, readRecorded } from '../support/live-recorded.js';

const FIXTURES = resolve(__dirname, '../../fixtures');

/**
 * A directory fixture (`invalid-<case>/`) is a small project: it is copied out of this repository
 * (so pgconn-lint's own .git, .gitignore and fixtures/ path do not apply) and linted as a whole.
 */
function projectCopy(path: string): { cwd: string; paths: string[] } {
  const cwd = mkdtempSync(join(tmpdir(), 'pgconn-lint-fixture-'));
  cpSync(path, cwd, { recursive: true });
  return { cwd, paths: [cwd] };
}

function settingsOf(text: string): TestSettings {
  const m = /pgconn-lint-test:\s*(\{.*\})/.exec(text.split(/\r?\n/, 1)[0] ?? '');
  return m ? (JSON.parse(m[1]!) as TestSettings) : {};
}

for (const rule of ALL_RULES) {
  const id = rule.meta.id;
  const dir = join(FIXTURES, id);
  describe(id, () => {
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => /^(valid|invalid)-/.test(f)).sort() : [];
    it('has valid and invalid fixtures', () => {
      expect(files.some((f) => f.startsWith('invalid-'))).toBe(true);
      expect(files.some((f) => f.startsWith('valid-'))).toBe(true);
    });
    for (const f of files) {
      const path = join(dir, f);
      const isProject = statSync(path).isDirectory();
      const settings = isProject ? {} : settingsOf(readFileSync(path, 'utf8'));
      const target = () => (isProject ? projectCopy(path) : { cwd: dir, paths: [path] });
      if (rule.meta.inputs.includes('live')) {
        // A live rule's case is a folder: live.json (what was read from the servers) and the repository beside it.
        it(`${f.startsWith('invalid-') ? 'reports' : 'stays silent on'} ${f}`, async () => {
          const { cwd } = projectCopy(path);
          const settingsFile = join(cwd, 'test-settings.json');
          const result = judgeRecorded(cwd, readRecorded(join(cwd, 'live.json')), [id], existsSync(settingsFile) ? (readRecorded(settingsFile) as TestSettings) : {});
          const mine = allDiagnostics(result).filter((d) => d.ruleId === id);
          if (f.startsWith('valid-')) {
            expect(mine.map((d) => `${describeLive(d, cwd)} ${d.message}`)).toEqual([]);
            return;
          }
          expect(mine.length).toBeGreaterThan(0);
          for (const d of mine) expect(d.help).toBeTruthy();
          const text = `${mine.map((d) => describeLive(d, cwd)).join('\n')}\n\n${renderForSnapshot(result, cwd)}`;
          await expect(text).toMatchFileSnapshot(join(__dirname, '__snapshots__', id, `${f}.txt`));
        });
        continue;
      }
      if (f.startsWith('invalid-')) {
        it(`reports ${f}`, async () => {
          const { cwd, paths } = target();
          const result = lintPaths(cwd, paths, (isProject ? projectTestConfig([id], settings, cwd) : testConfig([id], settings)));
          const ds = allDiagnostics(result);
          expect(ds.filter((d) => d.ruleId === null && d.fatal)).toEqual([]);
          const mine = ds.filter((d) => d.ruleId === id);
          expect(mine.length).toBeGreaterThan(0);
          for (const d of mine) {
            expect(d.range.line).toBeGreaterThan(0);
            expect(d.help).toBeTruthy();
          }
          const text = `${mine.map((d) => describeDiagnostic(d, cwd)).join('\n')}\n\n${renderForSnapshot(result, cwd)}`;
          await expect(text).toMatchFileSnapshot(join(__dirname, '__snapshots__', id, `${f}.txt`));
        });
      } else {
        it(`stays silent on ${f}`, () => {
          const { cwd, paths } = target();
          const result = lintPaths(cwd, paths, (isProject ? projectTestConfig([id], settings, cwd) : testConfig([id], settings)));
          const ds = allDiagnostics(result).filter((d) => d.ruleId === id || d.fatal);
          expect(ds.map((d) => `${describeDiagnostic(d, cwd)} ${d.message}`)).toEqual([]);
        });
      }
    }
  });
}
