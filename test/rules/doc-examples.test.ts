/**
 * Doc examples are executed. In rules/<id>.md a fenced block whose info string is
 *   ```<lang> bad file=<name> [memory=<size>] [pg=<major>] [pgbouncer=<version>] [project=<name>]
 * must give exactly one finding of that rule; `good` instead of `bad`, none. Blocks that share
 * a `project=` name are written into one directory and linted together (one finding in all).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_RULES } from '../../rules/index.js';

import { allDiagnostics, describeDiagnostic, lintPaths, tempProject, testConfig, type TestSettings } from '../support/lint-helpers.js';
import { describeLive, judgeRecorded } from '../support/live-recorded.js';

interface Example {
  kind: 'bad' | 'good';
  file: string;
  settings: TestSettings;
  body: string;
  line: number;
  /** Blocks with the same `project=<name>` form one small project, linted as a whole (a pgbouncer.ini + code + .env). */
  project?: string;
}

function defaultFileFor(lang: string): string {
  if (lang === 'ini') return 'pgbouncer.ini';
  if (lang === 'json') return 'live.json';
  if (/^(ts|typescript|tsx)$/.test(lang)) return 'example.ts';
  if (/^(js|javascript|jsx|mjs|cjs)$/.test(lang)) return 'example.js';
  if (/^(py|python)$/.test(lang)) return 'example.py';
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
      ...(attrs.project ? { project: attrs.project } : {}),
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
    const groups: Example[][] = [];
    for (const ex of examples) {
      const g = ex.project !== undefined ? groups.find((x) => x[0]!.project === ex.project) : undefined;
      if (g) g.push(ex);
      else groups.push([ex]);
    }
    for (const group of groups) {
      const ex = group[0]!;
      it(`${ex.kind} example at line ${ex.line} (${group.map((e) => e.file).join(', ')})`, () => {
        const dir = tempProject(Object.fromEntries(group.map((e) => [e.file, e.body])));
        if (rule.meta.inputs.includes('live')) {
          // A live rule's example: `live.json` is what was read from the server, the other blocks the repository.
          const reading = group.find((e) => e.file === 'live.json');
          expect(reading, 'a live rule example has a live.json block').toBeDefined();
          const result = judgeRecorded(dir, JSON.parse(reading!.body) as unknown, [id], ex.settings);
          const mine = allDiagnostics(result).filter((d) => d.ruleId === id).map((d) => `${describeLive(d, dir)} ${d.message}`);
          expect(mine).toHaveLength(ex.kind === 'bad' ? 1 : 0);
          return;
        }
        const paths = ex.project !== undefined ? [dir] : [join(dir, ex.file)];
        const result = lintPaths(dir, paths, testConfig([id], ex.settings));
        const ds = allDiagnostics(result);
        expect(ds.filter((d) => d.fatal).map((d) => d.message)).toEqual([]);
        const mine = ds.filter((d) => d.ruleId === id).map((d) => `${describeDiagnostic(d, dir)} ${d.message}`);
        expect(mine).toHaveLength(ex.kind === 'bad' ? 1 : 0);
      });
    }
  });
}
