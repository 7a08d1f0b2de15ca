/**
 * fixtures/release-in-finally and fixtures/transaction-on-pool through the analysis directly:
 * every invalid-* file gives at least one finding, every valid-* none. (The engine-level
 * test/rules/rule-fixtures.test.ts runs the same files through the linter and snapshots them;
 * it alone runs the folder fixtures, which are whole projects.)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leaksIn, poolTransactionsIn } from './helpers.js';

const FIXTURES = resolve(__dirname, '../../fixtures');
const NON_PRODUCTION_FILE = /\.(?:test|spec)\.[cm]?[jt]sx?$/;
const analyses = {
  'release-in-finally': (code: string, file: string) => leaksIn(code, file).map((l) => `${l.acquire.line}: ${l.detail}`),
  'transaction-on-pool': (code: string, file: string) => poolTransactionsIn(code, file).map((t) => `${t.range.line}: ${t.statement} via ${t.via}`),
};

for (const [id, analyse] of Object.entries(analyses)) {
  describe(`fixtures/${id}`, () => {
    const files = readdirSync(join(FIXTURES, id)).filter((f) => /^(valid|invalid)-/.test(f) && statSync(join(FIXTURES, id, f)).isFile()).sort();
    it('has at least 10 invalid and 10 valid cases, in JS and TS, ESM and CommonJS', () => {
      const invalid = files.filter((f) => f.startsWith('invalid-'));
      const valid = files.filter((f) => f.startsWith('valid-'));
      expect(invalid.length).toBeGreaterThanOrEqual(10);
      expect(valid.length).toBeGreaterThanOrEqual(10);
      for (const ext of ['.ts', '.js', '.mjs', '.cjs']) expect(files.some((f) => f.endsWith(ext))).toBe(true);
    });
    for (const f of files) {
      const path = join(FIXTURES, id, f);
      it(f, () => {
        const found = analyse(readFileSync(path, 'utf8'), path);
        if (f.startsWith('invalid-')) expect(found.length).toBeGreaterThan(0);
        // A valid test file may hold a leak the analysis finds and the rule leaves out in
        // non-production code (a throw-only leak of a client the test creates): the rule-level
        // fixture test judges it.
        else if (!NON_PRODUCTION_FILE.test(f)) expect(found).toEqual([]);
      });
    }
  });
}

it('each rule stays silent on the other rule\'s fixtures where they are correct for it', () => {
  const other = (dir: string) => readdirSync(join(FIXTURES, dir)).map((f) => join(FIXTURES, dir, f)).filter((p) => statSync(p).isFile());
  const leaks = other('transaction-on-pool').flatMap((p) => leaksIn(readFileSync(p, 'utf8'), p).map((l) => `${p}: ${l.detail}`));
  // invalid-neon-pool.ts also ends its per-request pool outside finally (issue 15): a true release-in-finally finding.
  expect(leaks).toEqual([`${join(FIXTURES, 'transaction-on-pool', 'invalid-neon-pool.ts')}: if the call to request.json at line 6 throws, pool is never closed`]);
  const txs = other('release-in-finally').flatMap((p) => poolTransactionsIn(readFileSync(p, 'utf8'), p).map((t) => `${p}: ${t.statement}`));
  expect(txs).toEqual([]);
});
