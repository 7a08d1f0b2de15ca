/**
 * The one pool-mode resolver of the model: which pool_mode a PgBouncer applies to a client's
 * database and user. The connection model (a URL at a repository PgBouncer's port), the deployment
 * model (each [databases] entry) and the pooler paths (each client edge) all ask `poolModeFor`.
 */
import type { SourceRange } from '../core/location.js';
import type { PgbouncerConfig } from '../sources/pgbouncer-ini/types.js';
import type { PoolerNode } from './deployment/types.js';

export type PoolMode = 'session' | 'transaction' | 'statement';

interface ModeSetting {
  /** undefined when the text is not a mode PgBouncer accepts. */
  value: PoolMode | undefined;
  text: string;
  range?: SourceRange;
}

/** Where a PgBouncer's pool modes are written, whatever the input (ini file, image env, operator CRD, config file). */
export interface PoolModeSources {
  /** [pgbouncer] pool_mode (PgBouncer's default `session`, src/main.c, when unset). */
  global: { value: PoolMode | undefined; range?: SourceRange; source: string };
  /** [databases] entries; `mode` only when the entry sets pool_mode itself. */
  databases: Array<{ name: string; mode?: ModeSetting }>;
  /** [users] entries that set pool_mode. */
  users: Array<{ name: string; mode: ModeSetting }>;
}

export interface ResolvedPoolMode {
  value: PoolMode | undefined;
  range?: SourceRange;
  source: string;
  /** For related locations: `pool_mode = transaction`, `[databases] app pool_mode=transaction`. */
  label?: string;
}

export function asPoolMode(s: string | undefined): PoolMode | undefined {
  const m = s?.trim().toLowerCase();
  return m === 'session' || m === 'transaction' || m === 'statement' ? m : undefined;
}

/**
 * PgBouncer picks the mode per pool: the [users] entry's pool_mode, else the [databases] entry's
 * (the exact name, else `*`), else [pgbouncer] pool_mode (src/server.c, src/objects.c). When the
 * client's database or user is not known and the entries disagree, the mode is unknown.
 */
export function poolModeFor(src: PoolModeSources, database: string | undefined, user: string | undefined): ResolvedPoolMode {
  let mode: ResolvedPoolMode = { ...src.global, ...(src.global.value ? { label: `pool_mode = ${src.global.value}` } : {}) };
  const overriding = src.databases.filter((d) => d.mode !== undefined);
  if (overriding.length > 0) {
    const entry = database === undefined ? undefined : (src.databases.find((d) => d.name === database) ?? src.databases.find((d) => d.name === '*'));
    const o = entry?.mode;
    if (entry && o) {
      const source = `[databases] ${entry.name} pool_mode=${o.value ?? o.text}`;
      mode = { value: o.value, ...(o.range ? { range: o.range } : {}), source, label: source };
    } else if (database === undefined && overriding.some((d) => d.mode!.value !== mode.value)) {
      return { value: undefined, source: 'the database entries set different pool modes and the client database is not known' };
    }
  }
  if (src.users.length > 0) {
    const u = src.users.find((x) => x.name === user);
    if (u) {
      const label = `[users] ${u.name} pool_mode=${u.mode.value ?? u.mode.text}`;
      if (u.mode.value === undefined) return { value: undefined, source: label };
      return { value: u.mode.value, ...(u.mode.range ? { range: u.mode.range } : {}), source: label, label };
    }
    if (user === undefined && src.users.some((x) => x.mode.value !== mode.value)) {
      return { value: undefined, source: 'the [users] entries set different pool modes and the client user is not known' };
    }
  }
  return mode;
}

/** A pgbouncer.ini's pool-mode settings. */
export function poolModeSourcesOfConfig(cfg: PgbouncerConfig, global?: PoolModeSources['global']): PoolModeSources {
  const g = cfg.effective.get('pool_mode');
  const own = (item: { value: string; valueRange: SourceRange } | undefined): ModeSetting | undefined => (item ? { value: asPoolMode(item.value), text: item.value, range: item.valueRange } : undefined);
  return {
    global: global ?? (g ? { value: asPoolMode(g.value), range: g.valueRange, source: `pool_mode ${g.value}` } : { value: 'session', source: 'pool_mode session (PgBouncer default)' }),
    databases: cfg.databases.map((d) => {
      const m = own(d.params.get('pool_mode'));
      return m ? { name: d.name, mode: m } : { name: d.name };
    }),
    users: cfg.users.flatMap((u) => {
      const m = own(u.params.get('pool_mode'));
      return m ? [{ name: u.name, mode: m }] : [];
    }),
  };
}

/** A pooler node's pool-mode settings: its ini when it has one, else the entries the builder read (image env, CRD, config file). */
export function poolModeSourcesOfNode(p: PoolerNode): PoolModeSources {
  if (p.config) return poolModeSourcesOfConfig(p.config, p.poolMode);
  return {
    global: p.poolMode,
    // An entry overrides only when it sets a mode of its own (the builder copies the global mode into the others).
    databases: p.databases.map((d) =>
      d.poolMode !== undefined && d.poolMode !== p.poolMode.value ? { name: d.database, mode: { value: d.poolMode, text: d.poolMode, ...(d.range ? { range: d.range } : {}) } } : { name: d.database },
    ),
    users: [],
  };
}
