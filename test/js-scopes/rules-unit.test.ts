/** The four rules against hand-built facts: the decisions that do not depend on parsing. */
import { describe, expect, it } from 'vitest';
import ineffectivePoolOption from '../../rules/ineffective-pool-option.js';
import missingConnectionTimeout from '../../rules/missing-connection-timeout.js';
import poolInHandler from '../../rules/pool-in-handler.js';
import serverlessPoolSize from '../../rules/serverless-pool-size.js';
import type { SourceRange } from '../../src/core/location.js';
import type { JsFileFacts, PoolDefinition, RequestScope, Resolved } from '../../src/sources/js/types.js';
import { runRule } from './harness.js';

const F = '/r/a.ts';
const at = (line: number, column = 1, endLine = line, endColumn = column + 8): SourceRange => ({ file: F, line, column, endLine, endColumn });
const lit = <T,>(value: T, range?: SourceRange): Resolved<T> => ({ value, provenance: { kind: 'literal' }, ...(range ? { range } : {}) });
const dflt = <T,>(value: T): Resolved<T> => ({ value, provenance: { kind: 'default', note: 'test' } });

function pool(over: Partial<PoolDefinition> = {}): PoolDefinition {
  const range = over.range ?? at(5, 16, 5, 40);
  return {
    id: `a.ts:${range.line}:${range.column}`,
    library: 'pg',
    kind: 'pool',
    construct: 'new Pool',
    file: F,
    range,
    binding: 'pool',
    exportedAs: [],
    scope: { kind: 'module' },
    max: dflt(10),
    acquireTimeoutMs: dflt(0),
    startupParameters: [],
    options: [],
    ...over,
  };
}

function scope(over: Partial<RequestScope> = {}): RequestScope {
  return { file: F, range: at(3, 1, 10, 2), kind: 'serverless-handler', description: 'exported Lambda handler `handler`', edge: false, ...over };
}

const inFn = (lazySingleton = false): PoolDefinition['scope'] => ({ kind: 'function', name: 'handler', range: at(3, 1, 10, 2), lazySingleton });
const file = (pools: PoolDefinition[], requestScopes: RequestScope[] = []): JsFileFacts[] => [{ file: F, pools, leaks: [], poolTransactions: [], requestScopes, problems: [] }];

describe('pool-in-handler', () => {
  const run = (pools: PoolDefinition[], scopes: RequestScope[]) => runRule(poolInHandler, file(pools, scopes)).map((f) => f.message.split(',')[0]);

  it('reports a pool created in a request scope, underlining the construction', () => {
    const found = runRule(poolInHandler, file([pool({ scope: inFn() })], [scope()]));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ line: 5, column: 16, endLine: 5, endColumn: 24 });
  });

  it('is silent for module scope, lazy singletons, global bindings, kept pools and wrappers', () => {
    expect(run([pool()], [scope()])).toEqual([]);
    expect(run([pool({ scope: inFn(true) })], [scope()])).toEqual([]);
    expect(run([pool({ scope: inFn(), binding: 'globalThis.pool' })], [scope()])).toEqual([]);
    expect(run([pool({ scope: inFn() })], [scope({ keeps: [{ name: 'pool', value: at(6), into: 'pools.set' }] })])).toEqual([]);
    expect(run([pool({ scope: inFn(), wraps: 'db.ts:1:1', library: 'drizzle', kind: 'orm' })], [scope()])).toEqual([]);
    expect(run([pool({ scope: inFn(), range: at(20) })], [scope()])).toEqual([]);
  });

  it('on an edge runtime, reports only the pool that is never closed', () => {
    const edge = scope({ kind: 'edge-fetch', edge: true, description: 'Cloudflare Worker `fetch` handler' });
    expect(run([pool({ scope: inFn() })], [edge])).toHaveLength(1);
    expect(run([pool({ scope: inFn() })], [{ ...edge, closes: [{ receiver: 'pool', method: 'end', range: at(8), via: 'wait-until' }] }])).toEqual([]);
    // a close on a wrapper (`db.$client.end()`) closes the wrapped pool
    const wrapper = pool({ id: 'w', library: 'drizzle', kind: 'orm', binding: 'db', wraps: 'a.ts:5:16', range: at(6), scope: inFn() });
    expect(run([pool({ scope: inFn() }), wrapper], [{ ...edge, closes: [{ receiver: 'db.$client', method: 'end', range: at(8), via: 'finally' }] }])).toEqual([]);
    // neon's WebSocket Pool is request-bound anywhere; ended via waitUntil counts as deliberate
    expect(run([pool({ scope: inFn(), library: 'neon-serverless' })], [scope({ closes: [{ receiver: 'pool', method: 'end', range: at(8), via: 'finally' }] })])).toEqual([]);
    expect(run([pool({ scope: inFn() })], [scope({ closes: [{ receiver: 'pool', method: 'end', range: at(8), via: 'wait-until' }] })])).toEqual([]);
  });

  it('off the edge, a closed per-request client is still reported (with a different message)', () => {
    const found = runRule(poolInHandler, file([pool({ scope: inFn(), kind: 'client', construct: 'new Client' })], [scope({ closes: [{ receiver: 'pool', method: 'end', range: at(8), via: 'finally' }] })]));
    expect(found[0]?.message).toContain('opens and closes its own database connection');
  });
});

describe('serverless-pool-size', () => {
  const run = (pools: PoolDefinition[], scopes: RequestScope[] = [scope({ range: at(30, 1, 40, 2) })], options = {}) => runRule(serverlessPoolSize, file(pools, scopes), options);

  it('reports sizes above the limit, defaults included, with the numbers', () => {
    expect(run([pool()])[0]?.message).toContain('up to 10 connections (the node-postgres default)');
    expect(run([pool()])[0]?.message).toContain('100 concurrent invocations can hold 1000 connections');
    expect(run([pool({ max: lit(3, at(5, 30)) })])[0]).toMatchObject({ line: 5, column: 30 });
    expect(run([pool({ max: lit(3) })], undefined, { max: 3 })).toEqual([]);
  });

  it('is silent outside serverless code, for env/unknown sizes, clients and per-request pools', () => {
    expect(run([pool()], [])).toEqual([]);
    expect(run([pool()], [scope({ kind: 'http-route' })])).toEqual([]);
    expect(run([pool({ max: { value: 10, provenance: { kind: 'env', envVar: 'DB_MAX', fallback: 10 } } })])).toEqual([]);
    expect(run([pool({ max: { value: undefined, provenance: { kind: 'unknown', reason: 'call' } } })])).toEqual([]);
    expect(run([pool({ kind: 'client', max: dflt(1) })])).toEqual([]);
    expect(run([pool({ scope: inFn() })], [scope()])).toEqual([]);
  });

  it('reports Prisma without connection_limit', () => {
    const prisma = pool({ library: 'prisma', kind: 'prisma-client', construct: 'new PrismaClient', max: { value: undefined, provenance: { kind: 'default', note: 'num_cpus*2+1' } } });
    expect(run([prisma])[0]?.message).toContain('num_cpus × 2 + 1');
    expect(run([{ ...prisma, max: lit(1) }])).toEqual([]);
  });
});

describe('missing-connection-timeout', () => {
  const run = (pools: PoolDefinition[]) => runRule(missingConnectionTimeout, file(pools)).map((f) => f.message);

  it('reports pg-family pools that wait forever, by default or by a written 0', () => {
    expect(run([pool()])).toHaveLength(1);
    expect(run([pool({ acquireTimeoutMs: lit(0, at(6)) })])[0]).toMatch(/^connectionTimeoutMillis: 0 disables/);
    expect(run([pool({ library: 'typeorm', kind: 'orm', construct: 'new DataSource' })])[0]).toContain('connectTimeoutMS');
    expect(run([pool({ library: 'prisma', kind: 'prisma-client', acquireTimeoutMs: lit(0, at(6)) })])[0]).toMatch(/^pool_timeout=0/);
  });

  it('is silent for bounded defaults, set timeouts, env values, clients and libraries without the option', () => {
    expect(run([pool({ acquireTimeoutMs: lit(5000) })])).toEqual([]);
    expect(run([pool({ library: 'knex', acquireTimeoutMs: dflt(0) })])).toEqual([]);
    expect(run([pool({ library: 'postgres', acquireTimeoutMs: dflt(0) })])).toEqual([]);
    expect(run([pool({ library: 'prisma', kind: 'prisma-client', acquireTimeoutMs: dflt(0) })])).toEqual([]);
    expect(run([pool({ acquireTimeoutMs: { value: 0, provenance: { kind: 'env', envVar: 'T', fallback: 0 } } })])).toEqual([]);
    expect(run([pool({ acquireTimeoutMs: { value: undefined, provenance: { kind: 'unknown', reason: 'spread' } } })])).toEqual([]);
    expect(run([pool({ kind: 'client' })])).toEqual([]);
    expect(run([pool({ wraps: 'x' })])).toEqual([]);
  });
});

describe('ineffective-pool-option', () => {
  const run = (pools: PoolDefinition[]) => runRule(ineffectivePoolOption, file(pools)).map((f) => f.message);
  const opt = (name: string, value: unknown) => ({ name, value: lit(value), range: at(6) });

  it('pg: max 0, poolSize beside max, pool parameters in the URL', () => {
    expect(run([pool({ options: [opt('max', 0)] })])[0]).toContain('up to 10 connections');
    expect(run([pool({ options: [opt('max', 0), opt('poolSize', 4)] })])[0]).toContain('up to 4 connections');
    expect(run([pool({ options: [opt('max', 5), opt('poolSize', 4)] })])[0]).toContain('poolSize: 4 never takes effect');
    expect(run([pool({ options: [opt('poolSize', 4)] })])).toEqual([]);
    expect(run([pool({ connectionString: lit('postgres://h/db?sslmode=require&connection_limit=1&pool_timeout=5', at(4)) })])).toHaveLength(2);
    expect(run([pool({ connectionString: { value: undefined, provenance: { kind: 'env', envVar: 'DATABASE_URL' } } })])).toEqual([]);
    expect(run([pool({ library: 'postgres', connectionString: lit('postgres://h/db?max=3', at(4)) })])).toEqual([]);
    expect(run([pool({ kind: 'client', options: [opt('max', 0)] })])).toEqual([]);
  });

  it('knex: unknown tarn options and min above max, with defaults', () => {
    const knex = (over: Partial<PoolDefinition>) => pool({ library: 'knex', kind: 'orm', construct: 'knex()', min: dflt(2), ...over });
    expect(run([knex({ options: [opt('pool.acquireTimeout', 1000), opt('pool.idleTimeoutMillis', 1000), opt('pool.afterCreate', 'fn')] })])).toHaveLength(1);
    expect(run([knex({ max: lit(1, at(7)) })])[0]).toMatch(/^The default pool.min 2 is greater than pool.max 1/);
    expect(run([knex({ max: lit(1), min: lit(0) })])).toEqual([]);
    expect(run([knex({ max: dflt(10) })])).toEqual([]);
  });

  it('Sequelize min above max; TypeORM poolSize overridden by extra.max', () => {
    expect(run([pool({ library: 'sequelize', kind: 'orm', min: lit(8, at(6)), max: dflt(5) })])[0]).toContain('sequelize-pool throws');
    expect(run([pool({ library: 'sequelize', kind: 'orm', min: { value: 8, provenance: { kind: 'env', envVar: 'MIN' } }, max: dflt(5) })])).toEqual([]);
    expect(run([pool({ library: 'typeorm', kind: 'orm', options: [opt('poolSize', 30), opt('extra.max', 5)] })])[0]).toContain('extra.max (5)');
    expect(run([pool({ library: 'typeorm', kind: 'orm', options: [opt('extra.max', 0)] })])[0]).toContain('extra.max: 0');
  });
});
