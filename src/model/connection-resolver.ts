/**
 * The one connection resolver of the model: what a pool's connection string is made of
 * (`poolConnectionSource`: a literal, an environment variable, a Prisma datasource, connection
 * options, or unknown with the reason), its value in an environment (`connectionFor`), and where
 * it leads (`endpointOf`: one endpoint classification, with the repository's PgBouncer ports and
 * the pool mode of the one pool-mode resolver). The connection model (`connections.ts`) and the
 * deployment edges (`deployment/edges.ts`) both ask it; neither keeps its own copy.
 */
import { dirname, relative, sep } from 'node:path';
import type { SourceRange } from '../core/location.js';
import { inside } from '../core/paths.js';
import { classifyEndpoint, type DeclaredPoolerEndpoint, type EndpointClassification } from '../sources/connection-url/poolers.js';
import { isParseError, parseConnectionString } from '../sources/connection-url/parse.js';
import { looksLikeNpgsql } from '../sources/connection-url/npgsql.js';
import type { ParsedConnection } from '../sources/connection-url/types.js';
import { LIBRARY_NAME } from '../sources/js/libraries.js';
import type { AppPool } from '../sources/app/types.js';
import type { JsLibrary, PoolDefinition, Resolved } from '../sources/js/types.js';
import type { PgbouncerConfig } from '../sources/pgbouncer-ini/types.js';
import type { PrismaValue } from '../sources/prisma/types.js';
import { DEFAULT_NAMESPACE } from './deployment/context.js';
import type { DeclaredPooler } from './deployment/types.js';
import { embeddedPgbouncerInis } from './k8s-pgbouncer-ini.js';
import type { Environment } from './environments.js';
import { asPoolMode, poolModeFor, poolModeSourcesOfConfig, type PoolMode, type PoolModeSources } from './pool-mode.js';
import type { ProjectFacts } from './project.js';
import { isPgbouncerImage } from '../sources/yaml/images.js';
import type { ImageRef, PgbouncerImageFacts } from '../sources/yaml/types.js';

/* ---------------- is it a connection string ---------------- */

/** Is this text a PostgreSQL connection string (URL, or conninfo/Npgsql under a variable whose name says so)? */
export function looksLikeConnectionString(text: string, name?: string): boolean {
  const t = text.trim();
  if (/^postgres(?:ql)?:\/\//i.test(t)) return true;
  const named = name === undefined || /DATABASE|DB|PG|POSTGRES|DSN|CONN/i.test(name);
  if (!named) return false;
  if (looksLikeNpgsql(t)) return /\b(host|server)\s*=/i.test(t);
  // conninfo: at least two libpq keywords, the first at the start.
  return /^(host|hostaddr|dbname|user|port|service)\s*=/i.test(t) && (t.match(/\b(host|hostaddr|dbname|user|port|password|sslmode)\s*=/gi)?.length ?? 0) >= 2;
}

/* ---------------- endpoints ---------------- */

/** PgBouncer's default listen_port (PgBouncer src/main.c, etc/pgbouncer.ini). */
const PGBOUNCER_DEFAULT_PORT = 6432;

export function bouncerListenPort(cfg: PgbouncerConfig): number | undefined {
  const v = cfg.effective.get('listen_port')?.value;
  if (v === undefined) return PGBOUNCER_DEFAULT_PORT;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

export type Endpoint = EndpointClassification & { perHost: EndpointClassification[] };

/** What the endpoint classification needs from the repository: its PgBouncers, their ports and pool modes. */
export interface EndpointContext {
  /** listen_port of every repository PgBouncer (ini files, and PgBouncers configured by image environment), 5432 left out. */
  pgbouncerListenPorts: number[];
  /** Each repository PgBouncer: the port it listens on and its pool-mode settings (undefined: not known here). */
  bouncers: Array<{ port: number | undefined; modes: PoolModeSources | undefined }>;
  /** The config file's `deployment.poolers` with hosts (what the deployment model links by host and port). */
  declaredPoolers: DeclaredPoolerEndpoint[];
}

/**
 * The repository's PgBouncers as the endpoint classification sees them: pgbouncer.ini files, and
 * containers of a PgBouncer image configured by its environment (edoburu, bitnami: the settings the
 * entrypoint writes, else its defaults, else PgBouncer's). A PgBouncer listening on 5432 (images
 * that stand in for the server) says nothing about a URL on PostgreSQL's own default port:
 * matching by port alone would make every server a pooler.
 */
export function endpointContext(facts: Pick<ProjectFacts, 'root' | 'pgbouncer' | 'compose' | 'kubernetes'>, declared: readonly DeclaredPooler[] = []): EndpointContext {
  const bouncers: EndpointContext['bouncers'] = facts.pgbouncer.map((cfg) => ({ port: bouncerListenPort(cfg), modes: poolModeSourcesOfConfig(cfg) }));
  // ConfigMap pgbouncer.ini files: the PgBouncer workloads of their namespace read them (as the deployment model does).
  const embedded = embeddedPgbouncerInis(facts);
  for (const e of embedded) bouncers.push({ port: bouncerListenPort(e.config), modes: poolModeSourcesOfConfig(e.config) });
  const container = (c: { pgbouncer?: PgbouncerImageFacts; image?: ImageRef; postgres?: unknown }, k8sNamespace: string | undefined) => {
    const k8s = k8sNamespace !== undefined;
    if (c.postgres || (c.pgbouncer === undefined && !(c.image !== undefined && isPgbouncerImage(c.image)))) return;
    if (c.pgbouncer?.mountedConfig !== undefined) return; // the mounted ini is one of facts.pgbouncer
    const get = (key: string): string | undefined => [...(c.pgbouncer?.settings ?? [])].reverse().find((x) => x.key === key)?.value ?? c.pgbouncer?.defaults.find((x) => x.key === key)?.value;
    const portText = get('listen_port');
    const port = portText === undefined ? PGBOUNCER_DEFAULT_PORT : Number.parseInt(portText, 10);
    const modeText = get('pool_mode');
    // A Kubernetes PgBouncer without environment settings reads a ConfigMap's pgbouncer.ini (volume
    // mounts are not modelled): the ini of its namespace when there is one, else its modes are unknown.
    const fromIni = k8s && (!c.pgbouncer || c.pgbouncer.envSettingsIgnored || c.pgbouncer.settings.length === 0);
    if (fromIni && embedded.some((e) => e.ns === k8sNamespace)) return; // that ini is among the bouncers
    bouncers.push({
      port: Number.isInteger(port) && port > 0 ? port : PGBOUNCER_DEFAULT_PORT,
      modes: fromIni ? undefined : {
        global: modeText === undefined ? { value: 'session', source: 'pool_mode session (PgBouncer default)' } : { value: asPoolMode(modeText), source: `pool_mode ${modeText}` },
        databases: (c.pgbouncer?.databases ?? []).map((d) => ({ name: d.name })),
        users: [],
      },
    });
  };
  for (const c of facts.compose) for (const s of c.services) container(s, undefined);
  for (const k of facts.kubernetes) for (const w of k.workloads) for (const c of w.containers) container(c, w.meta.namespace ?? DEFAULT_NAMESPACE);
  const ports = new Set(bouncers.flatMap((x) => (x.port !== undefined && x.port !== 5432 ? [x.port] : [])));
  const declaredPoolers = declared.filter((d) => d.hosts.length > 0).map((d) => ({
    name: d.name,
    hosts: d.hosts,
    port: d.port ?? PGBOUNCER_DEFAULT_PORT,
    ...(d.mode ? { mode: d.mode.value } : {}),
    pgbouncer: d.version !== undefined,
  }));
  return { pgbouncerListenPorts: [...ports].sort((a, b) => a - b), bouncers, declaredPoolers };
}

/**
 * Where a parsed connection string leads: the first host decides (libpq tries hosts in order).
 * At a repository PgBouncer's port, the pool mode comes from the one pool-mode resolver for the
 * URL's database and user (when every PgBouncer on that port agrees).
 */
export function endpointOf(parsed: ParsedConnection, ctx: EndpointContext): Endpoint {
  const endpoint = classifyEndpoint(parsed, { pgbouncerListenPorts: ctx.pgbouncerListenPorts, declaredPoolers: ctx.declaredPoolers });
  const p = endpoint.pooler;
  if (!p || p.product !== 'pgbouncer' || p.confidence !== 'repository' || p.mode || p.declared !== undefined) return endpoint;
  const port = parsed.hosts[0]?.port;
  const modes = new Set<PoolMode | undefined>();
  for (const x of ctx.bouncers) {
    if (x.port !== port) continue;
    modes.add(x.modes ? poolModeFor(x.modes, parsed.database, parsed.user).value : undefined);
  }
  if (modes.size !== 1) return endpoint;
  const mode = [...modes][0];
  if (mode === undefined) return endpoint;
  return { ...endpoint, pooler: { ...p, mode, evidence: `${p.evidence}; pool_mode = ${mode}` } };
}

/* ---------------- Prisma datasources ---------------- */


/** The directory Prisma runs in for a schema (`app/prisma/schema.prisma`, `app/prisma/schema/`) → `app`. */
export function prismaProjectDir(schemaPath: string, isFolder: boolean): string {
  let d = isFolder ? schemaPath : dirname(schemaPath);
  if (d.endsWith(`${sep}schema`) || d === 'schema') d = dirname(d);
  if (d.endsWith(`${sep}prisma`) || d === 'prisma') d = dirname(d);
  return d;
}

/** A PostgreSQL datasource of a Prisma schema, with the URL its query engine reads. */
export interface PrismaDatasourceRef {
  /** `prisma:<schema file relative to the root>#<datasource>`: the PrismaClientModel id. */
  id: string;
  projectDir: string;
  name: string;
  /** The schema's `url`, else (Prisma 7) the url of the prisma.config.ts beside it. */
  url?: PrismaValue;
  urlFrom?: 'schema' | 'prisma-config';
}

/** Every PostgreSQL datasource of the repository's Prisma schemas. */
export function prismaDatasources(facts: Pick<ProjectFacts, 'root' | 'prismaSchemas' | 'prismaConfigs'>): PrismaDatasourceRef[] {
  const out: PrismaDatasourceRef[] = [];
  for (const schema of facts.prismaSchemas) {
    const isFolder = !/\.prisma$/.test(schema.path);
    const projectDir = prismaProjectDir(schema.path, isFolder);
    for (const ds of schema.datasources) {
      if (ds.provider !== null && ds.provider !== 'postgresql' && ds.provider !== 'postgres') continue;
      const ref: PrismaDatasourceRef = { id: `prisma:${relative(facts.root, ds.file).split(sep).join('/')}#${ds.name}`, projectDir, name: ds.name };
      if (ds.url) Object.assign(ref, { url: ds.url, urlFrom: 'schema' });
      else {
        // Prisma 7: the URL lives in prisma.config.ts (the CLI's); the client's comes from its adapter.
        const cfg = facts.prismaConfigs.find((c) => inside(schema.path, dirname(c.file)));
        if (cfg?.datasource?.url) Object.assign(ref, { url: cfg.datasource.url, urlFrom: 'prisma-config' });
      }
      out.push(ref);
    }
  }
  return out;
}

/** The Prisma project a code file belongs to: the deepest project directory containing it, or the only one. */
export function nearestPrismaProject<T extends { projectDir: string }>(candidates: readonly T[], file: string): T | undefined {
  const containing = candidates.filter((m) => inside(file, m.projectDir)).sort((a, b) => b.projectDir.length - a.projectDir.length);
  if (containing[0]) return containing[0];
  return candidates.length === 1 ? candidates[0] : undefined;
}

/* ---------------- what a pool's connection string is made of ---------------- */

/**
 * Libraries whose documented behaviour with no connection option at all is to connect to PGHOST
 * (the environment) or else localhost, PGPORT or else 5432:
 * - node-postgres: pg 8 lib/defaults.js (host 'localhost', port 5432) and lib/connection-parameters.js (PG* env);
 * - postgres.js: 3.4 src/index.js parseOptions (`host || env.PGHOST || 'localhost'`, `port || env.PGPORT || 5432`);
 * - knex, TypeORM hand the options to a node-postgres Pool; Sequelize documents host 'localhost'.
 * Others (an ORM without connection options fails, or reads its own config) get no default.
 */
const DRIVER_DEFAULT_HOST: Partial<Record<JsLibrary, string>> = {
  pg: 'pg 8 lib/defaults.js: host localhost, port 5432, overridden by PGHOST/PGPORT (lib/connection-parameters.js)',
  postgres: "postgres.js 3.4 src/index.js parseOptions: host env.PGHOST || 'localhost', port env.PGPORT || 5432",
  // knex's pg client and TypeORM's PostgresDriver hand their connection options to a pg Pool as they are.
  knex: 'knex 3 lib/dialects/postgres: the connection options go to a pg Pool (pg 8 lib/defaults.js: host localhost, PGHOST)',
  typeorm: 'TypeORM 0.3 src/driver/postgres/PostgresDriver.ts: the options go to a pg Pool (pg 8 lib/defaults.js: host localhost, PGHOST)',
  sequelize: "Sequelize 6 docs, new Sequelize(options): options.host defaults to 'localhost', options.port to the dialect's (5432)",
};

export type ConnectionSource =
  /** A value: literal text, or an environment variable (process.env.X, env("X")) with the fallback the code gives. */
  | { kind: 'value'; value: PrismaValue; what: string; datasource?: PrismaDatasourceRef }
  /** Connection options (host, port, user, database), each read in the environment, or the PG* variables the driver reads. */
  | { kind: 'options'; host?: Resolved<unknown>; port?: Resolved<unknown>; user?: Resolved<unknown>; database?: Resolved<unknown>; driverDefault?: string }
  /** Not known statically, with the reason ("the connection string is the result of a call getUrl() at src/db.ts:4"). */
  | { kind: 'unknown'; reason: string; envVar?: string };

const at = (root: string, r: SourceRange | undefined): string => (r ? `${relative(root, r.file).split(sep).join('/') || r.file}:${r.line}` : 'an unknown location');

/** The extractor's reason (values.ts, options.ts) as a sentence: "the connection string is the result of a call getUrl() at src/db.ts:4". */
function unknownText(what: string, r: Resolved<unknown>, root: string): string {
  return unknownReason(what, r.provenance.kind === 'unknown' ? r.provenance.reason : 'not a string', at(root, r.range));
}

function unknownReason(what: string, reason: string, where: string): string {
  let m: RegExpExecArray | null;
  if ((m = /^result of (.+)$/.exec(reason))) return `${what} is the result of a call ${m[1]} at ${where}`;
  if ((m = /^(.+): function parameter$/.exec(reason))) return `${what} is a function parameter (${m[1]}) at ${where}`;
  if ((m = /^(.+): constructor parameter \(injected\)$/.exec(reason))) return `${what} is an injected constructor parameter (${m[1]}) at ${where}`;
  if ((m = /^spread of (.+) is not statically known$/.exec(reason))) return `${what} may come from the spread of ${m[1]}, an object that is not statically known, at ${where}`;
  if ((m = /^options (?:under \S+ )?are not statically known \((.+)\)$/.exec(reason))) {
    const how = m[1] === 'CallExpression' ? 'the result of a call' : m[1] === 'function parameter' ? 'a function parameter' : `not statically known (${m[1]})`;
    return `the connection options are ${how} at ${where}`;
  }
  return `${what} is not statically known (${reason}) at ${where}`;
}

/** What a pool's connection string is made of. One Prisma datasource lookup, one reading of options. */
export function poolConnectionSource(pool: PoolDefinition, root: string, datasources: readonly PrismaDatasourceRef[]): ConnectionSource {
  const cs = pool.connectionString;
  if (cs) {
    const p = cs.provenance;
    const range = cs.range ?? pool.range;
    if (p.kind === 'env') {
      const fb = p.fallback !== undefined && typeof p.fallback !== 'boolean' ? { fallback: { kind: 'literal' as const, value: String(p.fallback), range } } : {};
      return { kind: 'value', value: { kind: 'env', envVar: p.envVar, range, ...fb }, what: 'the connection string' };
    }
    if (typeof cs.value === 'string' || typeof cs.value === 'number') return { kind: 'value', value: { kind: 'literal', value: String(cs.value), range }, what: 'the connection string' };
    return { kind: 'unknown', reason: unknownText('the connection string', cs, root) };
  }
  if (pool.library === 'prisma') {
    const withUrl = datasources.filter((d) => d.url !== undefined);
    const ds = nearestPrismaProject(withUrl, pool.file);
    if (!ds?.url) {
      return {
        kind: 'unknown',
        reason: withUrl.length === 0 ? 'no Prisma schema with a datasource url found for this client' : `${withUrl.length} Prisma schemas have a datasource url, and none is in a directory above this client`,
      };
    }
    if (ds.url.kind === 'other') return { kind: 'unknown', reason: `the datasource url of ${ds.id} is not a string or env()` };
    return { kind: 'value', value: ds.url, what: `the datasource url of ${at(root, ds.url.range)}`, datasource: ds };
  }
  const opt = (names: string[]): Resolved<unknown> | undefined => pool.options.find((o) => names.includes(o.name.split('.').pop()!))?.value;
  const host = opt(['host', 'hostname']);
  const port = opt(['port']);
  const user = opt(['user', 'username']);
  const database = opt(['database', 'db']);
  // Options hidden behind a spread or a value the extractor cannot follow may hold the URL or host.
  const hidden = (pool.opaqueOptions ?? []).find((o) => o.prefix === '' || /(^|\.)connection$/.test(o.prefix));
  if (host === undefined && hidden) return { kind: 'unknown', reason: unknownReason('the connection string', hidden.reason, at(root, hidden.range ?? pool.range)) };
  const src: ConnectionSource = { kind: 'options' };
  if (host) src.host = host;
  if (port) src.port = port;
  if (user) src.user = user;
  if (database) src.database = database;
  if (host === undefined) {
    const doc = DRIVER_DEFAULT_HOST[pool.library];
    if (doc === undefined) return { kind: 'unknown', reason: `${LIBRARY_NAME[pool.library]} is given no connection string or host here, and has no documented default host` };
    src.driverDefault = doc;
  }
  return src;
}

/**
 * What the connection string of a Python, Spring Boot or Rails pool is made of: a variable that
 * replaces it in this environment (Spring relaxed binding SPRING_DATASOURCE_URL, Rails DATABASE_URL),
 * else the URL the configuration gives (literal or from a variable), else its host/port/database options.
 */
export function appPoolConnectionSource(pool: AppPool, env: Environment, root: string): ConnectionSource {
  const cs = pool.connectionString;
  const overrides = [...(cs?.envOverrides ?? [])];
  for (const name of overrides) {
    if (environmentText(env, name) !== undefined) return { kind: 'value', value: { kind: 'env', envVar: name, range: cs?.range ?? pool.range }, what: 'the connection string' };
  }
  if (cs?.template) {
    let text = '';
    const missing: string[] = [];
    const used: string[] = [];
    for (const part of cs.template) {
      if (typeof part === 'string') {
        text += part;
        continue;
      }
      const v = environmentText(env, part.envVar);
      if (v) {
        text += v.value;
        used.push(`${part.envVar} (${v.source})`);
      } else if (part.fallback !== undefined) {
        text += part.fallback;
        used.push(`${part.envVar} unset: its default`);
      } else missing.push(part.envVar);
    }
    if (missing.length > 0) return { kind: 'unknown', reason: `the connection string at ${at(root, cs.range ?? pool.range)} reads ${missing.join(', ')}, which no environment of this service sets`, envVar: missing[0]! };
    return { kind: 'value', value: { kind: 'literal', value: text, range: cs.range ?? pool.range }, what: `the connection string (${used.join(', ') || 'as written'})` };
  }
  // A connection string that is not written (only the variables that would replace it) leaves the options.
  if (cs && !(cs.value === undefined && cs.provenance.kind === 'default')) {
    const p = cs.provenance;
    const range = cs.range ?? pool.range;
    if (p.kind === 'env') {
      const fb = p.fallback !== undefined && typeof p.fallback !== 'boolean' ? { fallback: { kind: 'literal' as const, value: String(p.fallback), range } } : {};
      return { kind: 'value', value: { kind: 'env', envVar: p.envVar, range, ...fb }, what: 'the connection string' };
    }
    if (typeof cs.value === 'string') return { kind: 'value', value: { kind: 'literal', value: cs.value, range }, what: 'the connection string' };
    return { kind: 'unknown', reason: unknownText('the connection string', cs, root) };
  }
  const o = pool.connectionOptions;
  if (o && (o.host || o.port || o.database || o.user)) {
    const src: ConnectionSource = { kind: 'options' };
    if (o.host) src.host = o.host;
    if (o.port) src.port = o.port;
    if (o.user) src.user = o.user;
    if (o.database) src.database = o.database;
    if (!o.host) src.driverDefault = 'libpq: no host means the local Unix socket, or PGHOST';
    return src;
  }
  return { kind: 'unknown', reason: `${pool.construct} at ${at(root, pool.range)} names no connection string or host${overrides.length > 0 ? `, and the service sets none of ${overrides.join(', ')}` : ''}` };
}

/* ---------------- its value in an environment ---------------- */

/** A pool's connection in one environment. */
export type ConnectionResolution =
  | {
      known: true;
      text: string;
      range?: SourceRange;
      envVar?: string;
      /** "DATABASE_URL (.env.production)", "the connection string in src/db.ts:3". */
      where: string;
      parsed: ParsedConnection;
      endpoint: Endpoint;
      /** Set when no option names a host: the driver's documented default (cited). */
      driverDefault?: string;
    }
  | { known: false; reason: string; envVar?: string; text?: string; range?: SourceRange; where?: string };

/** Marks a reference no file resolves (`${ssm:/db/password}`), so the rest of the URL still parses. */
export const UNRESOLVED = 'UNRESOLVED-VARIABLE';

/** A value with each reference no file sets replaced by UNRESOLVED (the value itself when it has none). */
export function markUnresolved(v: { value?: string; unresolved?: string[] }): string | undefined {
  if (v.value === undefined) return undefined;
  let value = v.value;
  for (const ref of v.unresolved ?? []) value = value.split(ref).join(UNRESOLVED);
  return value;
}

/** A variable's value in an environment, with unresolved references marked. */
export function environmentText(env: Environment, name: string): { value: string; range?: SourceRange; source: string } | undefined {
  const v = env.get(name);
  const value = v === undefined ? undefined : markUnresolved(v);
  if (v === undefined || value === undefined) return undefined;
  return { value, source: v.source, ...(v.range ? { range: v.range } : {}) };
}

/**
 * The endpoint of a connection string whose host or port is a reference no file sets
 * (`postgres://app@${DB_HOST}:6543/app`): unknown, whatever the rest of the URL says. dotenv-expand
 * would make the host '' (a Unix socket on localhost), which is what the file alone gives, not where
 * the deployed program connects. Undefined when the first host and port are known.
 */
export function unresolvedEndpoint(marked: string | undefined): Endpoint | undefined {
  if (marked === undefined || !marked.includes(UNRESOLVED)) return undefined;
  const parsed = parseConnectionString(marked.trim());
  if (isParseError(parsed)) return { role: 'unknown', perHost: [] };
  const h = parsed.hosts[0];
  return h === undefined || h.host.toUpperCase().includes(UNRESOLVED) ? { role: 'unknown', perHost: [] } : undefined;
}

type TextResult = { ok: true; text: string; range?: SourceRange; envVar?: string; where: string } | { ok: false; reason: string; envVar?: string };

function valueText(root: string, value: PrismaValue, env: Environment, what: string): TextResult {
  if (value.kind === 'literal') return { ok: true, text: value.value, range: value.range, where: `${what} in ${at(root, value.range)}` };
  if (value.kind === 'env') {
    const v = environmentText(env, value.envVar);
    if (v) return { ok: true, text: v.value, ...(v.range ? { range: v.range } : {}), envVar: value.envVar, where: `${value.envVar} (${v.source})` };
    if (value.fallback?.kind === 'literal') return { ok: true, text: value.fallback.value, range: value.fallback.range, envVar: value.envVar, where: `the fallback of ${value.envVar} in ${at(root, value.fallback.range)}` };
    const declared = env.get(value.envVar);
    return {
      ok: false,
      envVar: value.envVar,
      reason: declared ? `${what} comes from ${value.envVar}, whose value is not in the repository (${declared.source})` : `${what} comes from ${value.envVar}, which no environment of this service sets`,
    };
  }
  return { ok: false, reason: `${what} is not a string or env()` };
}

function optionText(root: string, r: Resolved<unknown>, env: Environment, what: string, pgVar: string): { ok: true; text?: string } | { ok: false; reason: string } {
  const p = r.provenance;
  if (p.kind === 'env') {
    const v = environmentText(env, p.envVar);
    if (v) return { ok: true, text: v.value };
    if (typeof r.value === 'string' || typeof r.value === 'number') return { ok: true, text: String(r.value) };
    return { ok: false, reason: `the ${what} option comes from ${p.envVar}, which no environment of this service sets` };
  }
  if (typeof r.value === 'string' || typeof r.value === 'number') return { ok: true, text: String(r.value) };
  // `host: undefined` written out: the driver falls back to the PG* variable or its default.
  if (p.kind === 'literal' && r.value === undefined) return { ok: true, ...(environmentText(env, pgVar) ? { text: environmentText(env, pgVar)!.value } : {}) };
  return { ok: false, reason: unknownText(`the ${what} option`, r, root) };
}

/** The pool's connection string in an environment, parsed, and where it leads. */
export function connectionFor(source: ConnectionSource, clientName: string, env: Environment, root: string, ctx: EndpointContext): ConnectionResolution {
  if (source.kind === 'unknown') return { known: false, reason: source.reason, ...(source.envVar ? { envVar: source.envVar } : {}) };
  let t: TextResult;
  let driverDefault: string | undefined;
  if (source.kind === 'value') {
    t = valueText(root, source.value, env, source.what);
    if (t.ok && source.datasource) t.where = `${t.where}, ${source.what}`;
  } else {
    const parts: Record<'host' | 'port' | 'user' | 'database', string | undefined> = { host: undefined, port: undefined, user: undefined, database: undefined };
    const pg = { host: 'PGHOST', port: 'PGPORT', user: 'PGUSER', database: 'PGDATABASE' } as const;
    for (const k of ['host', 'port', 'user', 'database'] as const) {
      const r = source[k];
      if (r) {
        const o = optionText(root, r, env, k, pg[k]);
        if (!o.ok) {
          if (k === 'host') return { known: false, reason: o.reason };
          continue;
        }
        parts[k] = o.text;
      } else parts[k] = environmentText(env, pg[k])?.value;
    }
    const h = parts.host ?? 'localhost';
    const text = `postgresql://${parts.user ? `${encodeURIComponent(parts.user)}@` : ''}${h.includes(':') && !h.startsWith('[') ? `[${h}]` : h}${parts.port ? `:${parts.port}` : ''}/${parts.database ? encodeURIComponent(parts.database) : ''}`;
    if (parts.host === undefined) driverDefault = source.driverDefault;
    t = {
      ok: true,
      text,
      where: parts.host !== undefined ? `host ${h}${parts.port ? `:${parts.port}` : ''} (options)` : `no host: ${clientName} connects to localhost${parts.port ? `:${parts.port}` : ':5432'} (${source.driverDefault})`,
    };
  }
  if (!t.ok) return { known: false, reason: t.reason, ...(t.envVar ? { envVar: t.envVar } : {}) };
  const parsed = parseConnectionString(t.text.trim(), t.range);
  if (isParseError(parsed)) return { known: false, reason: `the connection string (${t.where}) does not parse: ${parsed.error}`, text: t.text, where: t.where, ...(t.range ? { range: t.range } : {}), ...(t.envVar ? { envVar: t.envVar } : {}) };
  return {
    known: true,
    text: t.text,
    ...(t.range ? { range: t.range } : {}),
    ...(t.envVar ? { envVar: t.envVar } : {}),
    where: t.where,
    parsed,
    endpoint: endpointOf(parsed, ctx),
    ...(driverDefault ? { driverDefault } : {}),
  };
}
