/**
 * Every connection string of the repository, resolved: where it is written, what refers to it,
 * in which environment, where it leads (direct server or pooler), and the client-side pool
 * Prisma builds from it. Environments (`.env.production`, `.env.development`, a compose
 * service, a Kubernetes workload) are kept apart: a reference is resolved once per environment.
 *
 * Every answer comes from the model's resolvers, which the deployment model asks too:
 * environments.ts (a variable per environment), connection-resolver.ts (what a pool's URL is
 * made of, the Prisma datasource, the endpoint) and pool-mode.ts (a PgBouncer's pool mode).
 *
 * Passwords are never kept: `parsed` is the redacted reading of parseConnectionString, and
 * `password` says only what kind of password the text as written holds.
 */
import { basename, dirname, relative, sep } from 'node:path';
import type { SourceRange } from '../core/location.js';
import type { EndpointClassification } from '../sources/connection-url/poolers.js';
import { isParseError, parseConnectionString } from '../sources/connection-url/parse.js';
import type { ParsedConnection } from '../sources/connection-url/types.js';
import type { Resolved } from '../sources/js/types.js';
import type { PrismaValue } from '../sources/prisma/types.js';
import { endpointContext, endpointOf, looksLikeConnectionString, markUnresolved, unresolvedEndpoint, nearestPrismaProject, poolConnectionSource, prismaDatasources, prismaProjectDir, type EndpointContext } from './connection-resolver.js';
import { composeEnvironment, DotenvIndex, dotenvFileEnvironment, k8sEnvironment, type EnvironmentValue } from './environments.js';
import type { EnvVarFact } from '../sources/yaml/types.js';
import { connectionPasswordKind, literalPasswordText, type PasswordKind } from './connections/credentials.js';
import { redactSecrets } from '../core/redact.js';
import type { DeclaredPooler } from './deployment/types.js';
import type { ProjectFacts } from './project.js';

export type { PasswordKind } from './connections/credentials.js';

export type ConnectionOriginKind =
  | 'env-file' // a value of a .env file nothing in the repository was seen to read
  | 'compose' // a compose service's environment: / env_file:
  | 'kubernetes' // a container env value, a ConfigMap or Secret entry
  | 'code' // a pool's connection string in code (literal, constant or process.env.X)
  | 'prisma-schema' // datasource url / directUrl / shadowDatabaseUrl
  | 'prisma-config'; // prisma.config.ts datasource.url / shadowDatabaseUrl / directUrl

/** What refers to a connection string. */
export interface ConnectionOrigin {
  kind: ConnectionOriginKind;
  /** For messages: `DATABASE_URL in .env.production`, `datasource db url`, `new Pool (src/db.ts:3)`. */
  description: string;
  /** Where the reference is written: `env("X")`, `process.env.X`, or the value itself for definitions. */
  range: SourceRange;
  /** Prisma: which property refers to it. */
  property?: 'url' | 'directUrl' | 'shadowDatabaseUrl';
  /** Prisma schema datasource id or prisma.config id (PrismaClientModel.id). */
  prismaId?: string;
  /** Code: the pool definition id. */
  poolId?: string;
  /** compose service / Kubernetes object the value belongs to. */
  owner?: string;
}

export interface ResolvedConnection {
  /** `<file relative to the root>:<line>:<column>` of the value, `@<environment>` and `#<origin>` when resolved through a reference. */
  id: string;
  origin: ConnectionOrigin;
  /** The variable the value was read from (DATABASE_URL), when there is one. */
  envVar?: string;
  /** `default`, `production`, … (.env files by name), `compose:<service>`, `kubernetes:<object>`, `code`. Several joined by ", " when one value serves them all. */
  environment: string;
  environments: string[];
  /** The .env file the value came from, when it did. */
  envFile?: string;
  /** From a template (`.env.example`, `.env.sample`, `.env.template`): documents, is not loaded. */
  template: boolean;
  /** From a Kubernetes Secret: never print, not a plaintext finding. */
  secret: boolean;
  /** The password of the text as written at `range` (before expansion). */
  password: PasswordKind;
  /**
   * With a literal password: the text that holds it, masked, and whether it is an interpolation
   * default (`${DATABASE_URL:-postgresql://postgres:postgres@db/app}`) rather than the value.
   */
  literalIn?: { redacted: string; inDefault: boolean };
  /** The connection string as the program reads it, redacted (never holds the password). */
  parsed: ParsedConnection;
  endpoint: EndpointClassification & { perHost: EndpointClassification[] };
  /** Where the value is written. */
  range: SourceRange;
  /** Pool definition ids and Prisma ids that connect with it. */
  usedBy: string[];
}

/** Prisma 5/6 client-side pool read from one URL (prisma.io/docs/orm/v6/.../databases-connections/connection-pool). */
export interface PrismaUrlPool {
  connectionId: string;
  environment: string;
  /** `connection_limit`; absent from the URL: Prisma's default num_physical_cpus × 2 + 1 (value unknown statically). */
  connectionLimit: { value: number | undefined; source: 'url' | 'default'; text: string };
  /** `pool_timeout` in seconds (default 10). */
  poolTimeoutSeconds: { value: number; source: 'url' | 'default' };
  /** `pgbouncer=true`: no named prepared statements (default false). */
  pgbouncer: boolean;
}

/** A Prisma setup: a Prisma 5/6 datasource (query engine pool from the URL) or a Prisma 7 config + driver adapter. */
export interface PrismaClientModel {
  /** `prisma:<schema path>#<datasource>` or `prisma-config:<config path>`. */
  id: string;
  /** query-engine: Prisma 5/6, the pool comes from URL parameters; driver-adapter: Prisma 7 (or 6 + driverAdapters), the pool is the driver's. */
  generation: 'query-engine' | 'driver-adapter';
  schema?: {
    path: string;
    datasource: string;
    range: SourceRange;
    url?: PrismaValue;
    directUrl?: PrismaValue;
    shadowDatabaseUrl?: PrismaValue;
  };
  config?: { file: string; url?: PrismaValue; directUrl?: PrismaValue; range?: SourceRange };
  /** The directory Prisma runs in (the schema's project: parent of `prisma/`). */
  projectDir: string;
  /** PrismaClient constructions that use this datasource (no datasourceUrl, no adapter of their own). */
  clients: string[];
  /** Prisma 5/6: the pool per environment of the datasource url. */
  pools: PrismaUrlPool[];
  /** Driver adapters in the project (`new PrismaPg(...)`): their pool options are in `ProjectFacts.js` pools. */
  adapters: Array<{ poolId: string; max: Resolved<number>; idleTimeoutMs?: Resolved<number>; connectTimeoutMs?: Resolved<number> }>;
}

export interface ConnectionModel {
  /** Every connection string found, one entry per (reference, environment); unreferenced values once each. */
  strings: ResolvedConnection[];
  prisma: PrismaClientModel[];
  /** References that no .env file resolves (`env("DIRECT_URL")` with DIRECT_URL defined nowhere). */
  unresolved: Array<{ envVar: string; origin: ConnectionOrigin }>;
}

type Input = Pick<ProjectFacts, 'root' | 'envFiles' | 'composeEnvFiles' | 'compose' | 'kubernetes' | 'js' | 'prismaSchemas' | 'prismaConfigs' | 'pgbouncer'>;

export { looksLikeConnectionString } from './connection-resolver.js';

function rel(root: string, file: string): string {
  const r = relative(root, file);
  return (r === '' ? basename(file) : r).split(sep).join('/');
}

export { prismaProjectDir } from './connection-resolver.js';

interface Builder {
  root: string;
  strings: ResolvedConnection[];
  unresolved: ConnectionModel['unresolved'];
  /** The connection resolver's endpoint classification (PgBouncer ports, pool modes). */
  endpoints: EndpointContext;
}

/** Parses and classifies one value; undefined when it is not a connection string the parser accepts. */
function makeConnection(
  b: Builder,
  text: string,
  range: SourceRange,
  raw: string,
  fields: Omit<ResolvedConnection, 'id' | 'parsed' | 'endpoint' | 'range' | 'password' | 'environment' | 'environments'> & { environments: string[] },
  idSuffix: string,
  /** The value with references no file sets marked (markUnresolved): an unresolved host is an unknown endpoint. */
  marked?: string,
): ResolvedConnection | undefined {
  const parsed = parseConnectionString(text.trim(), range);
  if (isParseError(parsed)) return undefined;
  const withMode = unresolvedEndpoint(marked) ?? endpointOf(parsed, b.endpoints);
  const c: ResolvedConnection = {
    id: `${rel(b.root, range.file)}:${range.line}:${range.column}${idSuffix}`,
    ...fields,
    environment: fields.environments.join(', '),
    password: connectionPasswordKind(raw),
    parsed,
    endpoint: withMode,
    range,
  };
  if (c.password === 'literal') {
    const t = literalPasswordText(raw);
    if (t !== undefined) c.literalIn = { redacted: t === raw ? parsed.redacted : redactSecrets(t), inDefault: t !== raw };
  }
  b.strings.push(c);
  return c;
}

export function buildConnections(facts: Input, declaredPoolers: readonly DeclaredPooler[] = []): ConnectionModel {
  const b: Builder = { root: facts.root, strings: [], unresolved: [], endpoints: endpointContext(facts, declaredPoolers) };
  const env = new DotenvIndex(facts.envFiles);
  const datasources = prismaDatasources(facts);
  /** env-file values some reference reached: not listed again as unreferenced definitions. */
  const reached = new Set<string>();
  const rangeKey = (r: SourceRange) => `${r.file}:${r.line}:${r.column}`;

  /** Resolves a PrismaValue / process.env lookup per environment. */
  const resolveRef = (
    value: PrismaValue,
    fromDir: string,
    origin: ConnectionOrigin,
    usedBy: string[],
  ): ResolvedConnection[] => {
    const out: ResolvedConnection[] = [];
    const originId = origin.poolId ?? `${origin.prismaId ?? origin.kind}${origin.property ? `.${origin.property}` : ''}`;
    if (value.kind === 'literal') {
      if (!looksLikeConnectionString(value.value)) return out;
      const c = makeConnection(b, value.value, value.range, value.value, { origin, template: false, secret: false, usedBy, environments: ['code'] }, `#${originId}`);
      if (c) out.push(c);
      return out;
    }
    if (value.kind !== 'env') return out;
    const found = env.resolve(value.envVar, fromDir);
    const covered = new Set<string>();
    for (const v of found) {
      const range = v.value.range!;
      reached.add(rangeKey(range));
      v.environments.forEach((e) => covered.add(e));
      const text = v.value.expanded ?? v.value.value ?? '';
      if (!looksLikeConnectionString(text, v.value.name)) continue;
      const c = makeConnection(
        b,
        text,
        range,
        v.value.raw ?? text,
        { origin, envVar: value.envVar, envFile: v.file.file, template: v.file.template, secret: false, usedBy, environments: v.environments },
        `@${v.environments[0]}#${originId}`,
        markUnresolved(v.value),
      );
      if (c) out.push(c);
    }
    if (found.length === 0 && !value.fallback) b.unresolved.push({ envVar: value.envVar, origin });
    if (value.fallback) {
      const fb = resolveRef(value.fallback, fromDir, origin, usedBy);
      for (const c of fb) {
        // The fallback serves only the environments where the variable is unset.
        const envs = c.environments.filter((e) => !covered.has(e));
        if (envs.length === 0) {
          b.strings.splice(b.strings.indexOf(c), 1);
          continue;
        }
        c.environments = envs.map((e) => (e === 'code' ? `${value.envVar} unset` : e));
        c.environment = c.environments.join(', ');
        out.push(c);
      }
    }
    return out;
  };

  /** Resolves a datasource's url, directUrl and shadowDatabaseUrl (from a schema or prisma.config.ts); returns what `url` resolved to. */
  const resolveDatasource = (
    ds: Partial<Record<'url' | 'directUrl' | 'shadowDatabaseUrl', PrismaValue>>,
    fromDir: string,
    model: PrismaClientModel,
    kind: 'prisma-schema' | 'prisma-config',
    describe: (property: string, v: PrismaValue) => string,
  ): ResolvedConnection[] => {
    let url: ResolvedConnection[] = [];
    for (const property of ['url', 'directUrl', 'shadowDatabaseUrl'] as const) {
      const v = ds[property];
      if (!v) continue;
      const origin: ConnectionOrigin = { kind, description: describe(property, v), range: v.range, property, prismaId: model.id };
      const cs = resolveRef(v, fromDir, origin, [model.id]);
      if (property === 'url') url = cs;
    }
    return url;
  };

  // Prisma schemas (Prisma 5/6 datasource URLs).
  const prisma: PrismaClientModel[] = [];
  for (const schema of facts.prismaSchemas) {
    const isFolder = !/\.prisma$/.test(schema.path);
    const projectDir = prismaProjectDir(schema.path, isFolder);
    const fromDir = isFolder ? schema.path : dirname(schema.path);
    for (const ds of schema.datasources) {
      if (ds.provider !== null && ds.provider !== 'postgresql' && ds.provider !== 'postgres') continue;
      const id = `prisma:${rel(facts.root, ds.file)}#${ds.name}`;
      const model: PrismaClientModel = {
        id,
        generation: ds.url ? 'query-engine' : 'driver-adapter',
        schema: {
          path: schema.path,
          datasource: ds.name,
          range: ds.range,
          ...(ds.url ? { url: ds.url } : {}),
          ...(ds.directUrl ? { directUrl: ds.directUrl } : {}),
          ...(ds.shadowDatabaseUrl ? { shadowDatabaseUrl: ds.shadowDatabaseUrl } : {}),
        },
        projectDir,
        clients: [],
        pools: [],
        adapters: [],
      };
      prisma.push(model);
      const cs = resolveDatasource(ds, fromDir, model, 'prisma-schema', (property, v) => `datasource ${ds.name} ${property}${v.kind === 'env' ? ` = env("${v.envVar}")` : ''}`);
      for (const c of cs) model.pools.push(prismaUrlPool(c));
    }
  }

  // prisma.config.ts (Prisma 7: the CLI's URL; Prisma 6.12+ `engine: 'classic'`: url + directUrl).
  for (const cfg of facts.prismaConfigs) {
    if (!cfg.datasource) continue;
    const id = `prisma-config:${rel(facts.root, cfg.file)}`;
    const ds = cfg.datasource;
    const model: PrismaClientModel = {
      id,
      generation: 'driver-adapter',
      config: { file: cfg.file, ...(ds.url ? { url: ds.url } : {}), ...(ds.directUrl ? { directUrl: ds.directUrl } : {}), range: ds.range },
      projectDir: dirname(cfg.file),
      clients: [],
      pools: [],
      adapters: [],
    };
    prisma.push(model);
    resolveDatasource(ds, dirname(cfg.file), model, 'prisma-config', (property) => `datasource.${property} in ${basename(cfg.file)}`);
  }

  // Code: pools' connection strings; PrismaClient constructions join their datasource.
  const allPools = facts.js.flatMap((f) => f.pools);
  for (const def of allPools) {
    const cs = def.connectionString;
    if (cs) {
      const origin: ConnectionOrigin = { kind: 'code', description: `${def.construct} (${rel(facts.root, def.file)}:${def.range.line})`, range: cs.range ?? def.range, poolId: def.id };
      const src = poolConnectionSource(def, facts.root, datasources);
      if (src.kind === 'value' && src.datasource === undefined) {
        const made = resolveRef(src.value, dirname(def.file), origin, [def.id]);
        if (def.library === 'prisma' && def.kind === 'prisma-client' && def.wraps === undefined) {
          // A PrismaClient with its own datasourceUrl: a query-engine pool of its own.
          const m: PrismaClientModel = { id: def.id, generation: 'query-engine', projectDir: dirname(def.file), clients: [def.id], pools: made.map(prismaUrlPool), adapters: [] };
          prisma.push(m);
        }
      }
    }
  }
  for (const def of allPools) {
    if (def.library === 'prisma-adapter-pg') {
      const owner = nearestPrismaProject(prisma.filter((m) => m.generation === 'driver-adapter'), def.file);
      const a: PrismaClientModel['adapters'][number] = { poolId: def.id, max: def.max };
      if (def.idleTimeoutMs) a.idleTimeoutMs = def.idleTimeoutMs;
      if (def.connectTimeoutMs) a.connectTimeoutMs = def.connectTimeoutMs;
      owner?.adapters.push(a);
    }
    // A client with a driver adapter connects through the adapter's pool, not the datasource url.
    if (def.library !== 'prisma' || def.kind !== 'prisma-client' || def.connectionString || def.wraps !== undefined) continue;
    if (def.options.some((o) => o.name === 'adapter')) continue;
    // The one Prisma datasource lookup of the connection resolver (the deployment model asks it too).
    const ds = nearestPrismaProject(datasources.filter((d) => d.urlFrom === 'schema'), def.file);
    const owner = ds ? prisma.find((m) => m.id === ds.id && m.generation === 'query-engine') : undefined;
    if (!owner) continue;
    owner.clients.push(def.id);
    for (const c of b.strings) if (c.origin.prismaId === owner.id && c.origin.property === 'url' && !c.usedBy.includes(def.id)) c.usedBy.push(def.id);
  }

  // Definitions no reference reached: .env values, compose and Kubernetes values.
  for (const f of facts.envFiles) {
    for (const v of dotenvFileEnvironment(f, f.file).values()) {
      const text = v.expanded ?? v.value ?? '';
      if (reached.has(rangeKey(v.range!)) || !looksLikeConnectionString(text, v.name)) continue;
      const environments = [f.template ? `${f.environment} (template ${basename(f.file)})` : f.environment];
      makeConnection(
        b,
        text,
        v.range!,
        v.raw ?? text,
        {
          origin: { kind: 'env-file', description: `${v.name} in ${rel(facts.root, f.file)}`, range: v.range! },
          envVar: v.name,
          envFile: f.file,
          template: f.template,
          secret: false,
          usedBy: [],
          environments,
        },
        '',
        markUnresolved(v),
      );
    }
  }
  for (const compose of facts.compose) {
    for (const svc of compose.services) {
      const environments = [`compose:${svc.name}`];
      // The service's environment from the one environment resolver: `environment:` wins over env_file.
      const senv = composeEnvironment(facts, svc);
      const inline = new Set(svc.environment.map((e) => e.name));
      for (const e of svc.environment) {
        const v = effectiveOrWritten(senv, e);
        if (v) envVarConnection(b, v, { kind: 'compose', description: `${e.name} of compose service ${svc.name}`, range: v.range ?? e.range, owner: svc.name }, environments);
      }
      for (const v of senv.values()) {
        if (inline.has(v.name) || v.envFile === undefined) continue;
        const text = v.expanded ?? v.value ?? '';
        if (!looksLikeConnectionString(text, v.name)) continue;
        makeConnection(
          b,
          text,
          v.range!,
          v.raw ?? text,
          {
            origin: { kind: 'compose', description: `${v.name} in ${rel(facts.root, v.envFile)} (env_file of compose service ${svc.name})`, range: v.via ?? v.range!, owner: svc.name },
            envVar: v.name,
            envFile: v.envFile,
            template: false,
            secret: false,
            usedBy: [],
            environments,
          },
          `@compose:${svc.name}`,
          markUnresolved(v),
        );
      }
    }
  }
  for (const k of facts.kubernetes) {
    for (const w of k.workloads) {
      const owner = `${w.kind}/${w.meta.name ?? '?'}`;
      for (const c of [...w.containers, ...w.initContainers]) {
        const cenv = k8sEnvironment(facts, w.meta.namespace, c);
        for (const e of c.env) {
          if (e.from !== 'inline') continue;
          // Values that come from a ConfigMap or Secret are listed once, as that object's entries.
          const v = effectiveOrWritten(cenv, e);
          if (v && v.from === 'inline') envVarConnection(b, v, { kind: 'kubernetes', description: `${e.name} of container ${c.name} (${owner})`, range: v.range ?? e.range, owner }, [`kubernetes:${owner}`]);
        }
      }
    }
    for (const cm of [...k.configMaps.map((x) => ({ x, kind: 'ConfigMap' })), ...k.secrets.map((x) => ({ x, kind: 'Secret' }))]) {
      const owner = `${cm.kind}/${cm.x.meta.name ?? '?'}`;
      for (const d of cm.x.data) {
        if (!looksLikeConnectionString(d.value, d.key)) continue;
        makeConnection(
          b,
          d.value,
          d.range,
          d.value,
          {
            origin: { kind: 'kubernetes', description: `${d.key} of ${owner}`, range: d.range, owner },
            envVar: d.key,
            template: false,
            secret: d.secret,
            usedBy: [],
            environments: [`kubernetes:${owner}`],
          },
          '',
        );
      }
    }
  }

  return { strings: b.strings, prisma, unresolved: b.unresolved };
}

/**
 * The value an `environment:`/`env:` entry gives, from the environment resolver; an entry a later
 * one of the same name shadows is still a connection string written in the repository (a password
 * in it is still committed), so it is listed as written.
 */
function effectiveOrWritten(env: Map<string, EnvironmentValue>, e: EnvVarFact): EnvironmentValue | undefined {
  const v = env.get(e.name);
  if (v === undefined || v.range === e.range || e.value === undefined) return v;
  return { name: e.name, value: e.value, raw: e.raw ?? e.value, range: e.range, source: v.source, from: e.from, ...(e.secret ? { secret: true } : {}) };
}

function envVarConnection(b: Builder, e: EnvironmentValue, origin: ConnectionOrigin, environments: string[]): void {
  if (e.value === undefined || e.range === undefined || !looksLikeConnectionString(e.value, e.name)) return;
  makeConnection(b, e.value, e.range, e.raw ?? e.value, { origin, envVar: e.name, template: false, secret: e.from === 'secretKeyRef', usedBy: [], environments }, '', markUnresolved(e));
}

// Prisma 6 docs, connection pool: connection_limit default num_physical_cpus * 2 + 1, pool_timeout 10 s
// (prisma.io/docs/orm/v6/prisma-client/setup-and-configuration/databases-connections/connection-pool).
export const PRISMA_DEFAULT_CONNECTION_LIMIT = 'num_physical_cpus × 2 + 1';
const PRISMA_DEFAULT_POOL_TIMEOUT_S = 10;

function prismaUrlPool(c: ResolvedConnection): PrismaUrlPool {
  const q = c.parsed.prisma;
  return {
    connectionId: c.id,
    environment: c.environment,
    connectionLimit:
      q.connectionLimit !== undefined
        ? { value: q.connectionLimit, source: 'url', text: `connection_limit=${q.connectionLimit}` }
        : { value: undefined, source: 'default', text: `${PRISMA_DEFAULT_CONNECTION_LIMIT} (Prisma's default)` },
    poolTimeoutSeconds: q.poolTimeout !== undefined ? { value: q.poolTimeout, source: 'url' } : { value: PRISMA_DEFAULT_POOL_TIMEOUT_S, source: 'default' },
    pgbouncer: q.pgbouncer === true,
  };
}

/** Connection strings with distinct value locations (a value several references reach, once). */
export function distinctConnectionValues(strings: readonly ResolvedConnection[]): ResolvedConnection[] {
  const seen = new Set<string>();
  const out: ResolvedConnection[] = [];
  for (const c of strings) {
    const k = `${c.range.file}:${c.range.line}:${c.range.column}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(c);
  }
  return out;
}

/** A transaction-mode pooler (where a session-level client such as prisma migrate breaks), with a short description; undefined otherwise. */
export function transactionPooler(c: ResolvedConnection): string | undefined {
  const p = c.endpoint.pooler;
  const port = c.parsed.hosts[0]?.port;
  if (c.endpoint.role === 'pooler' && p && p.mode === 'transaction') {
    if (p.declared !== undefined) return `the pooler ${p.declared} (deployment.poolers) in transaction mode (port ${port})`;
    switch (p.product) {
      case 'supabase-supavisor':
        return `the Supabase pooler (Supavisor) in transaction mode (port ${port})`;
      case 'supabase-pgbouncer':
        return `Supabase's dedicated PgBouncer in transaction mode (port ${port})`;
      case 'neon':
        return 'Neon\'s pooled endpoint ("-pooler" host, PgBouncer in transaction mode)';
      case 'pgbouncer':
        return `the PgBouncer of this repository in transaction mode (listen_port ${port})`;
      default:
        // RDS Proxy pins a session that takes advisory locks or prepares statements: migrations work through it.
        return undefined;
    }
  }
  if (c.parsed.prisma.pgbouncer === true) return 'a PgBouncer in transaction mode (the URL says pgbouncer=true)';
  return undefined;
}
