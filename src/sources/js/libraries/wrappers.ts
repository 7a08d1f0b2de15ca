import ts from '../typescript.cjs';
import type { JsModule } from '../module.js';
import { trace } from '../module.js';
import { asString, objectLiteralOf, OptionBag, readOptions } from '../options.js';
import type { PoolDefinition } from '../types.js';
import { resolveValue } from '../values.js';
import { isFunctionLike, returnExpressions } from '../walk.js';
import { baseDefinition, calleeOrigin, recordOptions, type ExtractContext, type Site } from './common.js';
import { applySettings, pgSettings, readConfigOrUrl } from './pg.js';
import { applyPostgresJs, postgresJsArgs } from './postgres-js.js';

/** The definition an expression refers to: `pool`, `new Pool()`, `async () => new Pool()`. */
export function wrappedDefinition(expr: ts.Expression, module: JsModule, project: ExtractContext): PoolDefinition | undefined {
  const t = trace(expr, module, [], 'object');
  if (t?.kind !== 'node' || t.path.length > 0) return undefined;
  const direct = project.definitionAt(t.node, t.module);
  if (direct !== undefined) return direct;
  if (isFunctionLike(t.node)) {
    for (const r of returnExpressions(t.node)) {
      const d = wrappedDefinition(r, t.module, project);
      if (d !== undefined) return d;
    }
  }
  return undefined;
}

/** A wrapper opens no connection of its own: its size is the wrapped pool's. */
export function wrapperSettings(def: PoolDefinition, wrapped: PoolDefinition | undefined, what: string): void {
  if (wrapped !== undefined) {
    def.wraps = wrapped.id;
    def.max = wrapped.max;
    def.connectionsPerProcess = { value: 0, explanation: `uses the connections of ${wrapped.id}` };
  } else {
    def.max = { value: undefined, provenance: { kind: 'unknown', reason: `${what} is created elsewhere` } };
    def.connectionsPerProcess = { value: 0, explanation: `uses ${what}, created elsewhere` };
  }
}

/** `new Kysely({ dialect: new PostgresDialect({ pool }) })`: only PostgresDialect is PostgreSQL. */
export function readKysely(site: Site): PoolDefinition | undefined {
  const bag = readOptions(site.args[0], site.module);
  const dialect = bag.lookup('dialect');
  if (dialect.state !== 'set') return undefined;
  const t = trace(dialect.entry.node, dialect.entry.module, [], 'object');
  if (t?.kind !== 'node' || t.path.length > 0 || !ts.isNewExpression(t.node)) return undefined;
  const origin = calleeOrigin(t.node.expression, t.module);
  if (origin?.specifier !== 'kysely' || origin.path.join('.') !== 'PostgresDialect') return undefined;
  const dialectBag = readOptions(t.node.arguments?.[0], t.module);
  const pool = dialectBag.lookup('pool');
  const wrapped = pool.state === 'set' ? wrappedDefinition(pool.entry.node, pool.entry.module, site.project) : undefined;
  const def = baseDefinition(site, 'kysely', 'orm', { value: undefined, provenance: { kind: 'unknown', reason: 'pool' } });
  wrapperSettings(def, wrapped, 'the pg Pool');
  recordOptions(def, bag);
  recordOptions(def, dialectBag, 'dialect.');
  return def;
}

type DrizzleFlavor = 'node-postgres' | 'postgres-js' | 'neon-serverless' | 'vercel-postgres';
const FLAVORS: Record<string, DrizzleFlavor> = {
  'drizzle-orm/node-postgres': 'node-postgres',
  'drizzle-orm/postgres-js': 'postgres-js',
  'drizzle-orm/neon-serverless': 'neon-serverless',
  'drizzle-orm/vercel-postgres': 'vercel-postgres',
};

/**
 * drizzle-orm 0.45 (drizzle-team/drizzle-orm @ b786252) drizzle-orm/src/node-postgres/driver.ts:
 * `drizzle(url)` and `drizzle({ connection })` create `new pg.Pool({ connectionString } | connection)`;
 * `drizzle(client)` / `drizzle({ client })` use the given one. postgres-js/driver.ts does the same with
 * `postgres(url, options)` (`connection: { url, ...options }`); neon-serverless/driver.ts with neon's Pool.
 * vercel-postgres/driver.ts defaults to @vercel/postgres' `sql` (a pool from POSTGRES_URL).
 */
export function readDrizzle(site: Site): PoolDefinition | undefined {
  const flavor = FLAVORS[site.specifier];
  if (flavor === undefined) return undefined; // neon-http, pglite, mysql … open no PostgreSQL pool
  const { module } = site;
  const a0 = site.args[0];
  const def = baseDefinition(site, 'drizzle', 'orm', { value: undefined, provenance: { kind: 'unknown', reason: 'client' } });
  const ownPool = (connection: ts.Expression | undefined) => {
    if (flavor === 'postgres-js') {
      const a = connection ? postgresJsArgs([connection], module) : postgresJsArgs([], module);
      // { url, ...options }
      const urlL = a.bag.lookup('url');
      if (urlL.state === 'set') a.url = asString(urlL.entry.value);
      applyPostgresJs(def, a);
      return;
    }
    const { bag, url } = readConfigOrUrl(connection, module);
    const s = pgSettings(bag, 'pool', url);
    if (s.connectionString === undefined && flavor === 'vercel-postgres') s.connectionString = { value: undefined, provenance: { kind: 'env', envVar: 'POSTGRES_URL' } };
    applySettings(def, s);
    recordOptions(def, bag, 'connection.');
  };
  if (a0 === undefined) {
    if (flavor !== 'vercel-postgres') return undefined;
    ownPool(undefined);
    return def;
  }
  const obj = objectLiteralOf(a0, module);
  if (!('reason' in obj)) {
    const bag = readOptions(a0, module);
    const client = bag.lookup('client');
    const connection = bag.lookup('connection');
    if (client.state === 'set') wrapperSettings(def, wrappedDefinition(client.entry.node, client.entry.module, site.project), 'the client');
    else if (connection.state === 'set') ownPool(connection.entry.node);
    else if (bag.opaque.length > 0) wrapperSettings(def, undefined, 'the client');
    else return undefined;
    return def;
  }
  const wrapped = wrappedDefinition(a0, module, site.project);
  if (wrapped !== undefined) {
    wrapperSettings(def, wrapped, 'the client');
    return def;
  }
  const v = resolveValue(a0, module);
  if (typeof v.value === 'string' || v.provenance.kind === 'env') {
    ownPool(a0);
    return def;
  }
  wrapperSettings(def, undefined, 'the client');
  return def;
}

/** `new PrismaPg(pool | config | url, options)` (@prisma/adapter-pg: an external pg.Pool is used as is, else `new pg.Pool(config)`). */
export function readPrismaPg(site: Site): PoolDefinition {
  const a0 = site.args[0];
  const wrapped = a0 ? wrappedDefinition(a0, site.module, site.project) : undefined;
  const def = baseDefinition(site, 'prisma-adapter-pg', 'driver-adapter', { value: undefined, provenance: { kind: 'unknown', reason: 'pool' } });
  if (wrapped !== undefined) {
    wrapperSettings(def, wrapped, 'the pg Pool');
    return def;
  }
  const { bag, url } = a0 ? readConfigOrUrl(a0, site.module) : { bag: new OptionBag(), url: undefined };
  applySettings(def, pgSettings(bag, 'pool', url));
  recordOptions(def, bag);
  return def;
}

