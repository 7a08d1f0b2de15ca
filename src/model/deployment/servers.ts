import type { SourceRange } from '../../core/location.js';
import { parsePgMajor } from '../../catalog/postgresql/catalog.js';
import type { PgConfig } from '../../sources/postgresql-conf/types.js';
import type { ComposeFacts, ComposeService, ImageRef, K8sWorkload, KubernetesFacts, PostgresServerFacts, Resolved } from '../../sources/yaml/types.js';
import { postgresMinorFromImage } from '../../sources/yaml/images.js';
import { factSetting, isServerConfig, pgVersionUsed, serverParameters, type ParameterSetting, type ServerParameters } from '../parameters.js';
import { DEFAULT_NAMESPACE, type BuildContext } from './context.js';
import { declared as declaredQ, defaulted, fromResolved, literal, unknownQ } from './quantity.js';
import type { DeclaredServer, Quantity, ServerNode } from './types.js';

/** PostgreSQL's port (pg_config_manual.h DEF_PGPORT). */
const PG_PORT = 5432;

/** Every server the repository (or the config file) defines. The conf files a container loads belong to that container. */
export function collectServers(ctx: BuildContext): ServerNode[] {
  const servers: ServerNode[] = [];
  const claimedConfs = new Set<string>();

  for (const compose of ctx.facts.compose) {
    for (const svc of compose.services) {
      if (!svc.postgres) continue;
      servers.push(composeServer(ctx, compose, svc, claimedConfs));
    }
  }
  for (const k8s of ctx.facts.kubernetes) {
    for (const w of k8s.workloads) {
      const c = w.containers.find((x) => x.postgres);
      if (!c?.postgres) continue;
      servers.push(k8sServer(ctx, w, c.postgres, c.memoryLimitBytes ? [c.memoryLimitBytes, 'limits'] : c.memoryRequestBytes ? [c.memoryRequestBytes, 'requests'] : undefined));
    }
    for (const cl of k8s.cnpgClusters) servers.push(cnpgServer(ctx, cl));
    for (const z of k8s.zalandoClusters) servers.push(zalandoServer(ctx, z));
  }
  for (const cfg of ctx.facts.postgresql) {
    if (claimedConfs.has(cfg.mainFile) || !isServerConfig(cfg)) continue;
    servers.push(confServer(ctx, cfg));
  }
  applyDeclaredServers(ctx, servers);
  return servers;
}

function composeServer(ctx: BuildContext, compose: ComposeFacts, svc: ComposeService, claimed: Set<string>): ServerNode {
  const pg = svc.postgres!;
  const notes: string[] = [];
  let conf: PgConfig | undefined;
  if (pg.configFile) {
    const host = pg.configFile.mount?.resolvedHostPath ?? pg.configFile.hostPath;
    conf = host ? ctx.facts.postgresql.find((c) => c.mainFile === host || c.files.includes(host)) : undefined;
    if (conf) notes.push(`reads ${ctx.rel(conf.mainFile)} (-c config_file=${pg.configFile.containerPath}, bind-mounted)`);
    else notes.push(`-c config_file=${pg.configFile.containerPath} is not a file of this repository: its settings are unknown`);
  }
  for (const m of pg.mountedConfFiles) {
    const c = ctx.facts.postgresql.find((x) => x.mainFile === m.resolvedHostPath);
    if (c) claimed.add(c.mainFile);
    if (!m.loaded) notes.push(`${m.hostPath} is mounted at ${m.containerPath} but never loaded (no -c config_file=${m.containerPath}): the server runs without it`);
  }
  if (conf) claimed.add(conf.mainFile);
  const settingsInputs = pgArgInputs(pg);
  const mounted = pg.mountedConfFiles.map((m) => m.resolvedHostPath);
  const id = `server:compose:${ctx.rel(compose.file)}#${svc.name}`;
  const major = pgMajor(ctx, pg.majorVersion);
  const node = baseServer(ctx, {
    versionSource: imageText(svc.image),
    image: svc.image,
    id,
    name: svc.name,
    kind: 'compose',
    range: svc.nameRange,
    conf,
    inputs: settingsInputs,
    major,
    instances: fromResolved(svc.replicas, (v) => `${v ?? '?'} container${v === 1 ? '' : 's'}`),
    notes,
  });
  if (mounted.length > 0) node.mountedConfs = mounted;
  if (svc.memoryLimitBytes) node.memoryBytes = fromResolved(svc.memoryLimitBytes, () => `the memory limit of compose service ${svc.name}`);
  const su = imageSuperuser(pg, svc.image?.repository);
  if (su) node.superuser = su;
  const port = portOf(node, PG_PORT);
  const scope = { composeFile: compose.file };
  const names = new Set([svc.name, ...(svc.hostname ? [svc.hostname.value] : [])]);
  for (const n of names) ctx.index.add({ host: n, port, target: { kind: 'server', id }, how: `compose service ${svc.name}`, scope });
  node.endpoints.push(...[...names].map((host) => ({ host, port })));
  for (const p of svc.ports) {
    const published = Number(p.published);
    if (Number.isInteger(published) && published > 0) addLocal(ctx, node, published, `port ${published} published by compose service ${svc.name}`, true);
  }
  if (svc.networkMode?.value === 'host') addLocal(ctx, node, port, `compose service ${svc.name} uses the host network`);
  return node;
}

/** The official image creates POSTGRES_USER (default postgres) as superuser (docker-library/postgres docker-entrypoint.sh). */
function imageSuperuser(pg: PostgresServerFacts, repository: string | undefined): string | undefined {
  if (pg.superuser && !pg.superuser.unresolved?.length) return pg.superuser.value;
  if (repository !== undefined && /(^|\/)postgres$/.test(repository)) return 'postgres';
  return undefined;
}

function addLocal(ctx: BuildContext, node: ServerNode, port: number, how: string, published = false): void {
  for (const host of ['localhost', '127.0.0.1']) {
    ctx.index.add({ host, port, target: { kind: 'server', id: node.id }, how, ...(published ? { published: true } : {}) });
    node.endpoints.push({ host, port });
  }
}

function k8sServer(ctx: BuildContext, w: K8sWorkload, pg: PostgresServerFacts, memory: [Resolved<number>, 'limits' | 'requests'] | undefined): ServerNode {
  const ns = w.meta.namespace ?? DEFAULT_NAMESPACE;
  const name = w.meta.name ?? `${w.kind} ${w.meta.documentIndex}`;
  const id = `server:k8s:${ns}/${w.kind}/${name}`;
  const image = w.containers.find((c) => c.postgres)?.image;
  const node = baseServer(ctx, {
    id,
    name,
    kind: 'kubernetes',
    range: w.meta.range,
    inputs: pgArgInputs(pg),
    major: pgMajor(ctx, pg.majorVersion),
    versionSource: imageText(image),
    image,
    instances: fromResolved(w.replicas, (v) => `${v ?? '?'} replica${v === 1 ? '' : 's'}`),
    notes: [],
  });
  if (memory) node.memoryBytes = fromResolved(memory[0], () => `resources.${memory[1]}.memory of ${w.kind} ${name}`);
  const su = imageSuperuser(pg, image?.repository);
  if (su) node.superuser = su;
  const port = portOf(node, PG_PORT);
  addK8sServices(ctx, w.podLabels, ns, { kind: 'server', id }, port, node.endpoints);
  return node;
}

/** Services whose selector matches the pod labels: their names (and ports) reach the workload. */
export function addK8sServices(
  ctx: BuildContext,
  podLabels: Record<string, string>,
  ns: string,
  target: { kind: 'server' | 'pooler'; id: string },
  containerPort: number,
  endpoints: Array<{ host: string; port: number }>,
): void {
  for (const f of ctx.facts.kubernetes) {
    for (const s of f.services) {
      if ((s.meta.namespace ?? DEFAULT_NAMESPACE) !== ns || !s.meta.name) continue;
      const sel = Object.entries(s.selector);
      if (sel.length === 0 || !sel.every(([k, v]) => podLabels[k] === v)) continue;
      const ports = s.ports.length > 0 ? s.ports.map((p) => p.port) : [containerPort];
      for (const port of ports) {
        ctx.index.add({ host: s.meta.name, port, target, how: `Kubernetes Service ${s.meta.name} (selector ${sel.map(([k, v]) => `${k}=${v}`).join(',')})`, scope: { namespace: ns }, k8sService: true });
        endpoints.push({ host: s.meta.name, port });
      }
    }
  }
}

function cnpgServer(ctx: BuildContext, cl: KubernetesFacts['cnpgClusters'][number]): ServerNode {
  const ns = cl.meta.namespace ?? DEFAULT_NAMESPACE;
  const name = cl.meta.name ?? 'cluster';
  const id = `server:cnpg:${ns}/${name}`;
  const node = baseServer(ctx, {
    id,
    name,
    kind: 'cloudnative-pg',
    range: cl.meta.range,
    inputs: cl.parameters.map(factSetting),
    major: pgMajor(ctx, cl.majorVersion),
    versionSource: `Cluster ${name}`,
    image: cl.image,
    instances: fromResolved(cl.instances, (v) => `${v ?? '?'} instance${v === 1 ? '' : 's'}`),
    notes: ['the -rw Service reaches the primary only: each instance has its own max_connections'],
  });
  const mem = cl.memoryLimitBytes ?? cl.memoryRequestBytes;
  if (mem) node.memoryBytes = fromResolved(mem, () => `resources.${cl.memoryLimitBytes ? 'limits' : 'requests'}.memory of Cluster ${name}`);
  // CloudNativePG creates the Services <cluster>-rw, -ro and -r on port 5432 (docs/src/service_management.md);
  // `port` is a fixed parameter (docs/src/postgresql_conf.md).
  for (const suffix of ['rw', 'ro', 'r']) {
    ctx.index.add({ host: `${name}-${suffix}`, port: PG_PORT, target: { kind: 'server', id }, how: `CloudNativePG Service ${name}-${suffix}`, scope: { namespace: ns }, k8sService: true });
    node.endpoints.push({ host: `${name}-${suffix}`, port: PG_PORT });
  }
  // The operator's superuser is `postgres`; applications use the bootstrap owner (`app`), an ordinary role.
  return node;
}

function zalandoServer(ctx: BuildContext, z: KubernetesFacts['zalandoClusters'][number]): ServerNode {
  const ns = z.meta.namespace ?? DEFAULT_NAMESPACE;
  const name = z.meta.name ?? 'postgresql';
  const id = `server:zalando:${ns}/${name}`;
  const node = baseServer(ctx, {
    id,
    name,
    kind: 'zalando',
    range: z.meta.range,
    inputs: z.parameters.map(factSetting),
    major: pgMajor(ctx, z.majorVersion),
    versionSource: `postgresql ${name} spec.postgresql.version`,
    instances: fromResolved(z.numberOfInstances, (v) => `${v ?? '?'} instance${v === 1 ? '' : 's'}`),
    notes: [],
  });
  const mem = z.memoryLimitBytes ?? z.memoryRequestBytes;
  if (mem) node.memoryBytes = fromResolved(mem, () => `resources.${z.memoryLimitBytes ? 'limits' : 'requests'}.memory of postgresql ${name}`);
  // postgres-operator docs/user.md: the master Service is named after the cluster, replicas <name>-repl.
  for (const host of [name, `${name}-repl`]) {
    ctx.index.add({ host, port: PG_PORT, target: { kind: 'server', id }, how: `Zalando Service ${host}`, scope: { namespace: ns }, k8sService: true });
    node.endpoints.push({ host, port: PG_PORT });
  }
  return node;
}

function confServer(ctx: BuildContext, cfg: PgConfig): ServerNode {
  const rel = ctx.rel(cfg.mainFile);
  const node = baseServer(ctx, {
    id: `server:conf:${rel}`,
    name: rel,
    kind: 'postgresql-conf',
    range: { file: cfg.mainFile, line: 1, column: 1, endLine: 1, endColumn: 1 },
    conf: cfg,
    inputs: [],
    major: { value: ctx.settings.database.version, source: `PostgreSQL ${ctx.settings.database.version}`, provenance: ctx.settings.database.versionFromConfig ? { kind: 'config', note: 'database.version (config file)' } : { kind: 'default', note: 'the newest supported PostgreSQL (set database.version)' } },
    instances: defaulted(1, '1 server', 'one server reads this file'),
    notes: ['host names are not in the file: clients reach it only through the config file (deployment.servers) or as the only server of the repository'],
  });
  return node;
}

interface BaseServerInput {
  id: string;
  name: string;
  kind: ServerNode['kind'];
  range: SourceRange;
  conf?: PgConfig | undefined;
  inputs: ParameterSetting[];
  major: Quantity;
  /** Where the version comes from, for messages ("image postgres:16"). */
  versionSource?: string | undefined;
  /** The image whose tag may pin a minor release (`postgres:15.18`). */
  image?: ImageRef | undefined;
  /** A fragment of a configuration (not a whole server): only for the config file's servers. */
  wholeServer?: boolean;
  instances: Quantity;
  notes: string[];
}

function baseServer(ctx: BuildContext, i: BaseServerInput): ServerNode {
  const params = serverParameters({
    serverId: i.id,
    name: i.name,
    conf: i.conf,
    overrides: i.inputs,
    // A version the builder filled in from the config file or as the newest is not the server's own.
    version: pgVersionUsed(i.major.provenance.kind === 'default' || i.major.provenance.kind === 'config' ? undefined : i.major.value, i.versionSource ?? i.major.source, ctx.settings, i.image ? postgresMinorFromImage(i.image) : undefined),
    wholeServer: i.wholeServer ?? true,
    range: i.range,
    rel: ctx.rel,
  });
  const major = params.version.major;
  const node: ServerNode = {
    id: i.id,
    name: i.name,
    kind: i.kind,
    range: i.range,
    majorVersion: i.major,
    instances: i.instances,
    maxConnections: settingQ(params, 'max_connections'),
    superuserReserved: settingQ(params, 'superuser_reserved_connections'),
    // reserved_connections exists from PostgreSQL 16 (pg_use_reserved_connections).
    reserved: major >= 16 ? settingQ(params, 'reserved_connections') : defaulted(0, 'no reserved_connections before PostgreSQL 16', 'reserved_connections was added in PostgreSQL 16'),
    idleInTransactionTimeoutMs: settingQ(params, 'idle_in_transaction_session_timeout'),
    endpoints: [],
    params,
    notes: i.notes,
  };
  if (i.conf) node.config = i.conf;
  if (ctx.settings.database.memoryBytes !== undefined) {
    node.memoryBytes = { value: ctx.settings.database.memoryBytes, source: 'database.memory', provenance: { kind: 'config', note: 'database.memory (config file)' } };
  }
  return node;
}

/** A parameter as the server uses it (the one resolver), as a Quantity: the last setting, else PostgreSQL's built-in default. */
function settingQ(params: ServerParameters, name: string): Quantity {
  const major = params.version.major;
  const r = params.get(name);
  const s = r.entry;
  if (s) {
    if (s.unresolved || /\$\{/.test(s.value)) return unknownQ(`${name} ${s.value} (${s.source})`, `${s.value} is not resolved`, s.valueRange);
    if (typeof r.value === 'number') return literal(r.value, `${name} ${s.value} (${s.source})`, s.valueRange);
    return unknownQ(`${name} = ${s.value} (${s.source})`, `${s.value} is not a valid ${name}`, s.valueRange);
  }
  if (!r.def) return unknownQ(name, `${name} is unknown to PostgreSQL ${major}`);
  const v = typeof r.value === 'number' ? r.value : undefined;
  return defaulted(v, `${name} ${r.def.bootValue} (PostgreSQL default)`, `PostgreSQL ${major} default (pg_settings.boot_val)`);
}

function pgArgInputs(pg: PostgresServerFacts): ParameterSetting[] {
  return pg.settings.filter((s) => s.name !== 'config_file').map(factSetting);
}

function imageText(image: { raw: string } | undefined): string | undefined {
  return image ? `image ${image.raw}` : undefined;
}

function pgMajor(ctx: BuildContext, r: Resolved<number>): Quantity {
  if (r.value !== undefined && parsePgMajor(r.value) !== undefined) return fromResolved(r, (v) => `PostgreSQL ${v}`);
  const q: Quantity = {
    value: undefined,
    source: `PostgreSQL ${ctx.settings.database.version} assumed`,
    provenance: r.provenance,
  };
  if (r.range) q.range = r.range;
  return q;
}

function portOf(node: ServerNode, fallback: number): number {
  const p = node.params?.get('port');
  const n = typeof p?.value === 'number' ? p.value : NaN;
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Config file servers: override one the files define (same name), or add a managed server. */
function applyDeclaredServers(ctx: BuildContext, servers: ServerNode[]): void {
  for (const d of ctx.declared?.servers ?? []) {
    let node = servers.find((s) => s.name === d.name);
    if (!node) {
      const major = d.version?.value ?? ctx.settings.database.version;
      node = baseServer(ctx, {
        id: `server:declared:${d.name}`,
        name: d.name,
        kind: 'declared',
        range: d.range,
        inputs: [],
        major: d.version ? declaredQ(d.version, `PostgreSQL ${d.version.value}`) : { value: major, source: `PostgreSQL ${major}`, provenance: { kind: 'default', note: 'database.version or the newest supported PostgreSQL' } },
        instances: d.instances ? declaredQ(d.instances, `${d.instances.value} instances`) : defaulted(1, '1 server', 'a declared server is one instance unless `instances` says otherwise'),
        notes: [],
      });
      servers.push(node);
    }
    overrideServer(node, d);
    if (d.version && node.params) {
      const p = node.params;
      node.params = serverParameters({
        serverId: node.id,
        name: node.name,
        conf: p.conf,
        overrides: [...p.overrides],
        version: { major: parsePgMajor(d.version.value) ?? p.version.major, known: true, by: 'server', source: `deployment.servers ${d.name} version (config file)` },
        wholeServer: p.wholeServer,
        range: p.range,
        rel: ctx.rel,
      });
    }
    const port = d.port ?? portOf(node, PG_PORT);
    for (const host of d.hosts) {
      ctx.index.add({ host, port, target: { kind: 'server', id: node.id }, how: `deployment.servers ${d.name} (config file)` });
      node.endpoints.push({ host, port });
    }
  }
}

function overrideServer(node: ServerNode, d: DeclaredServer): void {
  if (d.maxConnections) node.maxConnections = declaredQ(d.maxConnections, `max_connections ${d.maxConnections.value} (deployment.servers ${d.name})`);
  if (d.superuserReservedConnections) node.superuserReserved = declaredQ(d.superuserReservedConnections, `superuser_reserved_connections ${d.superuserReservedConnections.value} (deployment.servers ${d.name})`);
  if (d.reservedConnections) node.reserved = declaredQ(d.reservedConnections, `reserved_connections ${d.reservedConnections.value} (deployment.servers ${d.name})`);
  if (d.memoryBytes) node.memoryBytes = declaredQ(d.memoryBytes, `deployment.servers ${d.name} memory`);
  if (d.version) node.majorVersion = declaredQ(d.version, `PostgreSQL ${d.version.value}`);
  if (d.instances) node.instances = declaredQ(d.instances, `${d.instances.value} instances`);
  if (d.idleInTransactionSessionTimeoutMs) node.idleInTransactionTimeoutMs = declaredQ(d.idleInTransactionSessionTimeoutMs, `idle_in_transaction_session_timeout ${d.idleInTransactionSessionTimeoutMs.value} ms (deployment.servers ${d.name})`);
}
