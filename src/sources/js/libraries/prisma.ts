import { asString, libraryDefault, OptionBag, readOptions } from '../options.js';
import type { PoolDefinition, Resolved } from '../types.js';
import { baseDefinition, recordOptions, type Site } from './common.js';
import { urlQuery } from './pg.js';
import { convertNumber, writtenUrlParam } from '../values.js';
import { wrappedDefinition, wrapperSettings } from './wrappers.js';

/**
 * Prisma 5/6 query-engine pool, configured by connection URL parameters
 * (prisma.io/docs/orm/v6/prisma-client/setup-and-configuration/databases-connections/connection-pool):
 * connection_limit defaults to num_physical_cpus × 2 + 1, pool_timeout to 10 s, connect_timeout to 5 s;
 * the PgBouncer page of the same docs: Prisma uses named prepared statements unless `pgbouncer=true`.
 * With a driver adapter (Prisma 7 default) the pool is the driver's.
 */
export const PRISMA_DEFAULTS = {
  max: 'Prisma: num_physical_cpus × 2 + 1 (Prisma 6 docs, connection pool: connection_limit default)',
  poolTimeout: { value: 10000, note: 'Prisma 6 docs, connection pool: pool_timeout defaults to 10 s' },
  connectTimeout: { value: 5000, note: 'Prisma 6 docs, connection pool: connect_timeout defaults to 5 s' },
  prepared: 'Prisma 6 docs (PgBouncer): Prisma uses named prepared statements unless the URL has pgbouncer=true',
} as const;

function urlParam(url: Resolved<string>, q: URLSearchParams, name: string, scale = 1): Resolved<number> | undefined {
  const v = q.get(name);
  if (v === null || url.range === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || Number.isNaN(n)) return { value: undefined, provenance: { kind: 'unknown', reason: `${name}=${v} is not a number` }, range: url.range };
  return { value: n * scale, provenance: url.provenance, range: url.range };
}

/** `new PrismaClient({ datasourceUrl, datasources: { db: { url } }, adapter })`, and `class X extends PrismaClient` (its `super(…)`). */
export function readPrismaClient(site: Site): PoolDefinition {
  const bag = site.args[0] ? readOptions(site.args[0], site.module) : new OptionBag();
  const adapter = bag.lookup('adapter');
  if (adapter.state === 'set' && adapter.entry.value.value !== null) {
    const wrapped = wrappedDefinition(adapter.entry.node, adapter.entry.module, site.project);
    const def = baseDefinition(site, 'prisma', 'prisma-client', { value: undefined, provenance: { kind: 'unknown', reason: 'driver adapter' } });
    wrapperSettings(def, wrapped, 'the driver adapter');
    recordOptions(def, bag);
    return def;
  }
  let url: Resolved<string> | undefined;
  const direct = bag.lookup('datasourceUrl');
  if (direct.state === 'set') url = asString(direct.entry.value);
  else {
    const e = bag.entries.find((x) => /^datasources\.[^.]+\.url$/.test(x.name));
    if (e !== undefined) url = asString(e.value);
  }
  const q = url ? urlQuery(url) : undefined;
  const def = baseDefinition(site, 'prisma', 'prisma-client', (url && q && urlParam(url, q, 'connection_limit')) || libraryDefault<number>(undefined, PRISMA_DEFAULTS.max));
  if (bag.lookup('datasourceUrl').state === 'unknown' && def.max.provenance.kind === 'default') {
    def.max = { value: undefined, provenance: { kind: 'unknown', reason: 'PrismaClient options are not statically known' } };
  }
  const urlEntry = direct.state === 'set' ? direct.entry : bag.entries.find((x) => /^datasources\.[^.]+\.url$/.test(x.name));
  const written = url !== undefined && url.provenance.kind === 'unknown' && def.max.provenance.kind === 'default' && urlEntry !== undefined ? writtenUrlParam(urlEntry.node, urlEntry.module, 'connection_limit') : undefined;
  if (written !== undefined) {
    // the code builds the URL and writes connection_limit into it: that value is the size
    const n = written.provenance.kind === 'unknown' ? written : convertNumber(written, 'Number');
    def.max = { ...(n as Resolved<number>), ...(n.range ?? url?.range ? { range: (n.range ?? url?.range)! } : {}) };
  } else if (url !== undefined && url.provenance.kind === 'unknown' && def.max.provenance.kind === 'default') {
    // `datasources: { db: { url: buildUrl(…).href } }`: the code writes the URL, and its connection_limit decides
    def.max = { value: undefined, provenance: { kind: 'unknown', reason: `the connection URL is not statically known (${url.provenance.reason}), and its connection_limit sets the pool size` }, ...(url.range ? { range: url.range } : {}) };
  }
  def.acquireTimeoutMs = (url && q && urlParam(url, q, 'pool_timeout', 1000)) || libraryDefault(PRISMA_DEFAULTS.poolTimeout.value, PRISMA_DEFAULTS.poolTimeout.note);
  def.connectTimeoutMs = (url && q && urlParam(url, q, 'connect_timeout', 1000)) || libraryDefault(PRISMA_DEFAULTS.connectTimeout.value, PRISMA_DEFAULTS.connectTimeout.note);
  const pgb = q?.get('pgbouncer');
  def.preparedStatements =
    pgb !== undefined && pgb !== null && url?.range !== undefined
      ? { value: pgb !== 'true', provenance: url.provenance, range: url.range }
      : libraryDefault(true, PRISMA_DEFAULTS.prepared);
  if (url !== undefined) def.connectionString = url;
  recordOptions(def, bag);
  return def;
}
