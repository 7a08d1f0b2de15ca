import { asString, libraryDefault, numberOption, readOptions } from '../options.js';
import type { PoolDefinition, Resolved } from '../types.js';
import { baseDefinition, recordOptions, type Site } from './common.js';
import { PG_STARTUP_OPTIONS, startupFrom, startupFromUrl } from './pg.js';
import { dialectIsPostgres } from './sequelize.js';

/**
 * knex defaults, read in knex/knex @ e25d54b (3.3.0) lib/client.js: poolDefaults() `{ min: 2, max: 10 }`,
 * getPoolSettings(): acquireTimeoutMillis = the smaller of `acquireConnectionTimeout` and
 * `pool.acquireTimeoutMillis`, 60000 when neither is set; the pool is tarn.js, whose
 * src/Pool.ts (Vincit/tarn.js @ 0c79f9e) defaults idleTimeoutMillis and createTimeoutMillis to 30000.
 * Client names: lib/constants.js CLIENT_ALIASES (pg, postgresql → postgres) and `pgnative`.
 */
export const KNEX_DEFAULTS = {
  max: { value: 10, note: 'knex 3.3 lib/client.js poolDefaults(): max 10' },
  min: { value: 2, note: 'knex 3.3 lib/client.js poolDefaults(): min 2' },
  acquire: { value: 60000, note: 'knex 3.3 lib/client.js getPoolSettings(): DEFAULT_ACQUIRE_TIMEOUT 60000' },
  idle: { value: 30000, note: 'tarn.js src/Pool.ts: idleTimeoutMillis defaults to 30000' },
  create: { value: 30000, note: 'tarn.js src/Pool.ts: createTimeoutMillis defaults to 30000' },
} as const;

const PG_CLIENTS = ['pg', 'postgres', 'postgresql', 'pgnative', 'pg-native'];

export function readKnex(site: Site): PoolDefinition | undefined {
  const { module } = site;
  const bag = readOptions(site.args[0], module);
  const client = bag.lookup('client');
  const dialect = bag.lookup('dialect');
  const connection = bag.lookup('connection');
  let url: Resolved<string> | undefined;
  if (connection.state === 'set' && !connection.entry.container) url = asString(connection.entry.value);
  else if (bag.has('connection.connectionString')) {
    const l = bag.lookup('connection.connectionString');
    if (l.state === 'set') url = asString(l.entry.value);
  }
  const named = client.state === 'set' ? client.entry.value : dialect.state === 'set' ? dialect.entry.value : undefined;
  const isPg = dialectIsPostgres(named, url, PG_CLIENTS);
  if (isPg === false) return undefined;
  if (isPg === undefined && !site.project.usesPostgresDriver(module.file)) return undefined;

  const def = baseDefinition(site, 'knex', 'orm', numberOption(bag, 'pool.max', KNEX_DEFAULTS.max)!);
  def.min = numberOption(bag, 'pool.min', KNEX_DEFAULTS.min)!;
  def.idleTimeoutMs = numberOption(bag, 'pool.idleTimeoutMillis', KNEX_DEFAULTS.idle)!;
  def.connectTimeoutMs = numberOption(bag, 'pool.createTimeoutMillis', KNEX_DEFAULTS.create)!;
  const a = numberOption(bag, 'acquireConnectionTimeout', undefined);
  const b = numberOption(bag, 'pool.acquireTimeoutMillis', undefined);
  if (a !== undefined && b !== undefined) {
    if (a.value !== undefined && b.value !== undefined) def.acquireTimeoutMs = a.value <= b.value ? a : b;
    else def.acquireTimeoutMs = { value: undefined, provenance: { kind: 'unknown', reason: 'the smaller of acquireConnectionTimeout and pool.acquireTimeoutMillis' } };
  } else def.acquireTimeoutMs = a ?? b ?? libraryDefault(KNEX_DEFAULTS.acquire.value, KNEX_DEFAULTS.acquire.note);
  if (url !== undefined) def.connectionString = url;
  // knex's postgres dialect hands `connection` to pg.Client: its startup options apply
  def.startupParameters.push(...startupFrom(bag, PG_STARTUP_OPTIONS, 'connection'), ...startupFromUrl(url, PG_STARTUP_OPTIONS));
  recordOptions(def, bag);
  return def;
}
