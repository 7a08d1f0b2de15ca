/** session-state-transaction-mode on hand-built deployment models. */
import { describe, expect, it } from 'vitest';
import { findSessionStateProblems as findOnModel } from '../../rules/session-state-transaction-mode.js';
import { at, edge, facts, model, pool, pooler, settings, type PoolerOptions } from './helpers.js';
import type { SessionStateStatement } from '../../src/sources/js/types.js';
import { projectModelOf } from './helpers.js';
import type { DeploymentModel } from '../../src/model/deployment/types.js';
import type { ProjectFacts } from '../../src/model/project.js';
import type { LintSettings } from '../../src/engine/settings.js';

const findSessionStateProblems = (m: DeploymentModel, f: ProjectFacts, s: LintSettings) => findOnModel(projectModelOf(m, f, s));

const URL = 'postgresql://app:secret@pgbouncer:6432/app';

function stmt(kind: SessionStateStatement['kind'], statement: string, parameter?: string, poolId: string | null = 'src/db.ts:3:1', library: SessionStateStatement['library'] = 'pg'): SessionStateStatement {
  return { file: '/p/src/jobs.ts', range: at('/p/src/jobs.ts', 12, 20), kind, statement, via: 'pool.query', library, ...(parameter ? { parameter } : {}), ...(poolId !== null ? { poolId } : {}) };
}

function run(s: SessionStateStatement[], o: PoolerOptions = {}, linked = true) {
  const def = pool('pg');
  const p = pooler(o);
  return findSessionStateProblems(model([p], linked ? [edge(def, p, URL)] : []), facts([def], s), settings()).map((r) => `${r.messageId} ${r.range.line}:${r.range.column} ${r.data?.['statement']}`);
}

describe('session-state-transaction-mode', () => {
  describe('reports', () => {
    it.each([
      [stmt('set', 'SET search_path', 'search_path'), 'set'],
      [stmt('set-config', "set_config('app.tenant', …, false)", 'app.tenant'), 'set'],
      [stmt('advisory-lock', 'pg_advisory_lock'), 'lock'],
      [stmt('listen', 'LISTEN'), 'listen'],
      [stmt('temp-table', 'CREATE TEMP TABLE'), 'temp'],
      [stmt('cursor-with-hold', 'DECLARE … WITH HOLD'), 'cursor'],
      [stmt('prepare', 'PREPARE'), 'prepare'],
      [stmt('load', 'LOAD'), 'load'],
    ])('%o', (s, id) => {
      expect(run([s])).toEqual([`${id} 12:20 ${s.statement}`]);
    });
    it('statement mode too, and SQL PREPARE even when max_prepared_statements > 0', () => {
      expect(run([stmt('prepare', 'PREPARE')], { mode: 'statement', version: '1.25', maxPreparedStatements: 200 })).toEqual(['prepare 12:20 PREPARE']);
    });
    it('a receiver that did not resolve, when every pool of its library reaches the pooler', () => {
      expect(run([stmt('set', 'SET search_path', 'search_path', null)])).toEqual(['set 12:20 SET search_path']);
    });
    it('a managed transaction pooler (Supavisor)', () => {
      expect(run([stmt('listen', 'LISTEN')], { kind: 'managed', product: 'supabase-supavisor' })).toEqual(['listen 12:20 LISTEN']);
    });
  });

  describe('stays silent', () => {
    it('session mode', () => expect(run([stmt('set', 'SET search_path', 'search_path')], { mode: 'session' })).toEqual([]));
    it('a SET of a parameter PgBouncer tracks (TimeZone, application_name)', () =>
      expect(run([stmt('set', 'SET TIME ZONE', 'timezone'), stmt('set', 'SET application_name', 'application_name')])).toEqual([]));
    it('search_path listed in track_extra_parameters', () => expect(run([stmt('set', 'SET search_path', 'search_path')], { track: ['search_path'] })).toEqual([]));
    it('RDS Proxy (pins instead of breaking)', () => expect(run([stmt('listen', 'LISTEN')], { kind: 'managed', product: 'rds-proxy' })).toEqual([]));
    it('a pool that reaches no pooler', () => expect(run([stmt('listen', 'LISTEN')], {}, false)).toEqual([]));
    it('an unresolved receiver when some pool of the library is not linked', () => {
      const def = pool('pg');
      const other = pool('pg', { range: at('/p/src/other.ts', 1) });
      const p = pooler({});
      const r = findSessionStateProblems(model([p], [edge(def, p, URL)]), facts([def, other], [stmt('listen', 'LISTEN', undefined, null)]), settings());
      expect(r).toEqual([]);
    });
    it('pool mode unknown', () => expect(run([stmt('listen', 'LISTEN')], { mode: undefined })).toEqual([]));
  });
});
