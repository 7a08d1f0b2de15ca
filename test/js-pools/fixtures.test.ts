import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readTextFile } from '../../src/core/read-text.js';
import { analyzeJsFiles } from '../../src/sources/js/project.js';
import { toModelJson } from '../../src/report/model-json/pools.js';
import { codeFilesUnder, REPO_ROOT } from '../support/paths.js';

const FIXTURES = resolve(REPO_ROOT, 'fixtures', 'js-pools');
function analyze(name: string) {
  const root = join(FIXTURES, name);
  const a = analyzeJsFiles(codeFilesUnder(root), { repoRoot: root, readFile: (p) => readTextFile(p) });
  return { a, model: toModelJson(a.pools, root) };
}

describe('fixture mini-projects (--print-model)', () => {
  test.each(readdirSync(FIXTURES).sort())('%s', (name) => {
    const { a, model } = analyze(name);
    expect(JSON.parse(JSON.stringify(model))).toEqual(model); // JSON-safe
    expect({ model, problems: a.problems.map((p) => ({ ...p, range: { ...p.range, file: p.range.file.slice(FIXTURES.length + 1) } })) }).toMatchSnapshot();
  });

  test('express-pg-esm: config module, alias import, named query', () => {
    const { a, model } = analyze('express-pg-esm');
    expect(a.stats.filesParsed).toBe(3); // db.ts, config.ts (on demand), routes/orders.ts (imports the pool); server.ts is never parsed
    const [pool] = model.pools;
    expect(pool).toMatchObject({
      file: 'src/db.ts',
      max: { value: 20, provenance: { kind: 'env', envVar: 'DB_POOL_MAX', fallback: 20 } },
      idleTimeoutMs: { value: 30000, provenance: { kind: 'constant', name: 'config.db.idleTimeoutMillis' } },
      preparedStatements: { value: true, range: { file: 'src/routes/orders.ts' } },
    });
    expect(pool!.startupParameters.map((s) => s.name)).toEqual(['application_name', 'statement_timeout']);
  });

  test('cjs-knex: options from a required knexfile', () => {
    const { model } = analyze('cjs-knex');
    expect(model.pools).toHaveLength(1);
    expect(model.pools[0]).toMatchObject({ library: 'knex', file: 'lib/db.js', max: { value: 10, provenance: { kind: 'env', envVar: 'KNEX_POOL_MAX' } }, exportedAs: ['db'] });
  });

  test('nest-typeorm: forRootAsync factory and replication', () => {
    const { model } = analyze('nest-typeorm');
    expect(model.pools.map((p) => [p.file, p.max.value, p.connectionsPerProcess?.value ?? null])).toEqual([
      ['src/app.module.ts', 25, null],
      ['src/data-source.ts', 10, 30],
    ]);
  });

  test('broken: a syntax error is reported, the comment-only file is quiet', () => {
    const { a, model } = analyze('broken');
    expect(model.pools).toHaveLength(1);
    expect(a.problems.map((p) => [p.range.file.endsWith('syntax-error.ts'), p.range.line])).toEqual([[true, 5]]);
  });
});
