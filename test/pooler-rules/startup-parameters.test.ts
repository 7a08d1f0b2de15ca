/** pooler-startup-parameters on hand-built deployment models. */
import { describe, expect, it } from 'vitest';
import { findStartupParameterProblems as findOnModel } from '../../rules/pooler-startup-parameters.js';
import { at, edge, facts, model, pool, pooler, settings, type PoolerOptions } from './helpers.js';
import type { JsLibrary, PoolDefinition } from '../../src/sources/js/types.js';
import { projectModelOf } from './helpers.js';
import type { DeploymentModel } from '../../src/model/deployment/types.js';
import type { ProjectFacts } from '../../src/model/project.js';
import type { LintSettings } from '../../src/engine/settings.js';

const findStartupParameterProblems = (m: DeploymentModel, f: ProjectFacts, s: LintSettings) => findOnModel(projectModelOf(m, f, s));

const URL = 'postgresql://app:secret@pgbouncer:6432/app';

function withParams(library: JsLibrary, params: Record<string, string | number>): PoolDefinition {
  return pool(library, {
    connectionString: { value: undefined, provenance: { kind: 'env', envVar: 'DATABASE_URL' } },
    startupParameters: Object.entries(params).map(([name, value], i) => ({ name, value: { value, provenance: { kind: 'literal' } }, range: at('/p/src/db.ts', 5 + i, 3) })),
  });
}

function run(def: PoolDefinition, o: PoolerOptions = {}, url = URL) {
  const p = pooler(o);
  return findStartupParameterProblems(model([p], [edge(def, p, url)]), facts([def]), settings()).map(
    (r) => `${r.messageId} ${r.severity ?? 'error'} ${r.range.file}:${r.range.line}:${r.range.column} ${r.data?.['error'] ?? r.data?.['names']}`,
  );
}

describe('pooler-startup-parameters', () => {
  describe('reports', () => {
    it('node-postgres statement_timeout', () => {
      expect(run(withParams('pg', { statement_timeout: 5000 }))).toEqual(['rejected error /p/src/db.ts:5:3 unsupported startup parameter: statement_timeout']);
    });
    it('TypeORM extra.options with -c search_path on PgBouncer 1.21', () => {
      expect(run(withParams('typeorm', { options: '-c search_path=app' }), { version: '1.21.0' })).toEqual(['rejected error /p/src/db.ts:5:3 unsupported startup parameter in options: search_path']);
    });
    it('options on PgBouncer 1.18 (no options support at all), even with a tracked setting', () => {
      expect(run(withParams('pg', { options: '-c TimeZone=UTC' }), { version: '1.18' })).toEqual(['rejected error /p/src/db.ts:5:3 unsupported startup parameter: options']);
    });
    it('postgres.js: unknown URL parameters are sent (search_path, Prisma\'s schema)', () => {
      const def = pool('postgres', { connectionString: { value: undefined, provenance: { kind: 'env', envVar: 'DATABASE_URL' } } });
      expect(run(def, {}, `${URL}?sslmode=require&schema=public&prepare=false`)).toEqual(['rejected error /p/.env:1:73 unsupported startup parameter: schema']);
    });
    it('node-postgres parameters from a URL in the environment', () => {
      expect(run(pool('pg', { connectionString: { value: undefined, provenance: { kind: 'env', envVar: 'DATABASE_URL' } } }), {}, `${URL}?lock_timeout=1000`)).toEqual([
        'rejected error /p/.env:1:57 unsupported startup parameter: lock_timeout',
      ]);
    });
    it('a warning when ignore_startup_parameters drops the setting', () => {
      expect(run(withParams('sequelize', { idle_in_transaction_session_timeout: 10000 }), { ignore: ['extra_float_digits', 'idle_in_transaction_session_timeout'] })).toEqual([
        'ignored warning /p/src/db.ts:5:3 idle_in_transaction_session_timeout',
      ]);
    });
    it('a warning when options is ignored on PgBouncer 1.18', () => {
      expect(run(withParams('pg', { options: '-c statement_timeout=5s' }), { version: '1.18', ignore: ['options'] })).toEqual(['ignored warning /p/src/db.ts:5:3 statement_timeout']);
    });
  });

  describe('stays silent', () => {
    it('application_name and tracked parameters', () => expect(run(withParams('pg', { application_name: 'api', client_encoding: 'UTF8', TimeZone: 'UTC' }))).toEqual([]));
    it('IntervalStyle on PgBouncer 1.20+ (track_extra_parameters default)', () => expect(run(withParams('postgres', { IntervalStyle: 'iso_8601' }), { version: '1.20.1' })).toEqual([]));
    it('search_path listed in track_extra_parameters, via options', () =>
      expect(run(withParams('pg', { options: '-c search_path=app' }), { version: '1.25', track: ['IntervalStyle', 'search_path'] })).toEqual([]));
    it('-c TimeZone in options when the version is not known', () => expect(run(withParams('pg', { options: '-c TimeZone=UTC' }))).toEqual([]));
    it('statement_timeout: 0 is not sent by node-postgres', () => expect(run(withParams('pg', { statement_timeout: 0 }))).toEqual([]));
    it('a CloudNativePG Pooler (the operator writes its own ignore list)', () => expect(run(withParams('pg', { statement_timeout: 5000 }), { kind: 'cloudnative-pg-pooler' })).toEqual([]));
    it('a managed pooler', () => expect(run(withParams('pg', { statement_timeout: 5000 }), { kind: 'managed', product: 'supabase-supavisor' })).toEqual([]));
    it('postgres.js URL parameters it reads itself', () => {
      const def = pool('postgres', { connectionString: { value: undefined, provenance: { kind: 'env', envVar: 'DATABASE_URL' } } });
      expect(run(def, {}, `${URL}?sslmode=require&max=5&prepare=false&idle_timeout=20`)).toEqual([]);
    });
    it('session mode makes no difference, but an unknown value is not reported', () => {
      const def = pool('pg', { startupParameters: [{ name: 'statement_timeout', value: { value: undefined, provenance: { kind: 'env', envVar: 'T' } }, range: at('/p/src/db.ts', 5) }] });
      expect(run(def, { mode: 'session' })).toEqual([]);
    });
  });
});
