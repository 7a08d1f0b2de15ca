/**
 * How the analysis resolves a local specifier to an analysed file (src/sources/js/project.ts
 * `resolveFile`, its stem index): TypeScript's extension order, `.js` naming `.ts`, `index`
 * files, `.d.ts` beside the code. An importer of a pool's module is analysed only when its
 * specifier resolves to that module.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTextFile } from '../../src/core/read-text.js';
import { analyzeJsFiles } from '../../src/sources/js/project.js';

const POOL = "import { Pool } from 'pg';\nexport const pool = new Pool({ max: 3 });\n";
const use = (spec: string) => `import { pool } from '${spec}';\nexport async function q() {\n  const c = await pool.connect();\n  c.release();\n}\n`;

describe('local specifiers resolve as TypeScript resolves them', () => {
  it('finds the module each importer names, and only that one', () => {
    const root = mkdtempSync(join(tmpdir(), 'pgconn-lint-resolution-'));
    const files: Record<string, string> = {
      'js-names-ts/db.ts': POOL,
      'js-names-ts/use.ts': use('./db.js'),
      'index/db/index.ts': POOL,
      'index/use.ts': use('./db'),
      'mjs-names-mts/db.mts': POOL,
      'mjs-names-mts/use.mts': use('./db.mjs'),
      'ts-before-d-ts/db.d.ts': 'export declare const pool: unknown;\n',
      'ts-before-d-ts/db.ts': POOL,
      'ts-before-d-ts/use.ts': use('./db'),
      'tsx/db.tsx': POOL,
      'tsx/use.ts': use('./db'),
      'plain-js/db.js': POOL,
      'plain-js/use.ts': use('./db'),
      'dotted/db.config.ts': POOL,
      'dotted/use.ts': use('./db.config'),
      'nothing/db.ts': POOL,
      'nothing/use.ts': use('./missing'),
      'only-d-ts/db.d.ts': 'export declare const pool: unknown;\n',
      'only-d-ts/use.ts': use('./db'),
    };
    const paths: string[] = [];
    for (const [rel, text] of Object.entries(files)) {
      const p = join(root, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
      paths.push(p);
    }
    const analysis = analyzeJsFiles(paths, { repoRoot: root, readFile: (p) => readTextFile(p) });
    const loaded = analysis.modules.map((m) => relative(root, m.file)).filter((f) => f.includes('/use.')).sort();
    expect(loaded).toEqual(['dotted/use.ts', 'index/use.ts', 'js-names-ts/use.ts', 'mjs-names-mts/use.mts', 'plain-js/use.ts', 'ts-before-d-ts/use.ts', 'tsx/use.ts']);
    // The pool the importer of `./db` uses is the one in db.ts, not the declaration beside it.
    expect(analysis.pools.map((p) => relative(root, p.file)).sort()).toContain('ts-before-d-ts/db.ts');
  });
});
