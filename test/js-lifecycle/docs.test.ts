/**
 * The ❌/✅ blocks of the two rule pages, run through the analysis directly (the engine-level
 * test/rules/doc-examples.test.ts runs them through the whole linter once the extractor is wired).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leaksIn, poolTransactionsIn } from './helpers.js';

const pages = {
  'release-in-finally': (code: string, file: string) => leaksIn(code, file).map((l) => l.detail),
  'transaction-on-pool': (code: string, file: string) => poolTransactionsIn(code, file).map((t) => `${t.statement} via ${t.via}`),
};

for (const [id, analyse] of Object.entries(pages)) {
  const md = readFileSync(resolve(__dirname, '../../rules', `${id}.md`), 'utf8');
  describe(`rules/${id}.md examples`, () => {
    const re = /^```(\S+)[ \t]+(bad|good)\b([^\n]*)\n([\s\S]*?)^```/gm;
    for (const m of md.matchAll(re)) {
      const kind = m[2]!;
      const file = /file=(\S+)/.exec(m[3] ?? '')?.[1] ?? 'example.ts';
      const line = md.slice(0, m.index).split('\n').length;
      it(`${kind} example at line ${line}`, () => {
        expect(analyse(m[4]!, `/project/${file}`)).toHaveLength(kind === 'bad' ? 1 : 0);
      });
    }
  });
}
