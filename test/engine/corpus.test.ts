/** Every real-world file in ../shared/corpus is linted without a crash or an internal error. */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allDiagnostics, lintPaths, testConfig } from '../support/lint-helpers.js';

const CORPUS = resolve(__dirname, '../../../shared/corpus');

describe.runIf(existsSync(CORPUS) || process.env.CI === 'true')('shared corpus', () => {
  const kinds = existsSync(CORPUS) ? readdirSync(CORPUS).filter((k) => !k.endsWith('.md')) : [];
  it('exists', () => expect(kinds.length).toBeGreaterThan(0));
  for (const kind of kinds) {
    for (const f of readdirSync(join(CORPUS, kind))) {
      it(`${kind}/${f}`, () => {
        const path = join(CORPUS, kind, f);
        const result = lintPaths(join(CORPUS, kind), [path], testConfig());
        for (const d of allDiagnostics(result)) {
          expect(d.range.line).toBeGreaterThan(0);
          expect(d.range.column).toBeGreaterThan(0);
          expect(d.message).not.toMatch(/internal error/i);
        }
      });
    }
  }
});
