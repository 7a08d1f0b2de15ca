import ts from '../typescript.cjs';
import type { JsModule } from '../module.js';
import { asNumber, asString, libraryDefault, numberOption, objectLiteralOf, OptionBag, readOptions } from '../options.js';
import type { JsLibrary, PoolDefinition, Resolved } from '../types.js';
import { resolveValue } from '../values.js';
import { baseDefinition, recordOptions, type Site } from './common.js';

/**
 * node-postgres defaults, read in brianc/node-postgres @ c9e5761 (pg 8.23.0, pg-pool 3.14.0):
 * packages/pg-pool/index.js constructor and connect(), packages/pg/lib/client.js getStartupConf().
 */
export const PG_DEFAULTS = {
  max: { value: 10, note: 'pg-pool 3.14 index.js: max = options.max || options.poolSize || 10' },
  maxZero: 'pg-pool 3.14 index.js: max = options.max || options.poolSize || 10, so max 0 (falsy) becomes 10',
  min: { value: 0, note: 'pg-pool 3.14 index.js: min = options.min || 0' },
  idle: { value: 10000, note: 'pg-pool 3.14 index.js: idleTimeoutMillis defaults to 10000 when undefined' },
  acquire: { value: 0, note: 'pg-pool 3.14 index.js connect(): without connectionTimeoutMillis a caller waits forever for a free client' },
  connect: { value: 0, note: 'pg-pool 3.14 index.js newClient(): without connectionTimeoutMillis opening a connection has no time limit' },
  clientMax: { value: 1, note: 'pg 8.23 Client: one connection' },
} as const;

/**
 * Options node-postgres sends in the startup packet (pg 8.23 lib/client.js getStartupConf:
 * application_name or fallback_application_name, replication, statement_timeout, lock_timeout,
 * idle_in_transaction_session_timeout, options). A pooler may reject them.
 */
export const PG_STARTUP_OPTIONS = ['application_name', 'fallback_application_name', 'statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', 'options', 'replication'];

export interface PgSettings {
  max: Resolved<number>;
  min?: Resolved<number>;
  idleTimeoutMs?: Resolved<number>;
  acquireTimeoutMs?: Resolved<number>;
  connectTimeoutMs?: Resolved<number>;
  connectionString?: Resolved<string>;
  startupParameters: PoolDefinition['startupParameters'];
}

/** `max`, with pg-pool's `max || poolSize || 10`. */
export function pgMax(bag: OptionBag): Resolved<number> {
  const l = bag.lookup('max');
  if (l.state === 'unknown') return { value: undefined, provenance: { kind: 'unknown', reason: l.reason }, ...(l.range ? { range: l.range } : {}) };
  if (l.state === 'set') {
    if (l.entry.container) return { value: undefined, provenance: { kind: 'unknown', reason: 'max is an object, not a number' }, range: l.entry.range };
    const r = asNumber(l.entry.value);
    const explicitUndefined = r.provenance.kind === 'literal' && r.value === undefined;
    if (!explicitUndefined && r.value !== 0) return r;
    if (r.value === 0) {
      const alias = bag.lookup('poolSize');
      if (alias.state === 'set') return asNumber(alias.entry.value);
      return { value: PG_DEFAULTS.max.value, provenance: { kind: 'default', note: PG_DEFAULTS.maxZero }, ...(r.range ? { range: r.range } : {}) };
    }
  }
  return numberOption(bag, 'poolSize', PG_DEFAULTS.max)!;
}

/** Startup parameters written under a prefix of an options bag (`connection.`, `extra.`, `dialectOptions.`). */
export function startupFrom(bag: OptionBag, names: readonly string[], prefix = ''): PoolDefinition['startupParameters'] {
  const out: PoolDefinition['startupParameters'] = [];
  for (const name of names) {
    const l = bag.lookup(prefix ? `${prefix}.${name}` : name);
    if (l.state !== 'set' || l.entry.container) continue;
    const v = l.entry.value;
    const value: Resolved<string | number> =
      typeof v.value === 'string' || typeof v.value === 'number' || v.value === undefined ? (v as Resolved<string | number>) : { ...v, value: String(v.value) };
    out.push({ name, value, range: l.entry.range });
  }
  return out;
}

/** Query parameters of a literal URL that node-postgres passes into the startup packet (pg-connection-string 2.14 index.js copies every query parameter into the config). */
export function startupFromUrl(url: Resolved<string> | undefined, names: readonly string[]): PoolDefinition['startupParameters'] {
  const q = urlQuery(url);
  if (q === undefined || url?.range === undefined) return [];
  const out: PoolDefinition['startupParameters'] = [];
  for (const name of names) {
    const v = q.get(name);
    if (v !== null) out.push({ name, value: { value: v, provenance: url.provenance, range: url.range }, range: url.range });
  }
  return out;
}

/** The query string of a statically known URL. */
export function urlQuery(url: Resolved<string> | undefined): URLSearchParams | undefined {
  if (url === undefined || typeof url.value !== 'string' || (url.provenance.kind !== 'literal' && url.provenance.kind !== 'constant')) return undefined;
  const q = url.value.indexOf('?');
  if (q === -1) return new URLSearchParams();
  try {
    return new URLSearchParams(url.value.slice(q + 1));
  } catch {
    return undefined;
  }
}

/** Reads a pg Pool/Client configuration (also neon's, @vercel/postgres', PrismaPg's, Drizzle's `connection`). */
export function pgSettings(bag: OptionBag, kind: 'pool' | 'client', connectionString?: Resolved<string>): PgSettings {
  const cs = connectionString ?? (bag.has('connectionString') ? readString(bag, 'connectionString') : undefined);
  const startup = [...startupFrom(bag, PG_STARTUP_OPTIONS), ...startupFromUrl(cs, PG_STARTUP_OPTIONS)];
  if (kind === 'client') {
    const s: PgSettings = {
      max: libraryDefault(PG_DEFAULTS.clientMax.value, PG_DEFAULTS.clientMax.note),
      connectTimeoutMs: numberOption(bag, 'connectionTimeoutMillis', PG_DEFAULTS.connect)!,
      startupParameters: startup,
    };
    if (cs !== undefined) s.connectionString = cs;
    return s;
  }
  const s: PgSettings = {
    max: pgMax(bag),
    min: numberOption(bag, 'min', PG_DEFAULTS.min)!,
    idleTimeoutMs: numberOption(bag, 'idleTimeoutMillis', PG_DEFAULTS.idle)!,
    acquireTimeoutMs: numberOption(bag, 'connectionTimeoutMillis', PG_DEFAULTS.acquire)!,
    connectTimeoutMs: numberOption(bag, 'connectionTimeoutMillis', PG_DEFAULTS.connect)!,
    startupParameters: startup,
  };
  if (cs !== undefined) s.connectionString = cs;
  return s;
}

export function readString(bag: OptionBag, name: string): Resolved<string> | undefined {
  const l = bag.lookup(name);
  if (l.state === 'set') return asString(l.entry.value);
  if (l.state === 'unknown') return { value: undefined, provenance: { kind: 'unknown', reason: l.reason }, ...(l.range ? { range: l.range } : {}) };
  return undefined;
}

export function applySettings(def: PoolDefinition, s: PgSettings): void {
  def.max = s.max;
  if (s.min) def.min = s.min;
  if (s.idleTimeoutMs) def.idleTimeoutMs = s.idleTimeoutMs;
  if (s.acquireTimeoutMs) def.acquireTimeoutMs = s.acquireTimeoutMs;
  if (s.connectTimeoutMs) def.connectTimeoutMs = s.connectTimeoutMs;
  if (s.connectionString) def.connectionString = s.connectionString;
  def.startupParameters.push(...s.startupParameters);
}

/** A config argument that is either an options object or a connection string (`new Client(url)`, `drizzle(url)`). */
export function readConfigOrUrl(arg: ts.Expression | undefined, module: JsModule): { bag: OptionBag; url?: Resolved<string> } {
  if (arg === undefined) return { bag: new OptionBag() };
  const obj = objectLiteralOf(arg, module);
  if (!('reason' in obj)) return { bag: readOptions(arg, module) };
  const v = resolveValue(arg, module);
  if (typeof v.value === 'string' || v.provenance.kind === 'env') return { bag: new OptionBag(), url: asString(v) };
  return { bag: readOptions(arg, module) };
}

/** `new Pool(config)`, `new pg.Pool`, `new Client(config | url)` — node-postgres and its drop-in forks. */
export function readPgConstruction(site: Site, library: JsLibrary, kind: 'pool' | 'client', defaultUrl?: { envVar: string; note: string }): PoolDefinition {
  const { bag, url } = readConfigOrUrl(site.args[0], site.module);
  const s = pgSettings(bag, kind, url);
  if (s.connectionString === undefined && defaultUrl !== undefined) {
    s.connectionString = { value: undefined, provenance: { kind: 'env', envVar: defaultUrl.envVar } };
  }
  const def = baseDefinition(site, library, kind, s.max);
  applySettings(def, s);
  recordOptions(def, bag);
  return def;
}

