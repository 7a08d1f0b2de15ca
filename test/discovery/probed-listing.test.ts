/**
 * The code analysis's probes (a package.json or tsconfig.json looked for in every directory above a
 * code file) answered from the walk's listings (src/discovery/discover.ts `listedEntry`,
 * src/core/file-access.ts `checkAbsent`, src/facts/build.ts `missing`): the same answers as the
 * file system's, so the same analysis.
 */
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discover, listedEntry, PROBED_NAMES, type DiscoveryResult } from '../../src/discovery/discover.js';
import { nothingAt } from '../../src/sources/js/project.js';
import { lintFacts } from '../../src/engine/lint.js';
import { ALL_RULES } from '../../rules/index.js';
import { buildProjectFacts } from '../../src/facts/build.js';
import { tempProject, testConfig } from '../support/lint-helpers.js';

function fixture(): string {
  const dir = tempProject({
    'package.json': '{"name":"root","workspaces":["packages/*","apps/*"]}',
    'tsconfig.json': '{"compilerOptions":{"baseUrl":"."}}',
    'packages/db/package.json': '{"name":"@acme/db","main":"src/index.ts"}',
    'packages/db/src/index.ts': "import { Pool } from 'pg';\nexport const pool = new Pool({ max: 30 });\n",
    'apps/api/package.json': '{"name":"api"}',
    'apps/api/tsconfig.json': '{"compilerOptions":{"baseUrl":"src"}}',
    'apps/api/src/routes/users.ts': "import { pool } from '@acme/db';\nexport async function get() { const c = await pool.connect(); await c.query('select 1'); }\n",
    'apps/api/src/package.json/README': 'a directory named package.json\n',
    'apps/web/Package.json': '{"name":"web"}',
    'apps/web/src/page.ts': "import { pool } from '@acme/db';\nexport const q = () => pool.query('select 1');\n",
    'apps/ignored/.gitignore': 'gen/\n',
    'apps/ignored/gen/package.json': '{"name":"generated"}',
    'apps/ignored/gen/x.ts': 'export {};\n',
  });
  mkdirSync(join(dir, '.git'));
  return dir;
}

/** Every directory the walk listed, each probed name in it: the listing's answer (when it gives one) is the file system's. */
function expectListingsAgree(result: DiscoveryResult): number {
  let answered = 0;
  for (const dir of result.listed?.keys() ?? []) {
    for (const name of PROBED_NAMES) {
      const p = join(dir, name);
      const listed = listedEntry(result.listed, p);
      if (listed === undefined) continue;
      answered++;
      expect(listed, p).toBe(!nothingAt(p));
      if (!listed) expect(result.access.checkAbsent(p), p).toEqual(result.access.checkUnrecorded(p));
    }
  }
  return answered;
}

describe('probes answered from the walk’s listings', () => {
  it('answer as the file system does, in every directory listed (a directory named package.json, another case, an ignored one)', () => {
    const dir = fixture();
    const result = discover({ cwd: dir, paths: [], ignorePatterns: [] });
    expect(expectListingsAgree(result)).toBeGreaterThan(10);
    // Another case: no answer (a case-insensitive file system would find Package.json).
    expect(listedEntry(result.listed, join(dir, 'apps/web/package.json'))).toBeUndefined();
    // Not listed (ignored): no answer.
    expect(listedEntry(result.listed, join(dir, 'apps/ignored/gen/package.json'))).toBeUndefined();
    expect(listedEntry(result.listed, join(dir, 'apps/api/src/package.json'))).toBe(true);
    expect(listedEntry(result.listed, join(dir, 'apps/api/src/routes/package.json'))).toBe(false);
    expect(listedEntry(result.listed, join(dir, 'apps/api/src/routes/other.json'))).toBeUndefined();
    rmSync(dir, { recursive: true, force: true });
  });

  it('give the same verdicts through a linked root (lexical paths outside the real root)', () => {
    const dir = fixture();
    const link = `${dir}-link`;
    symlinkSync(dir, link);
    const result = discover({ cwd: link, paths: [], ignorePatterns: [] });
    expect(expectListingsAgree(result)).toBeGreaterThan(10);
    rmSync(link, { force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('leave the report as it is without them', () => {
    const dir = fixture();
    const options = { cwd: dir, paths: [], ignorePatterns: [] };
    const report = (d: DiscoveryResult) => JSON.stringify(lintFacts(buildProjectFacts(d), testConfig(), ALL_RULES).files);
    const withListings = report(discover(options));
    const without = report({ ...discover(options), listed: undefined });
    expect(withListings).toBe(without);
    // The workspace package was followed: the pool's importers are in the report.
    expect(withListings).toContain('routes/users.ts');
    rmSync(dir, { recursive: true, force: true });
  });
});
