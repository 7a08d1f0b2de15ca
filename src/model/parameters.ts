/**
 * The one resolver for "what is this setting on that server / pooler" (issue 10,
 * ../shared/STYLE.md "one resolver per question"). A PostgreSQL server's settings come from its
 * configuration file (with includes and postgresql.auto.conf already merged by the conf reader),
 * then from the command line (`-c name=value`, `-N`, `-B`), then from an image's environment
 * (`POSTGRESQL_MAX_CONNECTIONS`), then from an operator's parameters (CloudNativePG / Zalando
 * `spec.postgresql.parameters`): later wins, as PGC_S_ARGV outranks PGC_S_FILE in guc.c. Each
 * setting keeps the line that wrote it, so a rule reports a `-c` flag at the flag.
 *
 * The version a setting is judged against is the server's own (image tag, CRD image, the config
 * file's database.version); when none is declared it is the newest PostgreSQL, and `version.known`
 * is false so a finding that depends on it can say so.
 *
 * Pure: reads facts only.
 */
import type { SourceRange } from '../core/location.js';
import { getPgSetting, LATEST_PG_MAJOR, parsePgMajor, type PgMajor, type PgSettingDef } from '../catalog/postgresql/catalog.js';
import { parsePgSettingValue } from '../catalog/postgresql/values.js';
import { getPgbouncerSetting, LATEST_PGBOUNCER, parsePgbouncerVersion, parsePgbouncerValue, type PgbouncerSettingDef } from '../catalog/pgbouncer/catalog.js';
import type { LintSettings } from '../engine/settings.js';
import type { IniEntry, PgbouncerConfig } from '../sources/pgbouncer-ini/types.js';
import type { PgConfEntry, PgConfig } from '../sources/postgresql-conf/types.js';
import type { ServerSettingFact } from '../sources/yaml/types.js';
import { repoRelative } from './deployment/context.js';
import type { DeploymentModel, Quantity, ServerNode } from './deployment/types.js';
import type { ProjectFacts } from './project.js';

/** Where a server setting is written. */
export type ParameterOrigin = 'conf' | 'argv' | 'image-env' | 'operator';

/** One written server setting, from any source, located like a postgresql.conf line. */
export interface ParameterSetting {
  /** The name as written. */
  name: string;
  /** Lower-cased name (PostgreSQL compares names case-insensitively). */
  key: string;
  /** The value as the server reads it (quotes removed). */
  value: string;
  /** The value as written. */
  rawValue: string;
  nameRange: SourceRange;
  valueRange: SourceRange;
  range: SourceRange;
  origin: ParameterOrigin;
  /** Short text for messages: "postgresql.conf:12", "-c max_connections", "POSTGRESQL_MAX_CONNECTIONS", "spec.postgresql.parameters". */
  source: string;
  /** The value holds variables no file resolves (`${MAX_CONN}`): it is not known. */
  unresolved?: boolean;
}

/** A PostgreSQL parameter as the server will see it: the setting that takes effect, or the built-in default. */
export interface ResolvedPgSetting {
  name: string;
  def: PgSettingDef | undefined;
  /** The setting that takes effect; undefined when the built-in default applies. */
  entry: ParameterSetting | undefined;
  /** Value in the parameter's base unit (pg_settings.unit); undefined when invalid, unresolved or unknown. */
  value: number | string | boolean | undefined;
}

/** The PostgreSQL major a server's settings are judged against. */
export interface PgVersionUsed {
  major: PgMajor;
  /** Declared by an image tag, a CRD, or the config file; false = the newest PostgreSQL, assumed. */
  known: boolean;
  /** Who declares it: the server itself (image tag, CRD, deployment.servers), the config file's database.version, or nobody. */
  by: 'server' | 'config' | 'assumed';
  /** "image tag postgres:16", "database.version (config file)", "no version declared: PostgreSQL 18 assumed". */
  source: string;
  /** The minor release, when the server's own image tag pins one (`postgres:15.18` → 18); else unknown. */
  minor?: number;
}

/** The settings of one PostgreSQL server, or of a configuration file no server of the repository loads. */
export interface ServerParameters {
  /** The deployment model's server id, when the settings belong to a server. */
  serverId?: string;
  /** The server's name, or the file's path relative to the root. */
  name: string;
  /** The configuration file the server reads, when it is in the repository. */
  conf?: PgConfig;
  /** `-c` flags, image environment settings and operator parameters, in the order the server applies them. */
  overrides: readonly ParameterSetting[];
  version: PgVersionUsed;
  /** The memory the server has (container limit, operator resources, deployment.servers, database.memory), when known. */
  memory?: Quantity | undefined;
  /**
   * A whole server (a container or operator cluster running PostgreSQL, or a complete postgresql.conf)
   * rather than a fragment such as a conf.d override: rules that judge what is left unset speak only about these.
   */
  wholeServer: boolean;
  /** Where to point when nothing is written: the server's definition, or line 1 of the file. */
  range: SourceRange;
  get(name: string): ResolvedPgSetting;
  /** Every written setting, conf lines first, then the overrides. */
  written(): ParameterSetting[];
}

/** The PgBouncer version a pgbouncer.ini is judged against. */
export interface BouncerVersionUsed {
  /** Catalog version ("1.22"). */
  version: string;
  known: boolean;
  by: 'server' | 'config' | 'assumed';
  source: string;
}

export interface PoolerParameters {
  poolerId?: string;
  config: PgbouncerConfig;
  version: BouncerVersionUsed;
  get(name: string): ResolvedBouncerSetting;
}

/** A [pgbouncer] setting as PgBouncer will use it. */
export interface ResolvedBouncerSetting {
  name: string;
  def: PgbouncerSettingDef | undefined;
  entry: IniEntry | undefined;
  value: number | string | boolean | undefined;
  /** The raw text of the value in effect (file or default). */
  text: string | undefined;
}

export interface ParameterModel {
  /** One entry per server, then one per configuration file no server loads. */
  servers: ServerParameters[];
  /** One entry per pgbouncer.ini (with the version of the PgBouncer that reads it). */
  poolers: PoolerParameters[];
  /** The settings a configuration file's lines are judged with: those of every server that reads it. */
  forConf(cfg: PgConfig): ServerParameters[];
}

/* ---------------- building blocks, used by the deployment model's server builder ---------------- */

export function confSetting(e: PgConfEntry, rel: (file: string) => string): ParameterSetting {
  return {
    name: e.name,
    key: e.key,
    value: e.value,
    rawValue: e.rawValue,
    nameRange: e.nameRange,
    valueRange: e.valueRange,
    range: e.range,
    origin: 'conf',
    source: `${rel(e.file)}:${e.range.line}`,
  };
}

/** A `-c name=value` flag, an image env setting, or an operator parameter. */
export function factSetting(s: ServerSettingFact): ParameterSetting {
  const origin: ParameterOrigin = s.source === 'image-env' ? 'image-env' : s.source === 'crd-parameters' ? 'operator' : 'argv';
  const source = origin === 'image-env' ? (s.envVar ?? 'image env') : origin === 'operator' ? 'spec.postgresql.parameters' : `-c ${s.name}`;
  return {
    name: s.name,
    key: s.name.toLowerCase(),
    value: s.value,
    rawValue: s.raw ?? s.value,
    nameRange: s.range,
    valueRange: s.range,
    range: s.range,
    origin,
    source,
    ...(s.unresolved && s.unresolved.length > 0 ? { unresolved: true } : {}),
  };
}

export interface ServerParametersInput {
  serverId?: string;
  name: string;
  conf?: PgConfig | undefined;
  overrides: ParameterSetting[];
  version: PgVersionUsed;
  wholeServer: boolean;
  range: SourceRange;
  rel: (file: string) => string;
}

export function serverParameters(i: ServerParametersInput): ServerParameters {
  const effective = new Map<string, ParameterSetting>();
  if (i.conf) for (const [key, e] of i.conf.effective) effective.set(key, confSetting(e, i.rel));
  // Command-line options, image env settings and operator parameters override the file (guc.c: PGC_S_ARGV > PGC_S_FILE).
  for (const s of i.overrides) effective.set(s.key, s);
  const cache = new Map<string, ResolvedPgSetting>();
  const out: ServerParameters = {
    ...(i.serverId ? { serverId: i.serverId } : {}),
    name: i.name,
    ...(i.conf ? { conf: i.conf } : {}),
    overrides: i.overrides,
    version: i.version,
    wholeServer: i.wholeServer,
    range: i.range,
    get(name) {
      const key = name.toLowerCase();
      let r = cache.get(key);
      if (!r) {
        r = resolve(effective.get(key), name, this.version.major);
        cache.set(key, r);
      }
      return r;
    },
    written() {
      const conf = i.conf ? i.conf.entries.map((e) => confSetting(e, i.rel)) : [];
      return [...conf, ...i.overrides];
    },
  };
  return out;
}

function resolve(entry: ParameterSetting | undefined, name: string, major: PgMajor): ResolvedPgSetting {
  const def = getPgSetting(name, major);
  if (!def) return { name, def, entry, value: undefined };
  if (entry?.unresolved) return { name, def, entry, value: undefined };
  const parsed = parsePgSettingValue(def, entry ? entry.value : def.bootValue);
  return { name, def, entry, value: parsed.ok ? parsed.value : undefined };
}

/** A numeric parameter, when its value is known. */
export function numericSetting(p: ServerParameters, name: string): (ResolvedPgSetting & { value: number }) | undefined {
  const r = p.get(name);
  return typeof r.value === 'number' ? (r as ResolvedPgSetting & { value: number }) : undefined;
}

/** The version a server's settings are judged with. */
export function pgVersionUsed(fromServer: number | undefined, serverSource: string | undefined, settings: LintSettings, minor?: number): PgVersionUsed {
  const m = fromServer !== undefined ? parsePgMajor(fromServer) : undefined;
  if (m !== undefined) return { major: m, known: true, by: 'server', source: serverSource ?? `PostgreSQL ${m}`, ...(minor !== undefined ? { minor } : {}) };
  const configured = parsePgMajor(settings.database.version) ?? LATEST_PG_MAJOR;
  if (settings.database.versionFromConfig) return { major: configured, known: true, by: 'config', source: 'database.version (config file)' };
  return { major: configured, known: false, by: 'assumed', source: `no version declared: PostgreSQL ${configured} assumed` };
}

/** Is this a whole server configuration (as opposed to a conf.d fragment or a sample with everything commented out)? */
export function isServerConfig(cfg: PgConfig): boolean {
  if (/(^|[\\/])postgresql\.conf$/.test(cfg.mainFile) && cfg.entries.length > 0) return true;
  return ['max_connections', 'shared_buffers', 'listen_addresses', 'port'].some((k) => cfg.effective.has(k));
}

export function resolveBouncer(cfg: PgbouncerConfig, name: string, version: string): ResolvedBouncerSetting {
  const def = getPgbouncerSetting(name, version);
  const entry = cfg.effective.get(name);
  const text = entry ? entry.value : def?.default;
  if (!def || text === undefined) return { name, def, entry, value: undefined, text };
  const parsed = parsePgbouncerValue(def, text);
  return { name, def, entry, value: parsed.ok ? parsed.value : undefined, text };
}

/* ---------------- the model part ---------------- */

/**
 * Every server's parameters (built with the deployment model's servers), plus the configuration
 * files no server loads, judged with the configured (or newest) version; and every pgbouncer.ini
 * with the version of the PgBouncer that reads it.
 */
export function buildParameterModel(facts: ProjectFacts, settings: LintSettings, deployment: DeploymentModel): ParameterModel {
  const rel = (file: string): string => repoRelative(facts.root, file);
  const servers: ServerParameters[] = [];
  for (const n of deployment.servers) {
    if (!n.params) continue;
    if (n.memoryBytes) n.params.memory = n.memoryBytes;
    servers.push(n.params);
  }
  const configMemory: Quantity | undefined =
    settings.database.memoryBytes !== undefined ? { value: settings.database.memoryBytes, source: 'database.memory', provenance: { kind: 'config', note: 'database.memory (config file)' } } : undefined;
  const byConf = new Map<PgConfig, ServerParameters[]>();
  for (const s of servers) if (s.conf) byConf.set(s.conf, [...(byConf.get(s.conf) ?? []), s]);
  // A file a container mounts but never loads is judged with that container's version.
  const mountedBy = new Map<string, ServerNode>();
  for (const n of deployment.servers) for (const f of n.mountedConfs ?? []) mountedBy.set(f, n);
  for (const cfg of facts.postgresql) {
    if (byConf.has(cfg)) continue;
    const owner = mountedBy.get(cfg.mainFile)?.params;
    const p = serverParameters({
      name: rel(cfg.mainFile),
      conf: cfg,
      overrides: [],
      version: owner?.version ?? pgVersionUsed(undefined, undefined, settings),
      // A complete postgresql.conf of the repository is judged as a server even when nothing here runs it.
      wholeServer: isServerConfig(cfg),
      range: { file: cfg.mainFile, line: 1, column: 1, endLine: 1, endColumn: 1 },
      rel,
    });
    const memory = owner?.memory ?? configMemory;
    if (memory) p.memory = memory;
    servers.push(p);
    byConf.set(cfg, [p]);
  }
  const poolers: PoolerParameters[] = facts.pgbouncer.map((config) => {
    const node = deployment.poolers.find((p) => p.config === config);
    const version = bouncerVersionUsed(node?.version, node ? !node.versionAssumed : false, settings);
    return {
      ...(node ? { poolerId: node.id } : {}),
      config,
      version,
      get: (name: string) => resolveBouncer(config, name, version.version),
    };
  });
  return { servers, poolers, forConf: (cfg) => byConf.get(cfg) ?? [] };
}

function bouncerVersionUsed(text: string | undefined, fromNode: boolean, settings: LintSettings): BouncerVersionUsed {
  const v = text !== undefined && fromNode ? parsePgbouncerVersion(text) : undefined;
  const configured = parsePgbouncerVersion(settings.pgbouncer.version) ?? LATEST_PGBOUNCER;
  // The builder fills a pooler's version from its image tag, else from the config file.
  if (v && !(settings.pgbouncer.versionFromConfig && text === settings.pgbouncer.version)) return { version: v, known: true, by: 'server', source: `image tag ${text}` };
  if (settings.pgbouncer.versionFromConfig) return { version: configured, known: true, by: 'config', source: 'pgbouncer.version (config file)' };
  return { version: configured, known: false, by: 'assumed', source: `no version declared: PgBouncer ${configured} assumed` };
}

/** "16", or "18 (assumed: no version is declared)" for a finding that depends on it. */
export function pgVersionText(v: PgVersionUsed): string {
  return v.known ? String(v.major) : `${v.major} (assumed: no version is declared)`;
}

/** "15.18" when the minor is known, else as `pgVersionText`. */
export function pgReleaseText(v: PgVersionUsed): string {
  return v.minor !== undefined ? `${v.major}.${v.minor}` : pgVersionText(v);
}

export function bouncerVersionText(v: BouncerVersionUsed): string {
  return v.known ? v.version : `${v.version} (assumed: no version is declared)`;
}

/** Where a setting that is not a conf line is given: "-c flag of compose service db", "image env POSTGRESQL_MAX_CONNECTIONS", "spec.postgresql.parameters". */
export function settingWhere(e: ParameterSetting): string {
  if (e.origin === 'argv') return '-c flag of the server command';
  if (e.origin === 'image-env') return `image environment variable ${e.source}`;
  if (e.origin === 'operator') return 'spec.postgresql.parameters';
  return e.source;
}

/**
 * The memory a server has, for a message: "the database host's 16GB RAM (database.memory in the
 * pgconn-lint config)", or "2GB (the memory limit of compose service db)" with the line that sets it.
 */
export function describeMemory(q: Quantity, amount: string): { text: string; range?: SourceRange } {
  if (q.provenance.kind === 'config') {
    // q.source: `database.memory`, or `deployment.servers <name> memory`.
    return { text: `the database host's ${amount} RAM (${q.source} in the pgconn-lint config)` };
  }
  return { text: `${amount} (${q.source})`, ...(q.range ? { range: q.range } : {}) };
}
