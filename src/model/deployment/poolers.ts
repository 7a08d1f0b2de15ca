import type { SourceRange } from '../../core/location.js';
import { getPgbouncerSetting, LATEST_PGBOUNCER, parsePgbouncerValue, parsePgbouncerVersion, pgbouncerConnstringParam, type PgbouncerSettingDef } from '../../catalog/pgbouncer/catalog.js';
import type { ConnstringItem, IniEntry, PgbouncerConfig } from '../../sources/pgbouncer-ini/types.js';
import { isPgbouncerImage } from '../../sources/yaml/images.js';
import type { BindMount, ComposeFacts, ComposeService, K8sContainer, K8sWorkload, KubernetesFacts, PgbouncerImageFacts } from '../../sources/yaml/types.js';
import { DEFAULT_NAMESPACE, type BuildContext } from './context.js';
import { embeddedPgbouncerInis, type EmbeddedIni } from '../k8s-pgbouncer-ini.js';
import { addK8sServices } from './servers.js';
import { asPoolMode, poolModeFor, type PoolModeSources } from '../pool-mode.js';
import { declared as declaredQ, defaulted, fromResolved, literal, unknownQ } from './quantity.js';
import type { PoolerDatabaseEntry, PoolerNode, Quantity } from './types.js';

type Mode = 'session' | 'transaction' | 'statement';

/** One PgBouncer setting as the running process sees it, whatever wrote it (ini line, env var, CRD parameter). */
interface BouncerValue {
  value: string;
  range?: SourceRange;
  source: string;
}

/** A PgBouncer's settings and [databases], independent of where they are written. */
interface BouncerSource {
  get(key: string): BouncerValue | undefined;
  databases: Array<{ name: string; host?: string; port?: number; dbname?: string; user?: string; params: Map<string, BouncerValue>; range?: SourceRange }>;
  config?: PgbouncerConfig;
}

/** Every PgBouncer the repository runs, plus CloudNativePG/Zalando poolers and the config file's. Managed poolers are added when a URL names one. */
export function collectPoolers(ctx: BuildContext): PoolerNode[] {
  const poolers: PoolerNode[] = [];
  const claimed = new Set<string>();
  const embedded = embeddedPgbouncerInis(ctx.facts);

  for (const compose of ctx.facts.compose) {
    for (const svc of compose.services) {
      const isBouncer = svc.pgbouncer !== undefined || (svc.image !== undefined && isPgbouncerImage(svc.image));
      if (!isBouncer || svc.postgres) continue;
      poolers.push(composePooler(ctx, compose, svc, claimed));
    }
  }
  for (const k8s of ctx.facts.kubernetes) {
    for (const w of k8s.workloads) {
      const c = w.containers.find((x) => x.pgbouncer !== undefined || (x.image !== undefined && isPgbouncerImage(x.image)));
      if (!c || w.containers.some((x) => x.postgres)) continue;
      poolers.push(k8sPooler(ctx, w, c, embedded, claimed));
    }
    for (const p of k8s.cnpgPoolers) poolers.push(cnpgPooler(ctx, p));
    for (const z of k8s.zalandoClusters) if (z.connectionPooler && z.connectionPooler.enabled.value !== false) poolers.push(zalandoPooler(ctx, z));
  }
  for (const cfg of ctx.facts.pgbouncer) {
    if (claimed.has(cfg.mainFile)) continue;
    const rel = ctx.rel(cfg.mainFile);
    poolers.push(
      bouncerNode(ctx, {
        id: `pooler:ini:${rel}`,
        name: rel,
        range: { file: cfg.mainFile, line: 1, column: 1, endLine: 1, endColumn: 1 },
        src: iniSource(ctx, cfg),
        version: configuredVersion(ctx),
        instances: defaulted(1, '1 PgBouncer process', 'one PgBouncer process reads this file (no deployment file runs it)'),
        scope: {},
        notes: ['no container runs this file in the repository: one process assumed, host names unknown'],
      }),
    );
  }
  for (const e of embedded) {
    if (claimed.has(e.id)) continue;
    poolers.push(
      bouncerNode(ctx, {
        id: `pooler:configmap:${e.ns}/${e.configMap}/${e.key}`,
        name: `${e.configMap}/${e.key}`,
        range: e.range,
        src: iniSource(ctx, e.config),
        version: configuredVersion(ctx),
        instances: defaulted(1, '1 PgBouncer process', 'no workload in the repository runs this ConfigMap: one process assumed'),
        scope: { namespace: e.ns },
        notes: [`ConfigMap ${e.configMap} holds ${e.key}, but no PgBouncer workload of namespace ${e.ns} was found`],
      }),
    );
  }
  applyDeclaredPoolers(ctx, poolers);
  return poolers;
}

/* ---------------- sources of settings ---------------- */

function iniSource(ctx: BuildContext, cfg: PgbouncerConfig): BouncerSource {
  const where = (e: IniEntry) => `${ctx.rel(e.file)}:${e.range.line}`;
  const item = (i: ConnstringItem, e: IniEntry): BouncerValue => ({ value: i.value, range: i.valueRange, source: where(e) });
  return {
    config: cfg,
    get(key) {
      const e = cfg.effective.get(key);
      return e ? { value: e.value, range: e.valueRange, source: where(e) } : undefined;
    },
    databases: cfg.databases.map((d) => {
      const params = new Map<string, BouncerValue>();
      for (const [k, i] of d.params) params.set(k, item(i, d.entry));
      const port = Number(d.params.get('port')?.value);
      const out: BouncerSource['databases'][number] = { name: d.name, params, range: d.entry.range };
      const host = d.params.get('host')?.value;
      if (host) out.host = host.split(',')[0]!.trim();
      if (Number.isInteger(port)) out.port = port;
      const dbname = d.params.get('dbname')?.value;
      if (dbname) out.dbname = dbname;
      const user = d.params.get('user')?.value;
      if (user) out.user = user;
      return out;
    }),
  };
}

function imageSource(img: PgbouncerImageFacts): BouncerSource {
  return {
    get(key) {
      const s = [...img.settings].reverse().find((x) => x.key === key);
      if (s) return { value: s.value, range: s.range, source: s.envVar };
      const d = img.defaults.find((x) => x.key === key);
      return d ? { value: d.value, source: d.note } : undefined;
    },
    databases: img.databases.map((d) => {
      const out: BouncerSource['databases'][number] = { name: d.name, params: new Map() };
      if (d.host) out.host = d.host;
      if (d.port !== undefined) out.port = d.port;
      if (d.dbname) out.dbname = d.dbname;
      if (d.range) out.range = d.range;
      return out;
    }),
  };
}

/* ---------------- where PgBouncers run ---------------- */

function composePooler(ctx: BuildContext, compose: ComposeFacts, svc: ComposeService, claimed: Set<string>): PoolerNode {
  const notes: string[] = [];
  const ini = mountedIni(ctx, svc.pgbouncer?.mountedConfig, svc.binds);
  let src: BouncerSource;
  if (ini) {
    claimed.add(ini.mainFile);
    src = iniSource(ctx, ini);
    notes.push(`reads ${ctx.rel(ini.mainFile)} (bind-mounted)`);
    if (svc.pgbouncer && svc.pgbouncer.settings.length > 0) notes.push(`the image's environment settings (${svc.pgbouncer.settings.map((s) => s.envVar).join(', ')}) are ignored: a pgbouncer.ini is mounted`);
  } else if (svc.pgbouncer) {
    src = imageSource(svc.pgbouncer);
  } else {
    src = { get: () => undefined, databases: [] };
    notes.push('PgBouncer image without a pgbouncer.ini of this repository: its settings are unknown (PgBouncer defaults shown)');
  }
  const tagVersion = svc.pgbouncer?.version?.value ?? (svc.image?.tag ? parsePgbouncerVersion(svc.image.tag) : undefined);
  const id = `pooler:compose:${ctx.rel(compose.file)}#${svc.name}`;
  const node = bouncerNode(ctx, {
    id,
    name: svc.name,
    range: svc.nameRange,
    src,
    version: tagVersion ? { value: tagVersion, source: `image tag ${svc.image?.tag ?? ''}`.trim() } : configuredVersion(ctx),
    instances: fromResolved(svc.replicas, (v) => `${v ?? '?'} container${v === 1 ? '' : 's'}`),
    scope: { composeFile: compose.file },
    notes,
  });
  const port = listenPort(src);
  const scope = { composeFile: compose.file };
  for (const host of new Set([svc.name, ...(svc.hostname ? [svc.hostname.value] : [])])) {
    ctx.index.add({ host, port, target: { kind: 'pooler', id }, how: `compose service ${svc.name}`, scope });
    node.endpoints.push({ host, port });
  }
  for (const p of svc.ports) {
    const published = Number(p.published);
    if (!Number.isInteger(published) || published <= 0) continue;
    for (const host of ['localhost', '127.0.0.1']) {
      ctx.index.add({ host, port: published, target: { kind: 'pooler', id }, how: `port ${published} published by compose service ${svc.name}`, published: true });
      node.endpoints.push({ host, port: published });
    }
  }
  if (svc.networkMode?.value === 'host') {
    for (const host of ['localhost', '127.0.0.1']) {
      ctx.index.add({ host, port, target: { kind: 'pooler', id }, how: `compose service ${svc.name} uses the host network` });
      node.endpoints.push({ host, port });
    }
  }
  return node;
}

function mountedIni(ctx: BuildContext, mount: BindMount | undefined, binds: BindMount[]): PgbouncerConfig | undefined {
  const candidates = [mount, ...binds.filter((b) => b.containerPath.endsWith('.ini'))].filter((b): b is BindMount => b !== undefined);
  for (const b of candidates) {
    const cfg = ctx.facts.pgbouncer.find((c) => c.mainFile === b.resolvedHostPath || c.mainFile.startsWith(`${b.resolvedHostPath}/`));
    if (cfg) return cfg;
  }
  return undefined;
}

function k8sPooler(ctx: BuildContext, w: K8sWorkload, c: K8sContainer, embedded: readonly EmbeddedIni[], claimed: Set<string>): PoolerNode {
  const ns = w.meta.namespace ?? DEFAULT_NAMESPACE;
  const name = w.meta.name ?? `${w.kind} ${w.meta.documentIndex}`;
  const notes: string[] = [];
  // Volume mounts are not modelled: a ConfigMap pgbouncer.ini of the same namespace is the one the pods mount
  // when there is exactly one (or one whose name starts with the workload's).
  const sameNs = embedded.filter((e) => e.ns === ns && !claimed.has(e.id));
  const pick = sameNs.length === 1 ? sameNs[0] : sameNs.find((e) => e.configMap.startsWith(name) || name.startsWith(e.configMap));
  let src: BouncerSource;
  if (pick && (!c.pgbouncer || c.pgbouncer.envSettingsIgnored || c.pgbouncer.settings.length === 0)) {
    claimed.add(pick.id);
    src = iniSource(ctx, pick.config);
    notes.push(`reads ${pick.key} of ConfigMap ${pick.configMap} (the only PgBouncer ini of namespace ${ns})`);
  } else if (c.pgbouncer) {
    src = imageSource(c.pgbouncer);
  } else {
    src = { get: () => undefined, databases: [] };
    notes.push('no pgbouncer.ini found for this workload: PgBouncer defaults shown');
  }
  const tagVersion = c.pgbouncer?.version?.value ?? (c.image?.tag ? parsePgbouncerVersion(c.image.tag) : undefined);
  const id = `pooler:k8s:${ns}/${w.kind}/${name}`;
  const node = bouncerNode(ctx, {
    id,
    name,
    range: w.meta.range,
    src,
    version: tagVersion ? { value: tagVersion, source: `image tag ${c.image?.tag ?? ''}`.trim() } : configuredVersion(ctx),
    instances: fromResolved(w.replicas, (v) => `${v ?? '?'} replica${v === 1 ? '' : 's'}`),
    scope: { namespace: ns },
    notes,
  });
  const port = listenPort(src);
  addK8sServices(ctx, w.podLabels, ns, { kind: 'pooler', id }, port, node.endpoints);
  return node;
}

/** CloudNativePG's PgBouncer: `* = host=<cluster>-<type>`, listen_port 5432 (pkg/management/pgbouncer/config/config.go). */
function cnpgPooler(ctx: BuildContext, p: KubernetesFacts['cnpgPoolers'][number]): PoolerNode {
  const ns = p.meta.namespace ?? DEFAULT_NAMESPACE;
  const name = p.meta.name ?? 'pooler';
  const id = `pooler:cnpg:${ns}/${name}`;
  const params = new Map(p.parameters.map((x) => [x.key, { value: x.value, range: x.range, source: 'spec.pgbouncer.parameters' } as BouncerValue]));
  // config.go defaultPgBouncerParameters: ignore_startup_parameters "extra_float_digits,options" is always added to the user's.
  const ign = params.get('ignore_startup_parameters');
  params.set('ignore_startup_parameters', { value: ign ? `extra_float_digits,options,${ign.value}` : 'extra_float_digits,options', ...(ign?.range ? { range: ign.range } : {}), source: 'CloudNativePG default ignore_startup_parameters' });
  const mode: BouncerValue = { value: p.poolMode.value ?? 'session', source: p.poolMode.range ? 'spec.pgbouncer.poolMode' : 'CloudNativePG default poolMode session', ...(p.poolMode.range ? { range: p.poolMode.range } : {}) };
  const cluster = p.cluster?.value;
  const type = p.type.value ?? 'rw';
  const src: BouncerSource = {
    get: (key) => (key === 'pool_mode' ? mode : key === 'listen_port' ? { value: '5432', source: 'CloudNativePG forces listen_port 5432' } : params.get(key)),
    databases: cluster ? [{ name: '*', host: `${cluster}-${type}`, port: 5432, params: new Map() }] : [],
  };
  const node = bouncerNode(ctx, {
    id,
    name,
    range: p.meta.range,
    src,
    version: configuredVersion(ctx),
    instances: fromResolved(p.instances, (v) => `${v ?? '?'} instance${v === 1 ? '' : 's'}`),
    scope: { namespace: ns },
    notes: [],
    kind: 'cloudnative-pg-pooler',
  });
  // The operator creates a Service named after the Pooler.
  ctx.index.add({ host: name, port: 5432, target: { kind: 'pooler', id }, how: `CloudNativePG Pooler Service ${name}`, scope: { namespace: ns }, k8sService: true });
  node.endpoints.push({ host: name, port: 5432 });
  return node;
}

/** Zalando's connection pooler: maxDBConnections is the total for all pooler pods (postgres-operator docs/reference/cluster_manifest.md). */
function zalandoPooler(ctx: BuildContext, z: KubernetesFacts['zalandoClusters'][number]): PoolerNode {
  const cp = z.connectionPooler!;
  const ns = z.meta.namespace ?? DEFAULT_NAMESPACE;
  const name = `${z.meta.name ?? 'postgresql'}-pooler`;
  const id = `pooler:zalando:${ns}/${name}`;
  const instances = fromResolved(cp.numberOfInstances, (v) => `${v ?? '?'} instance${v === 1 ? '' : 's'}`);
  const total = cp.maxDBConnections.value;
  const perPod = total !== undefined && instances.value ? Math.ceil(total / instances.value) : undefined;
  const mode = (cp.mode.value as Mode | undefined) ?? 'transaction';
  const poolSize: Quantity = perPod !== undefined ? { value: perPod, source: `maxDBConnections ${total} ÷ ${instances.value} pods`, provenance: cp.maxDBConnections.provenance, ...(cp.maxDBConnections.range ? { range: cp.maxDBConnections.range } : {}) } : unknownQ('maxDBConnections', 'not known');
  const node: PoolerNode = {
    id,
    name,
    kind: 'pgbouncer',
    product: 'zalando-pgbouncer',
    range: z.meta.range,
    instances,
    poolMode: { value: mode, source: cp.mode.range ? 'connectionPooler.mode' : 'Zalando default mode transaction', ...(cp.mode.range ? { range: cp.mode.range } : {}) },
    maxClientConn: unknownQ('max_client_conn', 'the Zalando operator configures it (not in the manifest)'),
    databases: [{ database: '*', poolSize, reservePoolSize: defaulted(0, 'reserve 0', 'counted in maxDBConnections'), poolMode: mode, host: z.meta.name ?? 'postgresql', port: 5432 }],
    ignoreStartupParameters: [],
    trackExtraParameters: [],
    endpoints: [{ host: name, port: 5432 }],
    notes: ['maxDBConnections is the total of server connections for all pooler pods'],
  };
  ctx.index.add({ host: name, port: 5432, target: { kind: 'pooler', id }, how: `Zalando pooler Service ${name}`, scope: { namespace: ns }, k8sService: true });
  return node;
}

/* ---------------- the node ---------------- */

interface BouncerNodeInput {
  id: string;
  name: string;
  range: SourceRange;
  src: BouncerSource;
  version: { value: string; source: string; configured?: boolean };
  instances: Quantity;
  scope: { composeFile?: string; namespace?: string };
  notes: string[];
  kind?: PoolerNode['kind'];
}

function configuredVersion(ctx: BuildContext): { value: string; source: string; configured: boolean } {
  return ctx.settings.pgbouncer.versionFromConfig
    ? { value: ctx.settings.pgbouncer.version, source: 'pgbouncer.version (config file)', configured: true }
    : { value: ctx.settings.pgbouncer.version, source: `PgBouncer ${ctx.settings.pgbouncer.version} assumed (no image tag; set pgbouncer.version)`, configured: false };
}

/** A [pgbouncer] number: the value written, else PgBouncer's default for the version. */
function bouncerQ(src: BouncerSource, key: string, version: string, label = key): Quantity {
  const def = getPgbouncerSetting(key, version);
  const v = src.get(key);
  return numberQ(def, v, label, version);
}

function numberQ(def: PgbouncerSettingDef | undefined, v: BouncerValue | undefined, label: string, version: string): Quantity {
  if (v) {
    if (/\$\{|\$\(/.test(v.value)) return unknownQ(`${label} ${v.value} (${v.source})`, `${v.value} is not resolved`, v.range);
    const parsed = def ? parsePgbouncerValue(def, v.value) : { ok: false as const, message: '' };
    if (parsed.ok && typeof parsed.value === 'number') return literal(parsed.value, `${label} ${v.value} (${v.source})`, v.range);
    return unknownQ(`${label} ${v.value} (${v.source})`, `${v.value} is not a number PgBouncer accepts`, v.range);
  }
  if (!def) return unknownQ(label, `${label} does not exist in PgBouncer ${version}`);
  const n = Number(def.default);
  return defaulted(Number.isFinite(n) && def.default !== '' ? n : undefined, `${label} ${def.default} (PgBouncer default)`, `PgBouncer ${version} default (${def.source})`);
}

function listOf(v: BouncerValue | undefined, def: PgbouncerSettingDef | undefined): string[] {
  const text = v?.value ?? def?.default ?? '';
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

const modeOf = asPoolMode;

function bouncerNode(ctx: BuildContext, i: BouncerNodeInput): PoolerNode {
  const version = parsePgbouncerVersion(i.version.value) ?? LATEST_PGBOUNCER;
  const src = i.src;
  const modeV = src.get('pool_mode');
  const globalMode = modeOf(modeV?.value) ?? (modeV ? undefined : 'session');
  const defaultPoolSize = bouncerQ(src, 'default_pool_size', version);
  const reserve = bouncerQ(src, 'reserve_pool_size', version);
  const dbParam = (d: BouncerSource['databases'][number], names: string[], fallback: Quantity, label: string): Quantity => {
    for (const n of names) {
      const v = d.params.get(n);
      if (v) return numberQ(pgbouncerConnstringParam('database', n, version) ?? getPgbouncerSetting(n, version), v, label, version);
    }
    return fallback;
  };
  const maxDb = bouncerQ(src, 'max_db_connections', version);
  // Each entry's mode from the one pool-mode resolver (pool-mode.ts), for its database with no user known.
  const modes: PoolModeSources = {
    global: { value: globalMode, source: '' },
    databases: src.databases.map((d) => {
      const m = d.params.get('pool_mode');
      return m ? { name: d.name, mode: { value: asPoolMode(m.value), text: m.value, ...(m.range ? { range: m.range } : {}) } } : { name: d.name };
    }),
    users: [],
  };
  const databases: PoolerDatabaseEntry[] = src.databases.map((d) => {
    const e: PoolerDatabaseEntry = {
      database: d.name,
      poolSize: dbParam(d, ['pool_size'], defaultPoolSize, 'pool_size'),
      reservePoolSize: dbParam(d, ['reserve_pool_size', 'reserve_pool'], reserve, 'reserve_pool_size'),
      maxDbConnections: dbParam(d, ['max_db_connections'], maxDb, 'max_db_connections'),
      poolMode: d.params.has('pool_mode') ? (poolModeFor(modes, d.name, undefined).value ?? globalMode) : globalMode,
    };
    if (d.range) e.range = d.range;
    if (d.host) e.host = d.host;
    if (d.port !== undefined) e.port = d.port;
    if (d.dbname) e.dbname = d.dbname;
    if (d.user) e.user = d.user;
    return e;
  });
  const istQ = bouncerQ(src, 'idle_transaction_timeout', version);
  const node: PoolerNode = {
    id: i.id,
    name: i.name,
    kind: i.kind ?? 'pgbouncer',
    product: 'pgbouncer',
    range: i.range,
    version: i.version.value,
    instances: i.instances,
    poolMode: { value: globalMode, source: modeV ? `pool_mode ${modeV.value} (${modeV.source})` : 'pool_mode session (PgBouncer default)', ...(modeV?.range ? { range: modeV.range } : {}) },
    maxClientConn: bouncerQ(src, 'max_client_conn', version),
    databases,
    maxPreparedStatements: bouncerQ(src, 'max_prepared_statements', version),
    ignoreStartupParameters: listOf(src.get('ignore_startup_parameters'), getPgbouncerSetting('ignore_startup_parameters', version)),
    trackExtraParameters: listOf(src.get('track_extra_parameters'), getPgbouncerSetting('track_extra_parameters', version)),
    endpoints: [],
    defaultPoolSize,
    defaultReservePoolSize: reserve,
    maxDbConnections: maxDb,
    maxUserConnections: bouncerQ(src, 'max_user_connections', version),
    notes: [...i.notes, ...(i.version.configured === false ? [i.version.source] : [])],
  };
  if (i.version.configured === false) node.versionAssumed = true;
  // PgBouncer time settings are seconds (libusual cfparser.c parse_time).
  if (istQ.value !== undefined) node.idleTransactionTimeoutMs = { ...istQ, value: istQ.value * 1000 };
  else node.idleTransactionTimeoutMs = istQ;
  if (src.config) node.config = src.config;
  node.listenPort = listenPort(src);
  return node;
}

function listenPort(src: BouncerSource): number {
  const v = src.get('listen_port');
  const n = v ? Number.parseInt(v.value, 10) : 6432; // PgBouncer default listen_port 6432 (src/main.c)
  return Number.isInteger(n) && n > 0 ? n : 6432;
}

/** Config file poolers: override one the files define (same name), or add one (a managed pooler, a PgBouncer elsewhere). */
function applyDeclaredPoolers(ctx: BuildContext, poolers: PoolerNode[]): void {
  for (const d of ctx.declared?.poolers ?? []) {
    let node = poolers.find((p) => p.name === d.name);
    if (!node) {
      node = {
        id: `pooler:declared:${d.name}`,
        name: d.name,
        kind: 'managed',
        // A PgBouncer version (1.x) says what the pooler is; the version-dependent rules need it.
        product: d.version !== undefined ? 'pgbouncer' : 'declared',
        range: d.range,
        instances: defaulted(1, '1 instance', 'a declared pooler is one instance unless `instances` says otherwise'),
        poolMode: { value: undefined, source: 'pool mode not declared' },
        maxClientConn: unknownQ('max_client_conn', 'not declared (deployment.poolers[].maxClientConn)'),
        databases: [],
        ignoreStartupParameters: [],
        trackExtraParameters: [],
        endpoints: [],
        notes: [],
      };
      poolers.push(node);
    }
    if (d.instances) node.instances = declaredQ(d.instances, `${d.instances.value} instances`);
    if (d.mode) node.poolMode = { value: d.mode.value, source: `mode ${d.mode.value} (deployment.poolers ${d.name})`, range: d.mode.range };
    if (d.maxClientConn) node.maxClientConn = declaredQ(d.maxClientConn, `max_client_conn ${d.maxClientConn.value} (deployment.poolers ${d.name})`);
    if (d.version) node.version = d.version.value;
    if (d.maxPreparedStatements) node.maxPreparedStatements = declaredQ(d.maxPreparedStatements, `max_prepared_statements ${d.maxPreparedStatements.value} (deployment.poolers ${d.name})`);
    if (d.idleTransactionTimeoutMs) node.idleTransactionTimeoutMs = declaredQ(d.idleTransactionTimeoutMs, `idle_transaction_timeout (deployment.poolers ${d.name})`);
    if (d.poolSize || d.reservePoolSize || node.databases.length === 0) {
      const poolSize = d.poolSize ? declaredQ(d.poolSize, `pool size ${d.poolSize.value} (deployment.poolers ${d.name})`) : node.defaultPoolSize ?? unknownQ('pool size', 'not declared (deployment.poolers[].poolSize)');
      const reservePoolSize = d.reservePoolSize ? declaredQ(d.reservePoolSize, `reserve ${d.reservePoolSize.value} (deployment.poolers ${d.name})`) : node.defaultReservePoolSize ?? defaulted(0, 'reserve 0', 'no reserve declared');
      if (node.databases.length === 0) node.databases.push({ database: '*', poolSize, reservePoolSize, poolMode: node.poolMode.value });
      else for (const db of node.databases) Object.assign(db, { poolSize: d.poolSize ? poolSize : db.poolSize, reservePoolSize: d.reservePoolSize ? reservePoolSize : db.reservePoolSize });
      node.defaultPoolSize = poolSize;
      node.defaultReservePoolSize = reservePoolSize;
    }
    if (d.server) node.serverLink = `deployment.poolers ${d.name}.server = ${d.server.value}`;
    const port = d.port ?? 6432;
    for (const host of d.hosts) {
      ctx.index.add({ host, port, target: { kind: 'pooler', id: node.id }, how: `deployment.poolers ${d.name} (config file)` });
      node.endpoints.push({ host, port });
    }
  }
}

/** A pooler known only from a URL (Supabase Supavisor, Neon, RDS Proxy): one node per host:port. */
export function managedPooler(ctx: BuildContext, poolers: PoolerNode[], host: string, port: number, product: string, mode: Mode | undefined, evidence: string, range: SourceRange): PoolerNode {
  const id = `pooler:managed:${host}:${port}`;
  let node = poolers.find((p) => p.id === id);
  if (node) return node;
  node = {
    id,
    name: `${host}:${port}`,
    kind: 'managed',
    product,
    range,
    instances: defaulted(1, 'managed', 'a managed pooler is counted as one endpoint'),
    poolMode: { value: mode, source: mode ? `${mode} mode (${evidence})` : 'pool mode not fixed by the URL' },
    maxClientConn: unknownQ('max client connections', `set by the provider; declare it in deployment.poolers (host ${host})`),
    databases: [],
    ignoreStartupParameters: [],
    trackExtraParameters: [],
    endpoints: [{ host, port }],
    notes: [evidence],
  };
  poolers.push(node);
  ctx.index.add({ host, port, target: { kind: 'pooler', id }, how: `managed pooler (${product})` });
  return node;
}
