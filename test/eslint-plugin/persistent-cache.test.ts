/**
 * The ESLint plugin keeps the repository's facts across processes (an editor restart, each
 * `eslint` run) in node_modules/.cache/pgconn-lint/, with the CLI's facts cache (docs/cache.md).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempProject } from '../support/lint-helpers.js';

type ProjectModelModule = typeof import('../../eslint-plugin/src/project-model.js');
/** A fresh copy of the module: what a new ESLint process starts with (no facts in memory). */
async function freshProcess(): Promise<ProjectModelModule> {
  vi.resetModules();
  return import('../../eslint-plugin/src/project-model.js');
}

const dbTs = `import { Pool } from 'pg';\n\nexport const pool = new Pool({ max: 50, connectionTimeoutMillis: 5000 });\n`;

describe('the plugin keeps the project facts across processes', () => {
  afterEach(() => {
    delete process.env.PGCONN_LINT_NO_CACHE;
  });

  it('writes node_modules/.cache/pgconn-lint/facts.json, and a new process reuses it with the same facts', async () => {
    const repo = tempProject({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'package.json': JSON.stringify({ dependencies: { pg: '8.16.3' } }),
      'src/db.ts': dbTs,
      'src/users.ts': `import { pool } from './db';\nexport const users = () => pool.query('SELECT 1');\n`,
      'deploy/pgbouncer.ini': '[databases]\napp = host=db dbname=app\n\n[pgbouncer]\npool_mode = transaction\n',
    });
    mkdirSync(join(repo, 'node_modules'));
    const file = join(repo, 'src', 'db.ts');
    const first = await freshProcess();
    const a = first.projectFactsFor(file, dbTs, repo);
    expect(existsSync(join(repo, 'node_modules/.cache/pgconn-lint/facts.json'))).toBe(true);
    expect(first.lastCacheStats.stats?.analysisReused).toBe(false);

    const second = await freshProcess();
    const b = second.projectFactsFor(file, dbTs, repo);
    expect(second.lastCacheStats.stats?.analysisReused).toBe(true);
    expect(JSON.stringify(b.js)).toBe(JSON.stringify(a.js));
    expect(b.js.flatMap((f) => f.pools).map((p) => p.max.value)).toEqual([50]);
  });

  it('not without node_modules, nor with PGCONN_LINT_NO_CACHE=1', async () => {
    const repo = tempProject({ '.git/HEAD': 'ref: refs/heads/main\n', 'src/db.ts': dbTs });
    const m = await freshProcess();
    expect(m.persistentCache(repo)).toBeUndefined();
    mkdirSync(join(repo, 'node_modules'));
    expect(m.persistentCache(repo)?.file).toBe(join(repo, 'node_modules/.cache/pgconn-lint/facts.json'));
    process.env.PGCONN_LINT_NO_CACHE = '1';
    expect(m.persistentCache(repo)).toBeUndefined();
  });
});
