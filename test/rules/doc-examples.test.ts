/**
 * Doc examples are executed. In rules/<id>.md a fenced block whose info string is
 *   ```<lang> bad file=<name> [memory=<size>] [pg=<major>] [pgbouncer=<version>]
 * must give exactly one finding of that rule; `good` instead of `bad`, none.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_RULES } from '../../rules/index.js';
import { allDiagnostics, describeDiagnostic, lintPaths, tempProject, testConfig, type TestSettings } from '../support/lint-helpers.js';

interface Example {
  kind: 'bad' | 'good';
  file: string;
  settings: TestSettings;
  body: string;
  line: number;
}

function defaultFileFor(lang: string): string {
  if (lang === 'ini') return 'pgbouncer.ini';
  if (/^(ts|typescript|tsx)$/.test(lang)) return 'example.ts';
  if (/^(js|javascript|jsx|mjs|cjs)$/.test(lang)) return 'example.js';
  return 'postgresql.conf';
}

export function docExamples(markdown: string): Example[] {
  const out: Example[] = [];
  const re = /^```(\S+)[ \t]+(bad|good)\b([^\n]*)\n([\s\S]*?)^```/gm;
  for (const m of markdown.matchAll(re)) {
    const attrs = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)=(\S+)/g)].map((a) => [a[1]!, a[2]!]));
    const settings: TestSettings = {};
    if (attrs.memory || attrs.pg) settings.database = { ...(attrs.memory ? { memory: attrs.memory } : {}), ...(attrs.pg ? { version: attrs.pg } : {}) };
    if (attrs.pgbouncer) settings.pgbouncer = { version: attrs.pgbouncer };
    out.push({
      kind: m[2] as 'bad' | 'good',
      file: attrs.file ?? defaultFileFor(m[1] ?? ''),
      settings,
      body: m[4] ?? '',
      line: markdown.slice(0, m.index).split('\n').length,
    });
  }
  return out;
}

for (const rule of ALL_RULES) {
  const id = rule.meta.id;
  const md = readFileSync(resolve(__dirname, '../../rules', `${id}.md`), 'utf8');
  describe(`rules/${id}.md`, () => {
    const examples = docExamples(md);
    it('has at least one bad and one good example', () => {
      expect(examples.some((e) => e.kind === 'bad')).toBe(true);
      expect(examples.some((e) => e.kind === 'good')).toBe(true);
    });
    for (const ex of examples) {
      it(`${ex.kind} example at line ${ex.line} (${ex.file})`, () => {
        const dir = tempProject({ [ex.file]: ex.body });
        const result = lintPaths(dir, [join(dir, ex.file)], testConfig([id], ex.settings));
        const ds = allDiagnostics(result);
        expect(ds.filter((d) => d.fatal).map((d) => d.message)).toEqual([]);
        const mine = ds.filter((d) => d.ruleId === id).map((d) => `${describeDiagnostic(d, dir)} ${d.message}`);
        expect(mine).toHaveLength(ex.kind === 'bad' ? 1 : 0);
      });
    }
  });
}
