/**
 * What a client meets on its way through a pooler: the pool mode that applies to its
 * database and user, the PgBouncer version, whether protocol-level prepared statements are
 * tracked, and which startup parameters are accepted. Shared by the pooler rules
 * (prepared-statements-transaction-mode, pooler-startup-parameters, session-state-transaction-mode).
 */
import type { SourceRange } from '../core/location.js';
import type { LintSettings } from '../engine/settings.js';
import type { PoolDefinition } from '../sources/js/types.js';
import type { AppPool } from '../sources/app/types.js';
import type { ClientEdge, DeploymentModel, PoolerNode } from './deployment/types.js';
import { poolModeFor, poolModeSourcesOfNode } from './pool-mode.js';
import type { ProjectFacts } from './project.js';

export type PoolMode = 'session' | 'transaction' | 'statement';

export interface PoolerPath {
  edge: ClientEdge;
  pooler: PoolerNode;
  /** The pool definition of the edge (a wrapper such as Drizzle or Kysely, or the pool itself). */
  def?: PoolDefinition;
  /** The definition that holds the connection settings: the innermost wrapped pool. */
  root?: PoolDefinition;
  /** The pool of a Python, Spring Boot or Rails application, when the client is one. */
  app?: AppPool;
  /** Ids of the definitions on the wrapper chain (def … root). */
  ids: Set<string>;
  /** The pool mode for this client's database and user (PgBouncer src/server.c: user, then database, then [pgbouncer]). */
  mode: { value: PoolMode | undefined; range?: SourceRange; source: string; /** For related locations: `pool_mode = transaction`, `[databases] app pool_mode=transaction`. */ label?: string };
  /** PgBouncer major.minor, when known (image tag, or `pgbouncer.version` in the config file). */
  version: { value: [number, number] | undefined; text: string | undefined; source: string };
}

/** PgBouncer (a pgbouncer.ini, an image, or CloudNativePG's Pooler, which runs PgBouncer). */
export function isPgbouncer(p: PoolerNode): boolean {
  return p.kind === 'pgbouncer' || p.kind === 'cloudnative-pg-pooler' || p.product === 'pgbouncer';
}

/** "1.23.1", "v1.21.0-p2", "pgbouncer_1_24_0" → [1, 23]. */
export function parseVersion(text: string | undefined): [number, number] | undefined {
  if (text === undefined) return undefined;
  const m = /(?:^|[^\d])(1)[._](\d{1,2})(?:$|[^\d])/.exec(text) ?? /(?:^|[^\d])(1)[._](\d{1,2})[._]\d+/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export function atLeast(v: [number, number] | undefined, major: number, minor: number): boolean | undefined {
  if (v === undefined) return undefined;
  return v[0] > major || (v[0] === major && v[1] >= minor);
}

/** Every client edge that reaches a pooler, with its wrapper chain, pool mode and pooler version. */
export function poolerPaths(model: DeploymentModel, facts: ProjectFacts, settings: LintSettings): PoolerPath[] {
  const byId = new Map<string, PoolDefinition>();
  for (const f of facts.js) for (const p of f.pools) byId.set(p.id, p);
  const out: PoolerPath[] = [];
  for (const edge of model.edges) {
    if (edge.target?.kind !== 'pooler') continue;
    const pooler = model.poolers.find((p) => p.id === edge.target!.id);
    if (pooler === undefined) continue;
    const def = edge.pool ?? byId.get(edge.poolId);
    const ids = new Set<string>([edge.poolId]);
    let root = def;
    for (let i = 0; root?.wraps !== undefined && i < 8; i++) {
      ids.add(root.id);
      const next = byId.get(root.wraps);
      if (next === undefined) break;
      root = next;
    }
    if (root) ids.add(root.id);
    out.push({ edge, pooler, ...(def ? { def } : {}), ...(root ? { root } : {}), ...(edge.appPool ? { app: edge.appPool } : {}), ids, mode: effectiveMode(edge, pooler), version: versionOf(pooler, settings) });
  }
  return out;
}

/**
 * The builder fills `version` with the newest PgBouncer when neither an image tag nor the config
 * file gives one, and says so in a note ("PgBouncer 1.25 assumed (no image tag; …)"): that is an
 * assumption, not a known version.
 */
function versionAssumed(p: PoolerNode, settings: LintSettings): boolean {
  return !settings.pgbouncer.versionFromConfig && (p.notes ?? []).some((n) => /\bassumed\b/.test(n) && n.includes(p.version ?? '\u0000'));
}

function versionOf(p: PoolerNode, settings: LintSettings): PoolerPath['version'] {
  const fromNode = versionAssumed(p, settings) ? undefined : parseVersion(p.version);
  if (fromNode) return { value: fromNode, text: `${fromNode[0]}.${fromNode[1]}`, source: `version ${p.version}` };
  // The config file's pgbouncer.version, only when the user set it (otherwise it is "the newest" by assumption).
  if (isPgbouncer(p) && p.kind !== 'cloudnative-pg-pooler' && settings.pgbouncer.versionFromConfig) {
    const v = parseVersion(settings.pgbouncer.version);
    if (v) return { value: v, text: `${v[0]}.${v[1]}`, source: 'pgbouncer.version in the config file' };
  }
  return { value: undefined, text: undefined, source: 'version not known' };
}

/**
 * The pool mode for this client's database and user: the model's one pool-mode resolver
 * (`pool-mode.ts`), over the pooler's settings.
 */
export function effectiveMode(edge: ClientEdge, pooler: PoolerNode): PoolerPath['mode'] {
  return poolModeFor(poolModeSourcesOfNode(pooler), edge.database ?? edge.parsed?.database, edge.user ?? edge.parsed?.user);
}

/** Transaction or statement pooling: the server connection changes between transactions. */
export function isTransactionPooling(mode: PoolMode | undefined): boolean {
  return mode === 'transaction' || mode === 'statement';
}

/**
 * Does the pooler keep protocol-level named prepared statements working across server connections?
 * PgBouncer: from 1.21 when max_prepared_statements > 0 (src/main.c: default "0" in 1.21–1.23,
 * "200" from 1.24; NEWS.md 1.24.0 "Enable prepared statement support by default").
 * Supabase's Supavisor in transaction mode does not (supabase.com/docs/guides/troubleshooting/
 * disabling-prepared-statements-qL8lEL). Other managed poolers: unknown.
 */
export function preparedStatementSupport(path: PoolerPath): { supported: boolean | undefined; max?: number; explicit: boolean; range?: SourceRange; detail: string } {
  const p = path.pooler;
  if (p.kind === 'managed' && p.product !== 'pgbouncer') {
    if (p.product === 'supabase-supavisor') return { supported: false, explicit: false, detail: "Supabase's Supavisor does not support prepared statements in transaction mode" };
    return { supported: undefined, explicit: false, detail: 'managed pooler' };
  }
  if (!isPgbouncer(p)) return { supported: undefined, explicit: false, detail: 'unknown pooler' };
  const q = p.maxPreparedStatements;
  // Written in the ini / image env / config file (the builder gives unset ones a default or, when the
  // version has no such setting, an unknown quantity without a range).
  const explicit = q !== undefined && (q.range !== undefined || q.provenance.kind === 'literal' || q.provenance.kind === 'config');
  const v = path.version.value;
  const has = atLeast(v, 1, 21);
  if (has === false) return { supported: false, max: 0, explicit, ...(q?.range ? { range: q.range } : {}), detail: `PgBouncer ${path.version.text} does not track prepared statements (added in 1.21)` };
  if (explicit) {
    const n = q!.value;
    const r = q!.range;
    if (n === undefined) return { supported: undefined, explicit, ...(r ? { range: r } : {}), detail: 'max_prepared_statements is not known' };
    // Set explicitly but version unknown: the setting exists only from 1.21, take the user at their word.
    return { supported: n > 0, max: n, explicit, ...(r ? { range: r } : {}), detail: `max_prepared_statements = ${n}` };
  }
  if (has === undefined) return { supported: undefined, explicit, detail: 'PgBouncer version not known, and max_prepared_statements is not set (its default is 0 before 1.24 and 200 from 1.24)' };
  const dflt = atLeast(v, 1, 24) ? 200 : 0;
  return { supported: dflt > 0, max: dflt, explicit, detail: `max_prepared_statements is not set (PgBouncer ${path.version.text} defaults to ${dflt})` };
}

/** Parameters PgBouncer always tracks (src/varcache.c init_var_lookup; 1.19 and before: the static lookup[]). Lower case: the lookup is case-insensitive. */
export const PGBOUNCER_TRACKED = ['datestyle', 'client_encoding', 'timezone', 'standard_conforming_strings', 'application_name'] as const;

/**
 * Every parameter the pooler keeps per client, lower-cased: the five above plus
 * track_extra_parameters (1.20+, src/main.c default "IntervalStyle"). With the version
 * unknown, IntervalStyle counts as tracked (the answer that stays silent).
 */
export function trackedParameters(path: PoolerPath): Set<string> {
  const out = new Set<string>(PGBOUNCER_TRACKED);
  const has20 = atLeast(path.version.value, 1, 20);
  if (has20 === false) return out;
  const extra = path.pooler.trackExtraParameters;
  const explicitlySet = path.pooler.config?.effective.has('track_extra_parameters') ?? false;
  if (extra.length > 0 || explicitlySet) for (const e of extra) out.add(e.toLowerCase());
  else out.add('intervalstyle');
  return out;
}

export type StartupVerdict =
  | { verdict: 'accepted' }
  | { verdict: 'ignored'; by: string }
  | { verdict: 'rejected'; error: string }
  | { verdict: 'unknown' };

/**
 * What PgBouncer does with one startup parameter (src/client.c decide_startup_pool):
 * user/database/application_name/replication/_pq_.* are its own; a tracked parameter is
 * kept; one in ignore_startup_parameters is dropped; anything else closes the connection
 * with "unsupported startup parameter: <name>".
 */
export function startupParameterVerdict(path: PoolerPath, name: string): StartupVerdict {
  const n = name.toLowerCase();
  if (['user', 'database', 'application_name', 'fallback_application_name', 'replication'].includes(n) || n.startsWith('_pq_.')) return { verdict: 'accepted' };
  if (trackedParameters(path).has(n)) return { verdict: 'accepted' };
  // strlist_contains is case-sensitive (usual/strpool); PgBouncer compares the name as sent.
  if (path.pooler.ignoreStartupParameters.includes(name)) return { verdict: 'ignored', by: 'ignore_startup_parameters' };
  return { verdict: 'rejected', error: `unsupported startup parameter: ${name}` };
}

/**
 * One `-c name=value` inside `options` (src/client.c set_startup_options, 1.20+): tracked → kept;
 * the name or `options` in ignore_startup_parameters → dropped; else "unsupported startup
 * parameter in options: <name>". Before 1.20 `options` itself is an unknown parameter.
 */
export function optionsSettingVerdict(path: PoolerPath, name: string): StartupVerdict {
  const ignore = path.pooler.ignoreStartupParameters;
  const has20 = atLeast(path.version.value, 1, 20);
  if (has20 === false) {
    if (ignore.includes('options')) return { verdict: 'ignored', by: 'ignore_startup_parameters (options)' };
    return { verdict: 'rejected', error: 'unsupported startup parameter: options' };
  }
  const tracked = trackedParameters(path).has(name.toLowerCase());
  if (tracked) return has20 === undefined ? { verdict: 'unknown' } : { verdict: 'accepted' };
  if (ignore.includes(name) || ignore.includes('options')) return { verdict: 'ignored', by: 'ignore_startup_parameters' };
  return { verdict: 'rejected', error: `unsupported startup parameter in options: ${name}` };
}

/** The line of a [pgbouncer] setting, when the pooler has an ini file. */
export function poolerSettingRange(p: PoolerNode, key: string): SourceRange | undefined {
  return p.config?.effective.get(key)?.range;
}
