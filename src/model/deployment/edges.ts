import type { SourceRange } from '../../core/location.js';
import { isParseError, parseConnectionString } from '../../sources/connection-url/parse.js';
import type { ParsedConnection } from '../../sources/connection-url/types.js';
import type { PoolDefinition } from '../../sources/js/types.js';
import { LIBRARY_NAME } from '../../sources/js/libraries.js';
import { redactSecrets } from '../../core/redact.js';
import { appPoolConnectionSource, connectionFor, endpointContext, endpointOf, environmentText, looksLikeConnectionString, poolConnectionSource, prismaDatasources, UNRESOLVED, type Endpoint, type EndpointContext, type PrismaDatasourceRef } from '../connection-resolver.js';
import type { BuildContext } from './context.js';
import { isLocalHost, type EndpointScope } from './endpoints.js';
import type { ServiceEnv } from './env.js';
import { managedPooler } from './poolers.js';
import { declared as declaredQ, derived, literal, times, unknownQ } from './quantity.js';
import type { ServiceBuild } from './services.js';
import type { AppPool } from '../../sources/app/types.js';
import { appPoolPerInstance, launchEnv } from './app-clients.js';
import { inside } from './packages.js';
import type { ClientEdge, PoolerNode, Quantity, ServerNode } from './types.js';

/** The connection resolver's inputs for this repository: Prisma datasources, PgBouncer ports. */
interface Resolver {
  datasources: PrismaDatasourceRef[];
  endpoints: EndpointContext;
}

/** Links every service's pools (and the URLs of services whose code is elsewhere) to a server or pooler. */
export function buildEdges(ctx: BuildContext, services: ServiceBuild[], servers: ServerNode[], poolers: PoolerNode[]): ClientEdge[] {
  const edges: ClientEdge[] = [];
  const r: Resolver = { datasources: prismaDatasources(ctx.facts), endpoints: endpointContext(ctx.facts, ctx.declared?.poolers) };
  for (const s of services) {
    const code = [...s.pools.map((pool) => codeEdge(ctx, r, s, pool, servers, poolers)), ...(s.appPools ?? []).map((pool) => appEdge(ctx, r, s, pool, servers, poolers))];
    edges.push(...code);
    // A one-shot job or a service outside the judged profile set adds nothing (services.ts notCounted).
    if (s.node.notCounted !== undefined) continue;
    const poolCount = s.pools.length + (s.appPools?.length ?? 0);
    if (poolCount === 0 && s.codeless) edges.push(...envEdges(ctx, r, s, servers, poolers));
    // JS/TS code (a package.json) that was read and opens no pool does not connect: a frontend given
    // DATABASE_URL by a shared env file. Code in another language still uses what its environment names.
    else if (poolCount === 0 && jsPackageRuns(ctx, s) && !appRootRuns(ctx, s)) continue;
    else if (!code.some((e) => e.target !== undefined)) {
      // Code in the repository, but no pool of it reaches a known node: what its environment names
      // (DB_HOST=postgres, a URL) is still used, by a number of connections the model does not know.
      const why = poolCount === 0 ? `no pool of its code (${s.node.codePaths.map((d) => ctx.rel(d) || '.').join(', ') || 'not in the repository'}) could be read` : `its pools could not be linked (${code.map((e) => e.unknownTarget ?? e.link).join('; ')})`;
      edges.push(...envEdges(ctx, r, s, servers, poolers, why));
    }
    for (const d of ctx.declared?.services ?? []) {
      if (d.name !== s.node.name || !d.connectionsPerInstance) continue;
      edges.push(declaredEdge(ctx, s, d.connectionsPerInstance.value, d.connectionsPerInstance.range, d.target?.value, servers, poolers));
    }
  }
  linkPoolers(ctx, poolers, servers);
  return edges;
}

/** Does the service run a JS/TS package of the repository (a package.json at or under one of its code paths)? */
function jsPackageRuns(ctx: BuildContext, s: ServiceBuild): boolean {
  return s.node.codePaths.some((d) => ctx.facts.packages.some((p) => p.dir === d || p.dir.startsWith(d + '/')));
}

/** Does the service run an application of another language (a Rails root, a Django project, a Spring module)? */
function appRootRuns(ctx: BuildContext, s: ServiceBuild): boolean {
  return s.node.codePaths.some((d) => ctx.facts.app.roots.some((a) => inside(a.dir, d) || inside(d, a.dir)));
}

/* ---------------- pools in code ---------------- */

type Connection = ReturnType<typeof connectionFor>;

/** What a pool's connection string links to: the parsed URL, the model node, or why the target is unknown. */
interface CodeLink {
  parsed?: ParsedConnection;
  target: ClientEdge['target'];
  link: string;
  unknownTarget?: string;
}

function linkConnection(ctx: BuildContext, c: Connection, s: ServiceBuild, servers: ServerNode[], poolers: PoolerNode[], at: SourceRange): CodeLink {
  if (c.known) {
    const t = linkParsed(ctx, c.parsed, c.endpoint, s.scope, servers, poolers, c.range ?? at);
    const link = t.unknown ? `unlinked, target unknown: ${c.where} → ${t.link}` : `${c.where} → ${t.link}`;
    return { parsed: c.parsed, target: t.target, link, ...(t.unknown ? { unknownTarget: `${c.where} → ${t.link}` } : {}) };
  }
  if (c.text !== undefined) return { target: undefined, link: c.reason };
  return { target: undefined, link: `unlinked, target unknown: ${c.reason}`, unknownTarget: c.reason };
}

/** The part every code edge shares (JS and other languages): URL, user, database, and a note when unlinked. */
function finishCodeEdge(ctx: BuildContext, edge: ClientEdge, c: Connection, l: CodeLink, what: string): ClientEdge {
  if (l.unknownTarget !== undefined) edge.unknownTarget = l.unknownTarget;
  if (c.known || c.text !== undefined) edge.url = { redacted: redactSecrets(c.text!), ...(c.range ? { range: c.range } : {}) };
  if (c.envVar) edge.envVar = c.envVar;
  if (l.parsed) {
    edge.parsed = l.parsed;
    if (l.parsed.user) edge.user = l.parsed.user;
    if (l.parsed.database) edge.database = l.parsed.database;
  }
  if (!l.target) ctx.notes.push({ message: `${what} is not linked to a server or pooler${l.unknownTarget !== undefined ? `, its target is unknown: ${l.unknownTarget}` : `: ${l.link}`}`, range: edge.range });
  return edge;
}

/** A Python, Spring Boot or Rails pool: linked like a JS pool; per instance = processes × the per-process bound (app-clients.ts). */
function appEdge(ctx: BuildContext, r: Resolver, s: ServiceBuild, pool: AppPool, servers: ServerNode[], poolers: PoolerNode[]): ClientEdge {
  const env = launchEnv(s.env, s.launched);
  const c = connectionFor(appPoolConnectionSource(pool, env, ctx.facts.root), pool.construct, env, ctx.facts.root, r.endpoints);
  const l = linkConnection(ctx, c, s, servers, poolers, pool.range);
  const { perInstance, perProcess } = appPoolPerInstance(ctx, pool, env, s.node.process);
  const edge: ClientEdge = {
    perProcess,
    poolId: pool.id,
    serviceId: s.node.id,
    perInstance,
    total: times(s.node.peakInstances, perInstance, `${s.node.peakInstances.source} × ${perInstance.source}`),
    target: l.target,
    link: l.link,
    range: pool.range,
    appPool: pool,
    origin: 'code',
  };
  return finishCodeEdge(ctx, edge, c, l, `${pool.id} (${s.node.name})`);
}

function codeEdge(ctx: BuildContext, r: Resolver, s: ServiceBuild, pool: PoolDefinition, servers: ServerNode[], poolers: PoolerNode[]): ClientEdge {
  const c = connectionFor(poolConnectionSource(pool, ctx.facts.root, r.datasources), LIBRARY_NAME[pool.library], s.env, ctx.facts.root, r.endpoints);
  const l = linkConnection(ctx, c, s, servers, poolers, pool.range);
  const perInstance = poolConnections(ctx, pool, s.env, l.parsed);
  const edge: ClientEdge = {
    poolId: pool.id,
    serviceId: s.node.id,
    perInstance,
    total: times(s.node.peakInstances, perInstance, `${s.node.peakInstances.source} × ${perInstance.source}`),
    target: l.target,
    link: l.link,
    range: pool.range,
    pool,
    origin: 'code',
  };
  finishCodeEdge(ctx, edge, c, l, `${pool.id} (${s.node.name})`);
  const app = poolApplicationName(pool, l.parsed, c.known ? c.range : undefined);
  if (app) edge.applicationName = app;
  return edge;
}

/**
 * The application_name a pool's sessions carry: a startup option written in code (literal or
 * constant; node-postgres sends `application_name`, else `fallback_application_name`, pg/lib/client.js
 * getStartupConf), else the URL's (libpq: `application_name` beats `fallback_application_name`).
 * Library defaults are not used: several services would share them.
 */
function poolApplicationName(pool: PoolDefinition, parsed: ParsedConnection | undefined, urlRange: SourceRange | undefined): ClientEdge['applicationName'] {
  for (const name of ['application_name', 'fallback_application_name']) {
    const sp = pool.startupParameters.find((p) => p.name === name);
    const v = sp?.value;
    if (v && typeof v.value === 'string' && v.value !== '' && (v.provenance.kind === 'literal' || v.provenance.kind === 'constant')) {
      return { value: v.value, source: `${name} option of the pool`, range: sp!.range };
    }
  }
  return urlApplicationName(parsed, urlRange);
}

function urlApplicationName(parsed: ParsedConnection | undefined, range: SourceRange | undefined): ClientEdge['applicationName'] {
  if (!parsed) return undefined;
  const app = parsed.applicationName ?? parsed.params.get('fallback_application_name');
  if (app === undefined || app === '') return undefined;
  const name = parsed.applicationName !== undefined ? 'application_name' : 'fallback_application_name';
  return { value: app, source: `${name} of the connection URL`, ...(range ? { range } : {}) };
}

/** Connections one process opens through this pool: its max (library default when unset), resolved in the service's environment. */
function poolConnections(ctx: BuildContext, pool: PoolDefinition, env: ServiceEnv, parsed: ParsedConnection | undefined): Quantity {
  const lib = LIBRARY_NAME[pool.library];
  let q: Quantity;
  const m = pool.max;
  if (m.provenance.kind === 'env' && m.provenance.urlParam !== undefined) {
    // max = new URL(process.env.X).searchParams.get('p') ?? fallback: the query parameter of X's URL in this environment
    const { envVar, urlParam } = m.provenance;
    const v = environmentText(env, envVar);
    const u = v && v.value.trim() !== '' ? parseConnectionString(v.value, v.range) : undefined;
    const raw = u !== undefined && !isParseError(u) ? u.params.get(urlParam) : undefined;
    const n = raw !== undefined && raw.trim() !== '' ? Number(raw) : NaN;
    if (v && Number.isFinite(n)) q = literal(n, `max ${n} (${urlParam} of ${envVar} in ${v.source})`, v.range ?? m.range);
    else if (m.value !== undefined && (!v || (u !== undefined && !isParseError(u) && raw === undefined))) {
      const why = v ? `${envVar} in ${v.source} has no ${urlParam}` : `${envVar} unset`;
      q = { value: m.value, source: `max ${m.value} (${why}: fallback)`, provenance: m.provenance, ...(m.range ? { range: m.range } : {}) };
    } else q = unknownQ(`max from ${urlParam} of ${envVar}`, v ? `${urlParam} of ${envVar} in ${v.source} is not a number` : `${envVar} is not set in this service's environment`, m.range);
  } else if (m.provenance.kind === 'env') {
    // `env.A ?? env.B ?? 10`: the first of the variables the service sets.
    const names = [m.provenance.envVar, ...(m.provenance.orEnv ?? [])];
    const name = names.find((x) => env.has(x)) ?? m.provenance.envVar;
    const unset = names.join(' and ');
    const set = env.get(name);
    const v = environmentText(env, name);
    const n = v ? Number(v.value) : NaN;
    const file = !v && m.provenance.fileVar !== undefined ? environmentText(env, m.provenance.fileVar) : undefined;
    if (set && set.value === undefined) {
      // Set, but to a value the files do not give (a Secret, a host variable): unknown, not the fallback.
      q = unknownQ(`max from ${name} (set by ${set.source})`, `${name} is set by ${set.source}, to a value the repository does not give`, set.range ?? m.range);
    } else if (v && v.value.includes(UNRESOLVED)) {
      q = unknownQ(`max from ${name} (a variable no file sets)`, `${name} in ${v.source} is built from a variable that no file of the repository sets`, v.range ?? m.range);
    } else if (v && v.value.trim() === '') {
      // Number('') is 0, but `X ?? 5`, `X || 5` and `X ? parseInt(X) : undefined` read an empty value differently
      q = unknownQ(`max from ${name} (empty)`, `${name} is empty in ${v.source}; whether the code's fallback applies depends on how it reads an empty value`, m.range);
    } else if (v && Number.isFinite(n)) q = literal(n, `max ${n} (${name} in ${v.source})`, v.range ?? m.range);
    else if (file) {
      // X unset, X_FILE set: the code reads X from the file X_FILE names, which is not in the repository
      q = unknownQ(`max from the file ${m.provenance.fileVar} names`, `${m.provenance.envVar} is unset and ${m.provenance.fileVar} in ${file.source} names a file the value is read from`, m.range);
    } else if (m.value !== undefined) q = { value: m.value, source: `max ${m.value} (${unset} unset: fallback)`, provenance: m.provenance, ...(m.range ? { range: m.range } : {}) };
    else q = unknownQ(`max from ${unset} (not set)`, `${unset} ${names.length > 1 ? 'are' : 'is'} not set in this service's environment`, m.range);
  } else if (m.provenance.kind === 'default') {
    if (pool.library === 'prisma') {
      const limit = parsed?.prisma.connectionLimit;
      if (limit !== undefined) q = literal(limit, `connection_limit ${limit} (URL)`, parsed?.range);
      else if (ctx.cpus !== undefined) q = derived(ctx.cpus * 2 + 1, `Prisma default ${ctx.cpus * 2 + 1} (num_physical_cpus ${ctx.cpus} × 2 + 1)`, 'Prisma 6 docs: connection_limit defaults to num_physical_cpus × 2 + 1; deployment.cpus');
      else q = unknownQ('Prisma default (num_physical_cpus × 2 + 1; CPU count unknown: set deployment.cpus)', 'Prisma sizes its pool from the CPU count, which is not configured', undefined, 3);
    } else if (pool.library === 'postgres' && parsed?.params.get('max') !== undefined && Number.isFinite(Number(parsed.params.get('max')))) {
      const n = Number(parsed.params.get('max'));
      q = literal(n, `max ${n} (URL)`, parsed.range);
    } else if (m.value !== undefined) q = { value: m.value, source: `${lib} default ${m.value}`, provenance: m.provenance };
    else q = unknownQ(`${lib} default (not known)`, m.provenance.note);
  } else if (m.value !== undefined) q = { value: m.value, source: `max ${m.value}`, provenance: m.provenance, ...(m.range ? { range: m.range } : {}) };
  else q = unknownQ(`max unknown (${ctx.at(m.range ?? pool.range)})`, m.provenance.kind === 'unknown' ? m.provenance.reason : 'not known', m.range);

  const cpp = pool.connectionsPerProcess;
  if (cpp && cpp.value !== 0) {
    if (cpp.value === undefined) return unknownQ(`${q.source}; ${cpp.explanation}`, cpp.explanation, q.range, q.value);
    if (q.value !== undefined && cpp.value !== q.value) return derived(cpp.value, `${cpp.value} (${cpp.explanation})`, cpp.explanation, q.range);
  }
  if (pool.scope.kind === 'function' && !pool.scope.lazySingleton) q = { ...q, source: `${q.source}, created in ${pool.scope.name ?? 'a function'} (counted once)` };
  return q;
}

/* ---------------- services whose code is elsewhere ---------------- */

const URL_VAR_SKIP = /DIRECT|MIGRAT|SHADOW|REPLICA|READ_?ONLY|TEST/i;
const HOST_VAR = /^(?:(.*?)_)?(DB|DATABASE|POSTGRES|POSTGRESQL|PG)_?(HOST|HOSTNAME|SERVER)$/i;
/** A variable that sizes a pool: the name says POOL and SIZE/MAX/LIMIT (MAX_CONNECTION_POOL, DB_POOL_SIZE, POOL_MAX). */
const POOL_VAR = /POOL/i;
const POOL_SIZE_WORD = /SIZE|MAX|LIMIT|CONNECTIONS?/i;

/** A service whose code is not in the repository: its connections are read from its environment (URLs, DB_HOST, a pool-size variable). */
function envEdges(ctx: BuildContext, r: Resolver, s: ServiceBuild, servers: ServerNode[], poolers: PoolerNode[], codeUnlinked?: string): ClientEdge[] {
  const out: ClientEdge[] = [];
  const seen = new Set<string>();
  const poolVar = [...s.env.values()].find((v) => POOL_VAR.test(v.name) && POOL_SIZE_WORD.test(v.name) && v.value !== undefined && /^\d+$/.test(v.value.trim()));
  const add = (text: string, range: SourceRange | undefined, envVar: string, where: string) => {
    const p = parseConnectionString(text, range);
    if (isParseError(p)) return;
    const t = linkParsed(ctx, p, endpointOf(p, r.endpoints), s.scope, servers, poolers, range ?? s.node.range);
    if (!t.target) return; // an unrelated host (a cache, an API) is not a database client
    const key = `${t.target.kind}:${t.target.id}`;
    if (seen.has(key)) return;
    seen.add(key);
    let per: Quantity;
    if (p.npgsql && p.npgsql.pooling !== false) {
      // Npgsql: Maximum Pool Size defaults to 100 (npgsql docs, connection string parameters).
      per = p.npgsql.poolMax !== undefined ? literal(p.npgsql.poolMax, `Maximum Pool Size ${p.npgsql.poolMax} (${envVar})`, range) : derived(100, 'Npgsql default Maximum Pool Size 100', 'Npgsql connection string default');
    } else if (p.prisma.connectionLimit !== undefined) per = literal(p.prisma.connectionLimit, `connection_limit ${p.prisma.connectionLimit} (${envVar})`, range);
    else if (codeUnlinked !== undefined) per = unknownQ(`pool size unknown (${s.node.name}: ${codeUnlinked})`, `${s.node.name} names this ${t.target.kind} in its environment (${where}), but ${codeUnlinked}`, range, 1);
    else if (poolVar) per = { value: Number(poolVar.value), source: `${poolVar.name}=${poolVar.value}`, provenance: { kind: 'derived', note: `${poolVar.name} in ${poolVar.source}: the application's code is not in the repository, and the variable's name says it sizes its pool` }, ...(poolVar.range ? { range: poolVar.range } : {}) };
    else per = unknownQ('pool size unknown (the code is not in the repository)', `no pool-size variable in the environment of ${s.node.name}`, undefined, 1);
    const edge: ClientEdge = {
      poolId: `${s.node.id}:${envVar}`,
      serviceId: s.node.id,
      perInstance: per,
      total: times(s.node.peakInstances, per, `${s.node.peakInstances.source} × ${per.source}`),
      target: t.target,
      link: `${where} → ${t.link}`,
      range: (codeUnlinked === undefined ? poolVar?.range : undefined) ?? range ?? s.node.range,
      origin: 'environment',
      parsed: p,
      envVar,
      url: { redacted: redactSecrets(text), ...(range ? { range } : {}) },
    };
    if (p.user) edge.user = p.user;
    if (p.database) edge.database = p.database;
    const app = urlApplicationName(p, range);
    if (app) edge.applicationName = app;
    out.push(edge);
  };
  for (const v of s.env.values()) {
    if (v.value === undefined || URL_VAR_SKIP.test(v.name)) continue;
    const t = environmentText(s.env, v.name)!.value.trim();
    if (looksLikeConnectionString(t, v.name)) add(t, v.range, v.name, `${v.name} (${v.source})`);
  }
  for (const v of s.env.values()) {
    const m = HOST_VAR.exec(v.name);
    if (!m || v.value === undefined || /[/:@]/.test(v.value)) continue;
    const prefix = `${m[1] ? `${m[1]}_` : ''}${m[2]}_`;
    const port = s.env.get(`${prefix}PORT`)?.value;
    const user = s.env.get(`${prefix}USER`)?.value ?? s.env.get(`${prefix}USERNAME`)?.value;
    const db = s.env.get(`${prefix}NAME`)?.value ?? s.env.get(`${prefix}DATABASE`)?.value;
    const text = `postgresql://${user ? `${encodeURIComponent(user)}@` : ''}${v.value}${port && /^\d+$/.test(port) ? `:${port}` : ''}/${db ? encodeURIComponent(db) : ''}`;
    add(text, v.range, v.name, `${v.name}=${v.value} (${v.source})`);
  }
  return out;
}

function declaredEdge(ctx: BuildContext, s: ServiceBuild, per: number, range: SourceRange, target: string | undefined, servers: ServerNode[], poolers: PoolerNode[]): ClientEdge {
  const server = target !== undefined ? servers.find((x) => x.name === target) : undefined;
  const pooler = target !== undefined && !server ? poolers.find((x) => x.name === target) : undefined;
  const only = servers.length === 1 && poolers.length === 0 ? servers[0] : undefined;
  const t = server ? { kind: 'server' as const, id: server.id } : pooler ? { kind: 'pooler' as const, id: pooler.id } : only ? { kind: 'server' as const, id: only.id } : undefined;
  const perQ = declaredQ({ value: per, range }, `${per} connection${per === 1 ? '' : 's'} (deployment.services ${s.node.name})`);
  return {
    poolId: `${s.node.id}:declared`,
    serviceId: s.node.id,
    perInstance: perQ,
    total: times(s.node.peakInstances, perQ, `${s.node.peakInstances.source} × ${perQ.source}`),
    target: t,
    link: t ? (target !== undefined ? `deployment.services ${s.node.name}.target = ${target}` : 'the only server of the repository') : `deployment.services ${s.node.name}: no server or pooler named ${target ?? '(no target)'}`,
    range,
    origin: 'declared',
  };
}

/* ---------------- host:port → node ---------------- */

interface LinkResult {
  target: ClientEdge['target'];
  link: string;
  /** The target is unknown (a host no file sets), not merely outside the repository. */
  unknown?: true;
}

/** The server or pooler a parsed connection string reaches, and why (or why not). */
function linkParsed(ctx: BuildContext, p: ParsedConnection, cls: Endpoint, scope: EndpointScope, servers: ServerNode[], poolers: PoolerNode[], range: SourceRange): LinkResult {
  const h = p.hosts[0];
  if (!h) return { target: undefined, link: 'the connection string names no host', unknown: true };
  const host = h.kind === 'unix' ? 'localhost' : h.host || 'localhost';
  const port = h.port;
  if (/[${}]/.test(host) || host.toUpperCase().includes(UNRESOLVED)) return { target: undefined, link: `the host ${host} is a variable that no file of the repository sets`, unknown: true };
  const hit = ctx.index.find(host, port, scope);
  if (hit) {
    const mism = hit.portMismatch ? ` (port ${hit.portMismatch.wanted}, but it listens on ${hit.portMismatch.listens})` : '';
    return { target: hit.entry.target, link: `${host}:${port} is ${hit.entry.how}${mism}` };
  }
  if (cls.role === 'pooler' && cls.pooler?.confidence === 'repository') {
    const same = poolers.filter((x) => x.listenPort === port);
    if (same.length === 1 && (isLocalHost(host) || same[0]!.endpoints.length === 0)) {
      return { target: { kind: 'pooler', id: same[0]!.id }, link: `${host}:${port}: port ${port} is the listen_port of ${same[0]!.name}, the only PgBouncer of the repository listening there` };
    }
  }
  if (cls.role === 'pooler' && cls.pooler && cls.pooler.confidence === 'documented') {
    const node = managedPooler(ctx, poolers, host, port, cls.pooler.product, cls.pooler.mode, cls.pooler.evidence, range);
    return { target: { kind: 'pooler', id: node.id }, link: `${host}:${port} is a managed pooler (${cls.pooler.product})` };
  }
  if (cls.provider) return { target: undefined, link: `${host}:${port} is a ${cls.provider.name} server that is not declared (add it to deployment.servers with its max_connections)` };
  const real = servers.filter((s) => s.kind !== 'declared');
  if (servers.length === 1 && (isLocalHost(host) || real.length === 1)) {
    return { target: { kind: 'server', id: servers[0]!.id }, link: `${host}:${port} is not a name the repository defines; ${servers[0]!.name} is the only server in the repository, so it is assumed` };
  }
  return { target: undefined, link: servers.length === 0 ? `${host}:${port}: the repository defines no server (declare it in deployment.servers)` : `${host}:${port} matches no server or pooler of the repository (declare it in deployment.servers or deployment.poolers)` };
}

/** Poolers → servers: [databases] hosts, CloudNativePG clusters, declared `server`. */
function linkPoolers(ctx: BuildContext, poolers: PoolerNode[], servers: ServerNode[]): void {
  for (const pl of poolers) {
    const declared = ctx.declared?.poolers.find((d) => d.name === pl.name)?.server?.value;
    if (declared !== undefined) {
      const s = servers.find((x) => x.name === declared);
      if (s) {
        pl.serverId = s.id;
        pl.serverLink = `deployment.poolers ${pl.name}.server = ${declared}`;
        for (const db of pl.databases) Object.assign(db, { serverId: s.id, serverLink: pl.serverLink });
        continue;
      }
    }
    const scope = pl.id.startsWith('pooler:compose:') ? { composeFile: composeFileOf(ctx, pl) } : pl.id.startsWith('pooler:k8s:') || pl.id.startsWith('pooler:cnpg:') || pl.id.startsWith('pooler:zalando:') || pl.id.startsWith('pooler:configmap:') ? { namespace: pl.id.split(':')[2]!.split('/')[0]! } : {};
    for (const db of pl.databases) {
      const host = db.host ?? 'localhost';
      const port = db.port ?? 5432;
      const hit = ctx.index.find(host, port, scope);
      if (hit && hit.entry.target.kind === 'server') {
        db.serverId = hit.entry.target.id;
        db.serverLink = `[databases] ${db.database} = host=${host} → ${hit.entry.how}`;
      } else if (pl.kind === 'managed') {
        const declaredServers = servers.filter((s) => s.kind === 'declared');
        if (declaredServers.length === 1) {
          db.serverId = declaredServers[0]!.id;
          db.serverLink = `${declaredServers[0]!.name} is the only server declared in the config file`;
        }
      } else if (servers.length === 1) {
        db.serverId = servers[0]!.id;
        db.serverLink = `host ${host} is not a name the repository defines; ${servers[0]!.name} is the only server in the repository, so it is assumed`;
      }
    }
    if (pl.kind === 'managed' && pl.databases.length === 0) {
      const declaredServers = servers.filter((s) => s.kind === 'declared');
      if (declaredServers.length === 1) {
        pl.serverId = declaredServers[0]!.id;
        pl.serverLink = `${declaredServers[0]!.name} is the only server declared in the config file`;
      }
    }
    const linked = pl.databases.find((d) => d.serverId);
    if (linked && !pl.serverId) {
      pl.serverId = linked.serverId!;
      pl.serverLink = linked.serverLink!;
    }
    if (!pl.serverId && pl.databases.length === 0 && servers.length === 1 && pl.kind !== 'managed') {
      pl.serverId = servers[0]!.id;
      pl.serverLink = `${servers[0]!.name} is the only server in the repository, so it is assumed`;
    }
    if (!pl.serverId) ctx.notes.push({ message: `pooler ${pl.name} is not linked to a server: ${pl.databases.length === 0 ? 'it lists no [databases]' : `no server answers to ${pl.databases.map((d) => `${d.host ?? 'localhost'}:${d.port ?? 5432}`).join(', ')}`}`, range: pl.range });
  }
}

function composeFileOf(ctx: BuildContext, pl: PoolerNode): string | undefined {
  return ctx.facts.compose.find((c) => pl.id === `pooler:compose:${ctx.rel(c.file)}#${pl.name}`)?.file;
}
