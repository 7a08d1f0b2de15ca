/**
 * Importers settled early (issue 11, D57): in `analyzeJsFilesInParts`, an importer that exports no
 * connection and constructs no pool has its facts read as soon as it is extracted, and its tree is
 * dropped then, not at the part's end. The facts must be those of the whole analysis with every tree
 * alive, including when something later in the part would have read a settled tree (the part is
 * then analysed again without settling).
 */
import ts from '../../src/sources/js/typescript.cjs';
import { queryObjects } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { fileFactsOf, jsFileFacts } from '../../src/facts/build.js';
import { nodeShapeKeepers } from '../../src/sources/js/parse.js';
import { analyzeJsFiles, analyzeJsFilesInParts } from '../../src/sources/js/project.js';
import { memRead, ROOT } from './helpers.js';

/** The trees alive: objects of the class the analysis's TypeScript gives its source files (the parser the build cut, D60). */
function liveSourceFiles(): number {
  const SourceFile = ts.createSourceFile('probe.ts', '', ts.ScriptTarget.Latest).constructor as new (...a: never[]) => unknown;
  return queryObjects(SourceFile, { format: 'count' }) as number;
}

const paths = (files: Record<string, string>) => Object.keys(files).map((f) => `${ROOT}/${f}`);

/** The facts and pools in parts (with the number of `factsOf` calls), and those of the whole analysis. */
function both(files: Record<string, string>, onFacts?: () => void) {
  const parts: unknown[] = [];
  let calls = 0;
  let modules = 0;
  analyzeJsFilesInParts(
    paths(files),
    { repoRoot: ROOT, readFile: memRead(files) },
    (m, pools) => {
      calls++;
      onFacts?.();
      return fileFactsOf(m, pools, ROOT);
    },
    (part) => {
      modules += part.files.length;
      parts.push({ facts: part.facts, pools: part.pools });
    },
    () => {
      throw new Error('no part loads a file outside it');
    },
  );
  const whole = analyzeJsFiles(paths(files), { repoRoot: ROOT, readFile: memRead(files) });
  return { parts: JSON.stringify(parts), whole: JSON.stringify([{ facts: jsFileFacts(whole, ROOT), pools: whole.pools }]), calls, modules };
}

const db = `import { Pool } from 'pg';\nexport const pool = new Pool({ max: 4 });\n`;
const importer = (i: number, body: string) => `import { pool } from './db';\n\nexport async function task${i}(id: string) {\n${body}\n}\n`;
const leak = `  const client = await pool.connect();\n  await client.query('select 1');\n  if (!id) return;\n  client.release();`;
const named = (name: string) => `  return pool.query({ name: '${name}', text: 'select 1' });`;

describe('importers settled early', () => {
  it('give the facts of the whole analysis, the first named query of a pool kept, and their trees die before the next importer is parsed', () => {
    const files: Record<string, string> = { 'src/db.ts': db };
    for (let i = 1; i <= 6; i++) files[`src/task${i}.ts`] = importer(i, i === 2 ? named('second') : i === 5 ? named('fifth') : leak);
    // The sample trees the first parse keeps for the process (docs/decisions.md D58) are no importer's.
    nodeShapeKeepers();
    const before = liveSourceFiles();
    const live: number[] = [];
    const r = both(files, () => live.push(liveSourceFiles() - before));
    expect(r.parts).toBe(r.whole);
    expect(r.calls).toBe(7);
    expect(r.parts).toContain('"preparedStatements"');
    // Each importer's facts are read with its own tree and the database file's alive, the previous
    // importers' dropped (the database file's facts come at the part's end, after them all).
    expect(live.slice(0, 6)).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('postgres.js listen() in an importer: the dedicated connection, as in the whole analysis', () => {
    const files = {
      'src/sql.ts': `import postgres from 'postgres';\nexport const sql = postgres(process.env.DATABASE_URL!, { max: 5 });\n`,
      'src/events.ts': `import { sql } from './sql';\n\nexport async function watch() {\n  await sql.listen('jobs', () => {});\n}\n`,
      'src/users.ts': `import { sql } from './sql';\n\nexport const users = () => sql\`select * from users\`;\n`,
    };
    const r = both(files);
    expect(r.parts).toBe(r.whole);
    expect(r.parts).toContain('holds one dedicated connection besides the pool of max 5');
    expect(r.calls).toBe(3);
  });

  it('an importer that constructs a pool of its own is not settled: same facts, its named query first as it was loaded first', () => {
    const files = {
      'src/db.ts': db,
      'src/report.ts': `import { Pool } from 'pg';\nimport { pool } from './db';\nconst reporting = new Pool({ max: 2 });\nexport const both = () => Promise.all([pool.query({ name: 'report', text: 'select 1' }), reporting.query('select 2')]);\n`,
      'src/a.ts': importer(1, named('settled')),
    };
    const r = both(files);
    expect(r.parts).toBe(r.whole);
    expect(r.calls).toBe(3);
    // report.ts's name (line 4), not a.ts's: usage facts are applied in the order the modules were loaded.
    expect(r.parts).toMatch(/"preparedStatements":\{"value":true,"provenance":\{"kind":"literal"\},"range":\{"file":"\/repo\/src\/report.ts"/);
  });

  it('an importer another file imports is not settled (it may be read again): same facts, no second analysis', () => {
    const files = {
      'src/db.ts': db,
      'src/helpers.ts': `import { pool } from './db';\n\nexport function helper() {\n  return pool.query('select 1');\n}\n`,
      'src/route.ts': `import { pool } from './db';\nimport { helper } from './helpers';\n\nexport async function handle() {\n  await helper();\n  const c = await pool.connect();\n  c.release();\n}\n`,
    };
    const r = both(files);
    expect(r.parts).toBe(r.whole);
    expect(r.calls).toBe(r.modules);
  });

  it('a settled importer read again (a registerAs factory found by its text): the part is analysed again without settling, with the same facts', () => {
    const files = {
      'src/db.ts': db,
      'src/a-config.ts': `import { registerAs } from '@nestjs/config';\nimport { pool } from './db';\nexport const ping = () => pool.query('select 1');\nexport default registerAs('reporting', () => ({ max: 3 }));\n`,
      'src/pg.ts': `export { Pool } from 'pg';\n`,
      // Not a database file (it imports no driver itself): loaded after a-config.ts, as an importer of db.ts.
      'src/b-report.ts': `import { Pool } from './pg';\nimport { ConfigService } from '@nestjs/config';\nimport { pool } from './db';\nexport class Reports {\n  constructor(private configService: ConfigService) {}\n  make() {\n    return new Pool({ max: this.configService.get('reporting.max') });\n  }\n  ping() {\n    return pool.query('select 1');\n  }\n}\n`,
    };
    const r = both(files);
    expect(r.parts).toBe(r.whole);
    expect(r.parts).toContain('"value":3');
    // a-config.ts was settled, then b-report.ts's pool read its registerAs factory: analysed again.
    expect(r.calls).toBeGreaterThan(r.modules);
  });

  it('a pool sized by its callers, its function named in a settled importer: the part is analysed again without settling, with the same facts', () => {
    const files = {
      'src/db.ts': db,
      // Callers are looked for in the modules whose text names the function (callers.ts): this one does, in a comment.
      'src/a-task.ts': importer(1, `  // make sure the client goes back to the pool\n${leak}`),
      'src/pg.ts': `export { Pool } from 'pg';\n`,
      'src/b-pools.ts': `import { Pool } from './pg';\nimport { pool } from './db';\nfunction make({ size = Number(process.env.DB_POOL ?? 10) }: { size?: number }) {\n  return new Pool({ max: size });\n}\nexport const small = () => pool.query('select 1');\nconst a = make({});\nconst b = make({ size: 25 });\nexport const both = () => Promise.all([a.query('select 1'), b.query('select 2')]);\n`,
    };
    const r = both(files);
    expect(r.parts).toBe(r.whole);
    // One pool per call site (callers.ts), each with its size.
    expect(r.parts).toContain('"value":25');
    expect(r.parts).toContain('"calledFrom"');
    expect(r.calls).toBeGreaterThan(r.modules);
  });

  it('a pool sized by its callers in the database file: an importer that names its function is kept, the others settled, no second analysis', () => {
    const files = {
      'src/db.ts': `import { Pool } from 'pg';\nfunction make({ size = Number(process.env.DB_POOL ?? 10) }: { size?: number }) {\n  return new Pool({ max: size });\n}\nexport const pool = make({});\nexport const big = make({ size: 25 });\n`,
      'src/a.ts': importer(1, `  // make sure the client goes back to the pool\n${leak}`),
      'src/b.ts': importer(2, leak),
    };
    const before = liveSourceFiles();
    const live: number[] = [];
    const r = both(files, () => live.push(liveSourceFiles() - before));
    expect(r.parts).toBe(r.whole);
    expect(r.parts).toContain('"calledFrom"');
    expect(r.calls).toBe(r.modules);
    // b.ts's facts are read as soon as it is extracted, with db.ts and a.ts (kept) alive.
    expect(live[0]).toBe(3);
  });
});
