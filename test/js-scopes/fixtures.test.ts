import { readdirSync, existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import ineffectivePoolOption from '../../rules/ineffective-pool-option.js';
import missingConnectionTimeout from '../../rules/missing-connection-timeout.js';
import poolInHandler from '../../rules/pool-in-handler.js';
import serverlessPoolSize from '../../rules/serverless-pool-size.js';
import { jsFacts, runRule } from './harness.js';

const FIXTURES = resolve(__dirname, '../../fixtures');

for (const rule of [poolInHandler, serverlessPoolSize, missingConnectionTimeout, ineffectivePoolOption]) {
  const dir = join(FIXTURES, rule.meta.id);
  describe(rule.meta.id, () => {
    // Directory fixtures (small projects with .env files) and other languages' files (.py) are run by test/rules/rule-fixtures.test.ts.
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => /^(valid|invalid)-/.test(f) && /\.[cm]?[jt]sx?$/.test(f) && statSync(join(dir, f)).isFile()).sort() : [];
    it('has at least 10 valid and 10 invalid fixtures', () => {
      expect(files.filter((f) => f.startsWith('invalid-')).length).toBeGreaterThanOrEqual(10);
      expect(files.filter((f) => f.startsWith('valid-')).length).toBeGreaterThanOrEqual(10);
    });
    for (const f of files) {
      const findings = () => runRule(rule, jsFacts([join(dir, f)]));
      if (f.startsWith('invalid-')) {
        it(`reports ${f}`, () => {
          const fs = findings();
          expect(fs.length, 'findings').toBeGreaterThan(0);
          expect(fs.map((x) => `${x.line}:${x.column}-${x.endLine}:${x.endColumn} ${x.message}\n  help: ${x.help}`).join('\n')).toMatchSnapshot();
        });
      } else {
        it(`stays silent on ${f}`, () => {
          expect(findings().map((x) => `${x.line}:${x.column} ${x.message}`)).toEqual([]);
        });
      }
    }
  });
}
