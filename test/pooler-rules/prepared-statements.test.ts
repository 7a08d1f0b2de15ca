/** prepared-statements-transaction-mode on hand-built deployment models. */
import { describe, expect, it } from 'vitest';
import { findPreparedStatementProblems as findOnModel } from '../../rules/prepared-statements-transaction-mode.js';
import { at, edge, facts, model, pool, pooler, settings, type PoolerOptions } from './helpers.js';
import type { PoolDefinition } from '../../src/sources/js/types.js';
import { projectModelOf } from './helpers.js';
import type { DeploymentModel } from '../../src/model/deployment/types.js';
import type { ProjectFacts } from '../../src/model/project.js';
import type { LintSettings } from '../../src/engine/settings.js';

const findPreparedStatementProblems = (m: DeploymentModel, f: ProjectFacts, s: LintSettings) => findOnModel(projectModelOf(m, f, s));

const PRISMA_URL = 'postgresql://app:secret@pgbouncer:6432/app';
const prismaDef = () => pool('prisma', { preparedStatements: { value: true, provenance: { kind: 'default', note: 'Prisma' } } });
const postgresJs = (prepare?: boolean) =>
  pool('postgres', {
    preparedStatements: prepare === undefined ? { value: true, provenance: { kind: 'default', note: 'postgres.js' } } : { value: prepare, provenance: { kind: 'literal' }, range: at('/p/src/db.ts', 3, 30) },
  });
const pgNamed = () => pool('pg', { preparedStatements: { value: true, provenance: { kind: 'literal' }, range: at('/p/src/users.ts', 9, 5) } });

function run(def: PoolDefinition, o: PoolerOptions, url = PRISMA_URL, version?: string) {
  const p = pooler(o);
  return findPreparedStatementProblems(model([p], [edge(def, p, url)]), facts([def]), settings(version)).map((r) => `${r.messageId} ${r.severity ?? 'error'} ${r.range.file}:${r.range.line}`);
}

describe('prepared-statements-transaction-mode', () => {
  describe('reports', () => {
    it('Prisma without pgbouncer=true through PgBouncer 1.18 in transaction mode, at the URL line', () => {
      expect(run(prismaDef(), { version: '1.18.0' })).toEqual(['unsupported error /p/.env:1']);
    });
    it('postgres.js with its default prepare through PgBouncer 1.23 (max_prepared_statements default 0)', () => {
      expect(run(postgresJs(), { version: '1.23.1' })).toEqual(['unsupported error /p/src/db.ts:3']);
    });
    it('postgres.js through PgBouncer 1.25 with max_prepared_statements = 0', () => {
      expect(run(postgresJs(), { version: '1.25.1', maxPreparedStatements: 0 })).toEqual(['unsupported error /p/src/db.ts:3']);
    });
    it('node-postgres named queries in statement mode', () => {
      expect(run(pgNamed(), { version: '1.20.1', mode: 'statement' })).toEqual(['unsupported error /p/src/db.ts:3']);
    });
    it('postgres.js through Supabase Supavisor (transaction)', () => {
      expect(run(postgresJs(), { kind: 'managed', product: 'supabase-supavisor' })).toEqual(['unsupported error /p/src/db.ts:3']);
    });
    it('a warning when the PgBouncer version is not known and max_prepared_statements is not set', () => {
      expect(run(postgresJs(), {})).toEqual(['versionUnknown warning /p/src/db.ts:3']);
    });
    it('Prisma pgbouncer=true against PgBouncer 1.21 with max_prepared_statements > 0', () => {
      expect(run(prismaDef(), { version: '1.21.0', maxPreparedStatements: 100 }, `${PRISMA_URL}?pgbouncer=true`)).toEqual(['prismaPgbouncerOn121 error /p/.env:1']);
    });
    it('the pool_mode of the client database entry applies', () => {
      const dbs = [{ database: 'app', poolMode: 'transaction' as const, poolSize: { value: 20, source: 't', provenance: { kind: 'literal' as const } }, reservePoolSize: { value: 0, source: 't', provenance: { kind: 'literal' as const } } }];
      expect(run(postgresJs(), { version: '1.18', mode: 'session', databases: dbs })).toEqual(['unsupported error /p/src/db.ts:3']);
    });
  });

  describe('stays silent', () => {
    it('session mode', () => expect(run(prismaDef(), { version: '1.18', mode: 'session' })).toEqual([]));
    it('Prisma with pgbouncer=true on PgBouncer 1.18', () => expect(run(prismaDef(), { version: '1.18' }, `${PRISMA_URL}?pgbouncer=true`)).toEqual([]));
    it('Prisma with pgbouncer=true on PgBouncer 1.22+ (DEALLOCATE ALL is handled)', () =>
      expect(run(prismaDef(), { version: '1.22.0', maxPreparedStatements: 100 }, `${PRISMA_URL}?pgbouncer=true`)).toEqual([]));
    it('PgBouncer 1.24 default max_prepared_statements (200)', () => expect(run(postgresJs(), { version: '1.24.0' })).toEqual([]));
    it('PgBouncer 1.21 with max_prepared_statements = 100', () => expect(run(prismaDef(), { version: '1.21.0', maxPreparedStatements: 100 })).toEqual([]));
    it('unknown version but max_prepared_statements set > 0', () => expect(run(postgresJs(), { maxPreparedStatements: 50 })).toEqual([]));
    it('postgres.js with prepare: false', () => expect(run(postgresJs(false), { version: '1.18' })).toEqual([]));
    it('postgres.js with prepare=false in the URL from the environment', () => expect(run(postgresJs(), { version: '1.18' }, `${PRISMA_URL}?prepare=false`)).toEqual([]));
    it('node-postgres without named queries', () => expect(run(pool('pg'), { version: '1.18' })).toEqual([]));
    it('pool mode unknown', () => expect(run(postgresJs(), { version: '1.18', mode: undefined })).toEqual([]));
    it('the version from the config file says 1.24', () => {
      const def = postgresJs();
      const p = pooler({});
      expect(findPreparedStatementProblems(model([p], [edge(def, p, PRISMA_URL)]), facts([def]), settings('1.24'))).toEqual([]);
    });
    it('Neon (managed PgBouncer, configuration not known)', () => expect(run(postgresJs(), { kind: 'managed', product: 'neon' })).toEqual([]));
  });

  it('reports once per pool and pooler, with the pool_mode line and the URL as related locations', () => {
    const def = prismaDef();
    const p = pooler({ version: '1.18' });
    const r = findPreparedStatementProblems(model([p], [edge(def, p, PRISMA_URL), edge(def, p, PRISMA_URL)]), facts([def]), settings());
    expect(r).toHaveLength(1);
    expect(r[0]!.related?.map((x) => `${x.range.file}:${x.range.line}`)).toEqual(['/p/pgbouncer/pgbouncer.ini:5']);
    expect(r[0]!.data).toMatchObject({ pooler: 'pgbouncer', mode: 'transaction' });
  });
});
