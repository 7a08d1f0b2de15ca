/**
 * The hook for model-aware rules (rules that read more than code, or judge the whole
 * project): the repository's facts are built once per ESLint process, reused while no
 * config/manifest changes, rebuilt when one does, merged with the editor's text of the
 * file, and not built at all with `settings.pgconn.projectModel: false`. A stub rule stands
 * in for the deployment-model rules; it reads the facts exactly as they would.
 */
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import { defineRule } from '../../src/engine/rule.js';
import { toEslintRule } from '../../eslint-plugin/src/rule.js';
import { needsProjectModel, projectBuilds, staleness } from '../../eslint-plugin/src/project-model.js';
import { tempProject } from '../support/lint-helpers.js';
import { FLAVOURS } from './support.js';

const stub = defineRule({
  meta: {
    id: 'stub-budget',
    description: 'Stand-in for a deployment-model rule.',
    type: 'problem',
    category: 'capacity',
    defaultSeverity: 'error',
    recommended: true,
    inputs: ['js', 'pgbouncer-ini'],
    scope: 'project',
    fixable: false,
    nonProduction: { action: 'report', reason: 'a test stub' },
    since: '0.0.0',
    messages: { budget: 'Pool max {{max}} against {{bouncers}} PgBouncer config(s) with default_pool_size {{poolSize}}.', help: 'Lower max.' },
    options: {},
  },
  check(ctx) {
    const sizes = ctx.facts.pgbouncer.map((b) => b.effective.get('default_pool_size')?.value ?? '?').join('+');
    for (const f of ctx.facts.js) {
      for (const p of f.pools) ctx.report({ messageId: 'budget', helpId: 'help', data: { max: p.max.value ?? '?', bouncers: ctx.facts.pgbouncer.length, poolSize: sizes }, range: p.max.range ?? p.range });
    }
  },
});

const ini = (size: number) => `[databases]\napp = host=db dbname=app\n\n[pgbouncer]\npool_mode = transaction\ndefault_pool_size = ${size}\n`;
const dbTs = (max: number) => `import { Pool } from 'pg';\n\nexport const pool = new Pool({ max: ${max}, connectionTimeoutMillis: 5000 });\n`;

describe('model-aware rules', () => {
  // Every lint checks the disk here (by default at most once a second: one-tree.test.ts).
  const interval = staleness.intervalMs;
  beforeAll(() => {
    staleness.intervalMs = 0;
  });
  afterAll(() => {
    staleness.intervalMs = interval;
  });
  it('are the rules that read more than code', () => {
    expect(needsProjectModel(stub)).toBe(true);
    expect(needsProjectModel({ ...stub, meta: { ...stub.meta, inputs: ['js'], scope: 'file' } })).toBe(false);
  });

  for (const flavour of FLAVOURS) {
    it(`${flavour.name}: build once, follow the editor's text, rebuild on a config change, turn off by setting`, () => {
      const repo = tempProject({
        '.git/HEAD': 'ref: refs/heads/main\n',
        'package.json': JSON.stringify({ dependencies: { pg: '8.16.3' } }),
        'src/db.ts': dbTs(50),
        'deploy/pgbouncer.ini': ini(20),
      });
      const linter = new flavour.Linter({ configType: 'flat', cwd: repo });
      const config = (settings: Record<string, unknown> = {}): Linter.Config[] => [
        { files: ['**/*.ts'], languageOptions: { parser: tsParser as Linter.Parser }, plugins: { t: { rules: { 'stub-budget': toEslintRule(stub) } } }, rules: { 't/stub-budget': 'error' }, settings },
      ];
      const file = join(repo, 'src', 'db.ts');
      const messages = (text: string, settings?: Record<string, unknown>) => linter.verify(text, config(settings), file).map((m) => `${m.line}:${m.column} ${m.message}`);

      const before = projectBuilds.count;
      expect(messages(dbTs(50))).toEqual(['3:37 Pool max 50 against 1 PgBouncer config(s) with default_pool_size 20. — Lower max.']);
      expect(projectBuilds.count).toBe(before + 1);

      // Typing in the editor: the file's own facts come from its unsaved text; the project is not rebuilt.
      expect(messages(dbTs(60))).toEqual(['3:37 Pool max 60 against 1 PgBouncer config(s) with default_pool_size 20. — Lower max.']);
      expect(projectBuilds.count).toBe(before + 1);

      // pgbouncer.ini changes on disk: rebuilt.
      const iniPath = join(repo, 'deploy', 'pgbouncer.ini');
      writeFileSync(iniPath, ini(25));
      utimesSync(iniPath, new Date(), new Date(Date.now() + 5000));
      expect(messages(dbTs(60))).toEqual(['3:37 Pool max 60 against 1 PgBouncer config(s) with default_pool_size 25. — Lower max.']);
      expect(projectBuilds.count).toBe(before + 2);

      // A new config beside it changes the directory: rebuilt, and seen.
      writeFileSync(join(repo, 'deploy', 'pgbouncer-replica.ini'), ini(5));
      utimesSync(join(repo, 'deploy'), new Date(), new Date(Date.now() + 10000));
      expect(messages(dbTs(60))).toEqual(['3:37 Pool max 60 against 2 PgBouncer config(s) with default_pool_size 5+25. — Lower max.']);
      expect(projectBuilds.count).toBe(before + 3);

      // Turned off: no finding, nothing built.
      expect(messages(dbTs(70), { pgconn: { projectModel: false } })).toEqual([]);
      expect(projectBuilds.count).toBe(before + 3);
    });
  }
});
