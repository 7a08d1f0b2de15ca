/**
 * The Python extractor on fixtures/python-pools: every pool with its library, scope, use, peak terms
 * and their provenance, connection string, prepared statements and acquire timeout — exact.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AppPool, AppSetting } from '../../src/sources/app/types.js';
import { lintPaths, testConfig } from '../support/lint-helpers.js';

const DIR = resolve(__dirname, '../../fixtures/python-pools');
const result = lintPaths(DIR, ['.'], testConfig([]));
const pools = new Map(result.facts.app.pools.map((p) => [p.id.replace('fixtures/python-pools/', ''), p]));

function show(s: AppSetting<unknown> | undefined): string {
  if (!s) return '-';
  const p = s.provenance;
  const from = p.kind === 'env' ? `env ${p.envVar}${p.fallback !== undefined ? ` ?? ${JSON.stringify(p.fallback)}` : ''}` : p.kind === 'constant' ? `constant ${p.name}` : p.kind === 'unknown' ? `unknown (${p.reason})` : p.kind;
  return `${JSON.stringify(s.value)} [${from}]`;
}

function summary(p: AppPool): string {
  const terms = p.peak.terms.map((t) => `${t.name}=${show(t.value)}`).join(' + ');
  return [p.library, p.construct, p.scope.kind, p.use, terms || `unbounded: ${p.peak.unbounded !== undefined}`, `url=${show(p.connectionString)}`, `prepared=${p.preparedStatements ? show(p.preparedStatements) : '-'}`, `timeoutMs=${show(p.acquireTimeoutMs)}`].join(' | ');
}

describe('Python pools (fixtures/python-pools)', () => {
  it('finds every pool, with exact values and provenance', () => {
    const got = Object.fromEntries([...pools].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })).map(([id, p]) => [id, summary(p)]));
    expect(got).toEqual({
      'app/db.py:8:10': 'sqlalchemy | create_async_engine | module | whole-pool | pool_size=10 [env APP_POOL_SIZE ?? 10] + max_overflow=5 [env APP_MAX_OVERFLOW ?? 5] | url="postgresql+asyncpg://app@db:5432/app" [env APP_DATABASE_URL ?? "postgresql+asyncpg://app@db:5432/app"] | prepared=true [default] | timeoutMs=15000 [constant POOL_TIMEOUT]',
      'app/db.py:10:15': 'sqlalchemy | create_engine | module | per-thread | pool_size=20 [env POOL_SIZE ?? 20] + max_overflow=10 [default] | url="postgresql+psycopg://app@db/app" [env SYNC_DATABASE_URL ?? "postgresql+psycopg://app@db/app"] | prepared=true [default] | timeoutMs=30000 [default]',
      'app/db.py:16:30': 'sqlalchemy | create_engine | module | per-thread | pool_size=2 [literal] + max_overflow=10 [default] | url="postgresql://app@db/app" [literal] | prepared=- | timeoutMs=30000 [default]',
      'app/db.py:12:16': 'sqlalchemy | create_engine | module | per-thread | unbounded: true | url=undefined [env BATCH_URL] | prepared=- | timeoutMs=-',
      'app/pools.py:5:11': 'psycopg-pool | ConnectionPool | module | per-thread | max_size=8 [literal] | url="postgresql://app@db/app" [literal] | prepared=false [literal] | timeoutMs=30000 [default]',
      'app/pools.py:6:16': 'psycopg-pool | AsyncConnectionPool | module | whole-pool | min_size=4 [default] | url="postgresql://app@db/app" [literal] | prepared=true [default] | timeoutMs=30000 [default]',
      'app/pools.py:7:10': 'psycopg2 | ThreadedConnectionPool | module | per-thread | maxconn=12 [literal] | url="postgresql://app@db/app" [literal] | prepared=- | timeoutMs=-',
      'app/pools.py:11:18': 'asyncpg | asyncpg.create_pool | module | whole-pool | max_size=20 [literal] | url="postgresql://app@db/app" [literal] | prepared=false [literal] | timeoutMs=0 [default]',
      'app/pools.py:15:18': 'asyncpg | asyncpg.create_pool | module | whole-pool | max_size=10 [default] | url=null [literal] | prepared=true [default] | timeoutMs=0 [default]',
      'app/views.py:9:14': 'sqlalchemy | create_engine | per-request | per-thread | pool_size=5 [default] + max_overflow=10 [default] | url="postgresql://app@db/app" [literal] | prepared=- | timeoutMs=30000 [default]',
      'broken.py:4:10': 'sqlalchemy | create_engine | module | per-thread | pool_size=3 [literal] + max_overflow=10 [default] | url="postgresql://app@db/app" [literal] | prepared=- | timeoutMs=30000 [default]',
      'mysite/settings.py:7:16': 'django | DATABASES["default"] | module | per-thread | max_size=6 [literal] | url=- | prepared=- | timeoutMs=30000 [default]',
      'mysite/settings.py:17:16': 'django | DATABASES["replica"] | module | per-thread-per-alias | CONN=1 [default] | url="postgres://app@replica/app" [env REPLICA_URL ?? "postgres://app@replica/app"] | prepared=- | timeoutMs=-',
    });
  });

  it('reads Django connection settings apart from a URL, and what the module changes afterwards', () => {
    const p = pools.get('mysite/settings.py:7:16')!;
    expect(show(p.connectionOptions?.host)).toBe('"pgbouncer" [env DB_HOST ?? "pgbouncer"]');
    expect(show(p.connectionOptions?.port)).toBe('6432 [env DB_PORT ?? 6432]');
    expect(show(p.connectionOptions?.database)).toBe('"app" [literal]');
    const opt = (n: string) => show(p.options.find((o) => o.name === n)?.value);
    expect(opt('CONN_MAX_AGE')).toBe('60 [env CONN_MAX_AGE ?? 60]');
    expect(opt('CONN_HEALTH_CHECKS')).toBe('true [literal]');
    expect(opt('OPTIONS.pool.min_size')).toBe('2 [literal]');
    expect(show(pools.get('mysite/settings.py:17:16')!.options.find((o) => o.name === 'CONN_MAX_AGE')?.value)).toBe('600 [literal]');
  });

  it('reports exact UTF-16 columns, also after non-ASCII text (an astral character) on the same line', () => {
    const p = pools.get('app/db.py:8:10')!;
    expect(p.range).toMatchObject({ line: 8, column: 10, endLine: 8 });
    expect(p.peak.terms[0]!.value.range).toMatchObject({ line: 8, column: 63, endColumn: 81 });
    // `ünï = "é€😀"; emoji_engine = ` is 29 UTF-16 code units (😀 is two), 36 UTF-8 bytes.
    const e = pools.get('app/db.py:16:30')!;
    expect(e.range).toMatchObject({ line: 16, column: 30, endLine: 16, endColumn: 86 });
    expect(e.peak.terms[0]!.value.range).toMatchObject({ line: 16, column: 84, endColumn: 85 });
  });

  it('skips pools of other databases (sqlite) and MySQL Django aliases', () => {
    expect([...pools.keys()].some((k) => k.startsWith('app/db.py:14'))).toBe(false);
    expect([...pools.values()].some((p) => p.construct === 'DATABASES["legacy"]')).toBe(false);
  });

  it('reads gunicorn.conf.py', () => {
    const [cfg] = result.facts.app.processConfigs;
    expect(cfg?.server).toBe('gunicorn');
    expect(show(cfg?.processes)).toBe('3 [env WEB_CONCURRENCY ?? 3]');
    expect(show(cfg?.threads)).toBe('2 [literal]');
    expect(cfg?.concurrency?.value).toBe('threads');
  });

  it('locates syntax errors as warnings, keeps the rest of the file, and reads Python 2 code without failing', () => {
    const problems = result.facts.problems.filter((p) => p.range.file.endsWith('.py')).map((p) => `${p.range.file.split('/').pop()}:${p.range.line}:${p.range.column} ${p.severity} ${p.message}`);
    expect(problems).toEqual(['broken.py:2:7 warning Python missing ")": the parser skipped this part; the rest of the file was analysed.']);
  });

  it('lists which Python files were parsed and why', () => {
    const why = Object.fromEntries(result.facts.python.map((f) => [f.file.replace(`${DIR}/`, ''), f.parsedBecause]));
    expect(why).toEqual({
      'app/config.py': 'asyncpg',
      'app/db.py': 'sqlalchemy',
      'app/pools.py': 'psycopg',
      'app/views.py': 'sqlalchemy',
      'broken.py': 'sqlalchemy',
      'gunicorn.conf.py': 'gunicorn configuration',
      'mysite/settings.py': 'DATABASES',
      'py2.py': 'psycopg',
    });
  });
});
