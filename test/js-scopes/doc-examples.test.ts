/**
 * The ❌/✅ blocks of the four rule pages, run through the JS extractor, the request-scope
 * detector and the rule (test/rules/doc-examples.test.ts runs them through the engine
 * once the rules are registered).
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import ineffectivePoolOption from '../../rules/ineffective-pool-option.js';
import missingConnectionTimeout from '../../rules/missing-connection-timeout.js';
import poolInHandler from '../../rules/pool-in-handler.js';
import serverlessPoolSize from '../../rules/serverless-pool-size.js';
import { jsFacts, runRule } from './harness.js';

for (const rule of [poolInHandler, serverlessPoolSize, missingConnectionTimeout, ineffectivePoolOption]) {
  const md = readFileSync(resolve(__dirname, '../../rules', `${rule.meta.id}.md`), 'utf8');
  describe(`rules/${rule.meta.id}.md`, () => {
    const re = /^```(\S+)[ \t]+(bad|good)\b([^\n]*)\n([\s\S]*?)^```/gm;
    for (const m of md.matchAll(re)) {
      // A `project=` block is one file of a small project (a route beside its vercel.json):
      // test/rules/doc-examples.test.ts lints those as a whole.
      if (/\bproject=/.test(m[3] ?? '')) continue;
      const file = /file=(\S+)/.exec(m[3] ?? '')?.[1] ?? 'db.ts';
      // A block of a multi-file example (`project=`) or of another language (a Spring .properties) is
      // run as a project by test/rules/doc-examples.test.ts; this test runs single code files.
      if (/\bproject=/.test(m[3] ?? '') || !/^(ts|tsx|js|jsx|mjs|cjs|javascript|typescript)$/.test(m[1] ?? '')) continue;
      const line = md.slice(0, m.index).split('\n').length;
      it(`${m[2]} example at line ${line} (${file})`, () => {
        const dir = mkdtempSync(join(tmpdir(), 'pgconn-doc-'));
        const path = join(dir, file);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, m[4] ?? '');
        try {
          const found = runRule(rule, jsFacts([path], dir));
          expect(found.map((f) => `${f.line}:${f.column} ${f.message}`)).toHaveLength(m[2] === 'bad' ? 1 : 0);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  });
}
