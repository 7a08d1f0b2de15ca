import type ts from 'typescript';
import type { JsModule } from '../module.js';
import { asBoolean, asString, libraryDefault, numberOption, objectLiteralOf, OptionBag, readOptions, secondsToMs } from '../options.js';
import type { PoolDefinition, Resolved } from '../types.js';
import { resolveValue } from '../values.js';
import { baseDefinition, recordOptions, type Site } from './common.js';
import { urlQuery } from './pg.js';

/** postgres.js defaults, read in porsager/postgres @ e7dfa14 (3.4.9) src/index.js parseOptions(). */
export const POSTGRES_JS_DEFAULTS = {
  max: { value: 10, note: 'postgres.js 3.4.9 src/index.js parseOptions: max defaults to 10 (3 on Cloudflare Workers)' },
  idle: { value: undefined, note: 'postgres.js 3.4.9 src/index.js parseOptions: idle_timeout defaults to null, idle connections are never closed' },
  connect: { value: 30000, note: 'postgres.js 3.4.9 src/index.js parseOptions: connect_timeout defaults to 30 s' },
  prepare: { value: true, note: 'postgres.js 3.4.9 src/index.js parseOptions: prepare defaults to true (named prepared statements)' },
} as const;

export interface PostgresJsArgs {
  url?: Resolved<string>;
  bag: OptionBag;
}

/** `postgres(url, options)`, `postgres(options)`, `postgres()`. */
export function postgresJsArgs(args: readonly ts.Expression[], module: JsModule): PostgresJsArgs {
  const a0 = args[0];
  if (a0 === undefined) return { bag: new OptionBag() };
  if (!('reason' in objectLiteralOf(a0, module))) return { bag: readOptions(a0, module) };
  const v = resolveValue(a0, module);
  if (typeof v.value === 'string' || v.provenance.kind === 'env') return { url: asString(v), bag: readOptions(args[1], module) };
  // postgres(normalize(url), { max: 5 }): with a second argument the first is the URL, even when its value
  // is unknown, and the options are still read (postgres.js 3.4.9 src/index.js Postgres(a, b): a string
  // first argument is the URL and b the options)
  if (args.length >= 2) return { url: asString(v), bag: readOptions(args[1], module) };
  return { bag: readOptions(a0, module) };
}

/** Settings of a postgres.js instance (also the one Drizzle's postgres-js driver creates). */
export function applyPostgresJs(def: PoolDefinition, a: PostgresJsArgs): void {
  const { bag, url } = a;
  const q = urlQuery(url);
  // parseOptions reads max/prepare/idle_timeout/connect_timeout from the URL query too (`k in query`)
  const fromUrl = (name: string): Resolved<unknown> | undefined => {
    const v = q?.get(name);
    return v === null || v === undefined || url?.range === undefined ? undefined : { value: v, provenance: url.provenance, range: url.range };
  };
  const num = (name: string, dflt: { value: number | undefined; note: string }, alias?: string): Resolved<number> => {
    if (!bag.has(name) && !(alias && bag.has(alias))) {
      const u = fromUrl(name);
      if (u !== undefined && u.value !== '' && !Number.isNaN(Number(u.value))) return { ...u, value: Number(u.value) };
    }
    return numberOption(bag, alias ? [name, alias] : name, dflt)!;
  };
  def.max = num('max', POSTGRES_JS_DEFAULTS.max);
  def.idleTimeoutMs = secondsToMs(num('idle_timeout', POSTGRES_JS_DEFAULTS.idle, 'timeout'))!;
  def.connectTimeoutMs = secondsToMs(num('connect_timeout', { value: 30, note: POSTGRES_JS_DEFAULTS.connect.note }))!;
  const prep = bag.lookup('prepare');
  const noPrep = bag.lookup('no_prepare');
  if (prep.state === 'set') def.preparedStatements = asBoolean(prep.entry.value);
  else if (noPrep.state === 'set' && noPrep.entry.value.value === true) def.preparedStatements = { value: false, provenance: noPrep.entry.value.provenance, range: noPrep.entry.range };
  else if (prep.state === 'unknown') def.preparedStatements = { value: undefined, provenance: { kind: 'unknown', reason: prep.reason } };
  else {
    const u = fromUrl('prepare');
    def.preparedStatements = u !== undefined ? { ...u, value: !(u.value === 'false' || u.value === 'disable') } : libraryDefault(POSTGRES_JS_DEFAULTS.prepare.value, POSTGRES_JS_DEFAULTS.prepare.note);
  }
  if (url !== undefined) def.connectionString = url;
  // `connection: { … }` is sent as startup parameters (postgres.js 3.4.9 src/index.js parseOptions: connection)
  for (const e of bag.under('connection')) {
    if (e.container) continue;
    const v = e.value;
    const value: Resolved<string | number> = typeof v.value === 'string' || typeof v.value === 'number' || v.value === undefined ? (v as Resolved<string | number>) : { ...v, value: String(v.value) };
    def.startupParameters.push({ name: e.name, value, range: e.range });
  }
  recordOptions(def, bag);
}

/** `postgres(url, { max, prepare, idle_timeout, connect_timeout, connection })`. */
export function readPostgresJs(site: Site): PoolDefinition {
  const a = postgresJsArgs(site.args, site.module);
  const def = baseDefinition(site, 'postgres', 'pool', libraryDefault(POSTGRES_JS_DEFAULTS.max.value, POSTGRES_JS_DEFAULTS.max.note));
  applyPostgresJs(def, a);
  return def;
}
