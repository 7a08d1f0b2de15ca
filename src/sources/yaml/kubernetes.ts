import type { InputProblem } from '../../core/diagnostic.js';
import { capProblemsPerFile } from '../../core/limits.js';
import { isSecretName, locatedString, postgresFacts, resolvedBytes, resolvedInt } from './common.js';
import { pgbouncerImageFacts } from './image-env.js';
import { parseImageRef, pgbouncerImageKind, pgbouncerVersionFromTag, postgresMajorFromImage } from './images.js';
import { get, mapEntries, parseYaml, scalarString, seqItems, stringRecord, type LNode } from './located.js';
import { parseK8sQuantity } from './units.js';
import type {
  CnpgCluster,
  CnpgPooler,
  ConfigDataEntry,
  CrunchyPostgresCluster,
  EnvSourceRef,
  EnvVarFact,
  K8sContainer,
  K8sMeta,
  K8sWorkload,
  KubernetesFacts,
  LocatedString,
  Resolved,
  ServerSettingFact,
  ZalandoPostgresql,
} from './types.js';

/**
 * Reads the Kubernetes objects of a (multi-document) manifest file. Documents without
 * apiVersion and kind (Helm values, kustomize patches without them, empty documents) are
 * listed in `skippedDocuments`, not reported as problems.
 */
export function extractKubernetes(text: string, file: string): KubernetesFacts {
  const facts = readKubernetes(text, file);
  facts.problems = capProblemsPerFile(facts.problems);
  return facts;
}

function readKubernetes(text: string, file: string): KubernetesFacts {
  const parsed = parseYaml(text, file);
  const facts: KubernetesFacts = {
    file,
    kind: 'kubernetes',
    objects: [],
    workloads: [],
    hpas: [],
    services: [],
    configMaps: [],
    secrets: [],
    cnpgClusters: [],
    cnpgPoolers: [],
    zalandoClusters: [],
    crunchyClusters: [],
    jobs: [],
    skippedDocuments: [],
    problems: [...parsed.problems],
  };
  for (const doc of parsed.documents) {
    if (!doc.root || (doc.root.kind === 'scalar' && doc.root.value === null)) {
      if (!doc.hasErrors) facts.skippedDocuments.push({ documentIndex: doc.index, reason: 'empty document', range: doc.range });
      continue;
    }
    readObject(doc.root, doc.index, facts, 0);
  }
  return facts;
}

function readObject(node: LNode, documentIndex: number, facts: KubernetesFacts, depth: number): void {
  const apiVersion = scalarString(get(node, 'apiVersion'));
  const kind = scalarString(get(node, 'kind'));
  if (node.kind !== 'map' || apiVersion === undefined || kind === undefined) {
    facts.skippedDocuments.push({ documentIndex, reason: 'not a Kubernetes object (no apiVersion and kind): Helm values or other YAML', range: node.range });
    return;
  }
  const meta: K8sMeta = { apiVersion, kind, labels: stringRecord(get(node, 'metadata', 'labels')), range: node.range, documentIndex };
  const name = scalarString(get(node, 'metadata', 'name'));
  if (name !== undefined) meta.name = name;
  const ns = scalarString(get(node, 'metadata', 'namespace'));
  if (ns !== undefined) meta.namespace = ns;
  facts.objects.push(meta);
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  const spec = get(node, 'spec');
  if (kind === 'List' && depth < 4) {
    for (const item of seqItems(get(node, 'items'))) readObject(item, documentIndex, facts, depth + 1);
    return;
  }
  if ((group === 'apps' || group === 'extensions') && ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(kind)) {
    facts.workloads.push(readWorkload(meta, kind as K8sWorkload['kind'], spec, facts.problems));
  } else if (group === 'batch' && (kind === 'Job' || kind === 'CronJob')) {
    // batch/v1: a Job's pods run to completion; a CronJob creates a Job per schedule (spec.jobTemplate).
    const jobSpec = kind === 'CronJob' ? get(spec, 'jobTemplate', 'spec') : spec;
    const podSpec = get(jobSpec, 'template', 'spec');
    const job: KubernetesFacts['jobs'][number] = { meta, kind, containers: seqItems(get(podSpec, 'containers')).map(readContainer) };
    const schedule = scalarString(get(spec, 'schedule'));
    if (kind === 'CronJob' && schedule !== undefined) job.schedule = schedule;
    facts.jobs.push(job);
  } else if (group === 'autoscaling' && kind === 'HorizontalPodAutoscaler') {
    const target = get(spec, 'scaleTargetRef');
    const tKind = scalarString(get(target, 'kind'));
    const tName = scalarString(get(target, 'name'));
    const max = resolvedInt(get(spec, 'maxReplicas'));
    if (!tKind || !tName || !max) {
      facts.problems.push({ message: `HorizontalPodAutoscaler${name ? ` "${name}"` : ''} needs spec.scaleTargetRef (kind, name) and spec.maxReplicas.`, severity: 'warning', range: (spec ?? node).range });
      return;
    }
    const t: KubernetesFacts['hpas'][number]['target'] = { kind: tKind, name: tName, range: target!.range };
    const tApi = scalarString(get(target, 'apiVersion'));
    if (tApi) t.apiVersion = tApi;
    facts.hpas.push({
      meta,
      target: t,
      // autoscaling/v2 HorizontalPodAutoscalerSpec.minReplicas: "It defaults to 1 pod."
      minReplicas: resolvedInt(get(spec, 'minReplicas')) ?? { value: 1, provenance: { kind: 'default', note: 'HorizontalPodAutoscaler minReplicas defaults to 1' } },
      maxReplicas: max,
    });
  } else if (group === '' && kind === 'Service') {
    const ports: KubernetesFacts['services'][number]['ports'] = [];
    for (const p of seqItems(get(spec, 'ports'))) {
      const port = resolvedInt(get(p, 'port'))?.value;
      if (port === undefined) continue;
      const entryOut: (typeof ports)[number] = { port, range: p.range };
      const pn = scalarString(get(p, 'name'));
      if (pn !== undefined) entryOut.name = pn;
      const tp = get(p, 'targetPort');
      if (tp?.kind === 'scalar' && tp.value !== null) entryOut.targetPort = typeof tp.value === 'number' ? tp.value : String(tp.value);
      ports.push(entryOut);
    }
    const svc: KubernetesFacts['services'][number] = { meta, selector: stringRecord(get(spec, 'selector')), headless: scalarString(get(spec, 'clusterIP')) === 'None', ports };
    const type = scalarString(get(spec, 'type'));
    if (type) svc.type = type;
    facts.services.push(svc);
  } else if (group === '' && kind === 'ConfigMap') {
    const data = configData(get(node, 'data'), false);
    facts.configMaps.push({
      meta,
      data,
      iniFiles: data.filter((d) => d.key.endsWith('.ini')).map((d) => ({ key: d.key, text: d.value, lineMap: d.lineMap, range: d.range })),
    });
  } else if (group === '' && kind === 'Secret') {
    facts.secrets.push({ meta, data: secretData(node, meta, facts.problems) });
  } else if (group === 'postgresql.cnpg.io' && kind === 'Cluster') {
    facts.cnpgClusters.push(readCnpgCluster(meta, spec, node));
  } else if (group === 'postgresql.cnpg.io' && kind === 'Pooler') {
    facts.cnpgPoolers.push(readCnpgPooler(meta, spec));
  } else if (group === 'acid.zalan.do' && kind === 'postgresql') {
    facts.zalandoClusters.push(readZalando(meta, spec, node));
  } else if (group === 'postgres-operator.crunchydata.com' && kind === 'PostgresCluster') {
    facts.crunchyClusters.push(readCrunchy(meta, spec));
  }
}

/* ---------------- workloads ---------------- */

function readWorkload(meta: K8sMeta, kind: K8sWorkload['kind'], spec: LNode | undefined, problems: InputProblem[]): K8sWorkload {
  let replicas: Resolved<number>;
  if (kind === 'DaemonSet') replicas = { value: undefined, provenance: { kind: 'unknown', reason: 'a DaemonSet runs one pod per matching node' }, range: meta.range };
  else {
    replicas =
      resolvedInt(get(spec, 'replicas')) ??
      // apps/v1 DeploymentSpec/StatefulSetSpec.replicas: "Defaults to 1."
      { value: 1, provenance: { kind: 'default', note: `no spec.replicas: Kubernetes defaults to 1, unless an HorizontalPodAutoscaler owns the ${kind}'s replicas` } };
  }
  const template = get(spec, 'template');
  const podSpec = get(template, 'spec');
  const w: K8sWorkload = {
    meta,
    kind,
    replicas,
    selector: stringRecord(get(spec, 'selector', 'matchLabels')),
    podLabels: stringRecord(get(template, 'metadata', 'labels')),
    containers: seqItems(get(podSpec, 'containers')).map(readContainer),
    initContainers: seqItems(get(podSpec, 'initContainers')).map(readContainer),
  };
  if (kind === 'Deployment') {
    const strategy = get(spec, 'strategy');
    const type = scalarString(get(strategy, 'type')) ?? 'RollingUpdate';
    w.strategy = type;
    const surge = get(strategy, 'rollingUpdate', 'maxSurge');
    if (type === 'Recreate') w.maxSurge = { value: 0, provenance: { kind: 'default', note: 'strategy Recreate stops old pods before starting new ones' }, range: get(strategy, 'type')!.range };
    else if (surge?.kind === 'scalar' && surge.value !== null) {
      const v = typeof surge.value === 'number' ? surge.value : String(surge.value);
      if (typeof v === 'string' && !/^\d+%$/.test(v) && !/^\d+$/.test(v)) {
        problems.push({ message: `maxSurge "${v}" is neither a whole number nor a percentage.`, range: surge.range });
      }
      w.maxSurge = { value: typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v, provenance: { kind: 'literal' }, range: surge.range };
    } else {
      // apps/v1 RollingUpdateDeployment.maxSurge: "Absolute number is calculated from percentage by rounding up. Defaults to 25%."
      w.maxSurge = { value: '25%', provenance: { kind: 'default', note: 'Kubernetes default maxSurge 25% of the desired replicas, rounded up' } };
    }
  } else if (kind === 'StatefulSet') {
    w.strategy = scalarString(get(spec, 'updateStrategy', 'type')) ?? 'RollingUpdate';
  }
  return w;
}

/**
 * Pods a Deployment may run on top of `replicas` during a rolling update: an absolute
 * maxSurge, or a percentage of the desired replicas rounded up (apps/v1 RollingUpdateDeployment).
 */
export function surgePods(maxSurge: number | string | undefined, replicas: number): number | undefined {
  if (maxSurge === undefined) return undefined;
  if (typeof maxSurge === 'number') return maxSurge;
  const pct = /^(\d+)%$/.exec(maxSurge);
  if (pct) return Math.ceil((Number(pct[1]) * replicas) / 100);
  return /^\d+$/.test(maxSurge) ? Number(maxSurge) : undefined;
}

function readContainer(c: LNode): K8sContainer {
  const name = scalarString(get(c, 'name')) ?? '';
  const out: K8sContainer = {
    name,
    range: c.range,
    command: stringList(get(c, 'command')),
    args: stringList(get(c, 'args')),
    env: readEnv(get(c, 'env')),
    envFrom: readEnvFrom(get(c, 'envFrom')),
    ports: [],
  };
  const image = locatedString(get(c, 'image'));
  if (image) out.image = parseImageRef(image.value, image.range);
  const limit = resolvedBytes(get(c, 'resources', 'limits', 'memory'), parseK8sQuantity);
  if (limit) out.memoryLimitBytes = limit;
  const req = resolvedBytes(get(c, 'resources', 'requests', 'memory'), parseK8sQuantity);
  if (req) out.memoryRequestBytes = req;
  for (const p of seqItems(get(c, 'ports'))) {
    const cp = resolvedInt(get(p, 'containerPort'))?.value;
    if (cp === undefined) continue;
    const pn = scalarString(get(p, 'name'));
    out.ports.push({ containerPort: cp, range: p.range, ...(pn !== undefined ? { name: pn } : {}) });
  }
  // Kubernetes `command` replaces the image ENTRYPOINT, `args` its CMD.
  const pg = postgresFacts({
    env: out.env,
    binds: [],
    postgresHint: /postgres/i.test(name),
    ...(out.image ? { image: out.image } : {}),
    ...(out.command.length > 0 ? { program: out.command } : {}),
    ...(out.args.length > 0 ? { args: out.args } : {}),
  });
  if (pg) out.postgres = pg;
  const kind = out.image ? pgbouncerImageKind(out.image) : undefined;
  if (kind && out.image) {
    const mounts = seqItems(get(c, 'volumeMounts'))
      .map((m) => scalarString(get(m, 'mountPath')))
      .filter((p): p is string => p !== undefined)
      .map((containerPath) => ({ containerPath }));
    const v = pgbouncerVersionFromTag(out.image.tag);
    out.pgbouncer = pgbouncerImageFacts(kind, out.env, mounts, v ? { value: v, range: out.image.range } : undefined);
  }
  return out;
}

function stringList(node: LNode | undefined): LocatedString[] {
  const out: LocatedString[] = [];
  for (const it of seqItems(node)) {
    const s = locatedString(it);
    if (s) out.push(s);
  }
  return out;
}

/**
 * Container `env`: value (with `$(VAR)` references to earlier variables expanded, `$$` an
 * escaped `$`, as the kubelet does — pkg/kubelet/container expansion), or valueFrom.
 */
function readEnv(node: LNode | undefined): EnvVarFact[] {
  const out: EnvVarFact[] = [];
  const known = new Map<string, string>();
  for (const item of seqItems(node)) {
    const nameNode = get(item, 'name');
    const name = scalarString(nameNode);
    if (name === undefined || !nameNode) continue;
    const f: EnvVarFact = { name, nameRange: nameNode.range, range: nameNode.range, from: 'inline' };
    if (item.via) f.via = item.via;
    const valueNode = get(item, 'value');
    const valueFrom = get(item, 'valueFrom');
    if (valueFrom) {
      const cm = get(valueFrom, 'configMapKeyRef');
      const sec = get(valueFrom, 'secretKeyRef');
      const ref = cm ?? sec;
      f.range = valueFrom.range;
      if (ref) {
        f.from = cm ? 'configMapKeyRef' : 'secretKeyRef';
        f.ref = { name: scalarString(get(ref, 'name')) ?? '', key: scalarString(get(ref, 'key')) ?? '' };
        const opt = get(ref, 'optional');
        if (opt?.kind === 'scalar' && opt.value === true) f.ref.optional = true;
        if (sec) f.secret = true;
      } else f.from = get(valueFrom, 'fieldRef') ? 'fieldRef' : 'resourceFieldRef';
      known.delete(name);
    } else {
      const raw = scalarString(valueNode) ?? '';
      const value = expandK8sVars(raw, known);
      f.value = value.value;
      if (valueNode) f.range = valueNode.range;
      if (value.value !== raw) f.raw = raw;
      if (value.unresolved.length > 0) f.unresolved = value.unresolved;
      known.set(name, value.value);
    }
    if (isSecretName(name)) f.secret = true;
    out.push(f);
  }
  return out;
}

/** `$(VAR)` expansion of container env values (unknown references stay as written). */
function expandK8sVars(s: string, known: ReadonlyMap<string, string>): { value: string; unresolved: string[] } {
  const unresolved: string[] = [];
  if (!s.includes('$')) return { value: s, unresolved };
  const value = s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    const v = known.get(name!);
    if (v === undefined) {
      unresolved.push(name!);
      return m;
    }
    return v;
  });
  return { value, unresolved };
}

function readEnvFrom(node: LNode | undefined): EnvSourceRef[] {
  const out: EnvSourceRef[] = [];
  for (const item of seqItems(node)) {
    const cm = get(item, 'configMapRef');
    const sec = get(item, 'secretRef');
    const ref = cm ?? sec;
    if (!ref) continue;
    const opt = get(ref, 'optional');
    const r: EnvSourceRef = { kind: cm ? 'configMapRef' : 'secretRef', name: scalarString(get(ref, 'name')) ?? '', optional: opt?.kind === 'scalar' && opt.value === true, range: item.range };
    const prefix = scalarString(get(item, 'prefix'));
    if (prefix) r.prefix = prefix;
    out.push(r);
  }
  return out;
}

/* ---------------- ConfigMaps and Secrets ---------------- */

function configData(node: LNode | undefined, secret: boolean): ConfigDataEntry[] {
  const out: ConfigDataEntry[] = [];
  for (const e of mapEntries(node)) {
    if (e.value.kind !== 'scalar') continue;
    const value = scalarString(e.value) ?? '';
    const d: ConfigDataEntry = { key: e.key, keyRange: e.keyRange, value, range: e.value.range, secret, lineMap: e.value.lineMap };
    const via = e.value.via ?? e.merged;
    if (via) d.via = via;
    out.push(d);
  }
  return out;
}

/**
 * Secret values: `stringData` as written, `data` base64-decoded. The API server merges
 * stringData into data, stringData winning (core/v1 Secret.stringData). Problems never quote a value.
 */
function secretData(node: LNode, meta: K8sMeta, problems: InputProblem[]): ConfigDataEntry[] {
  const byKey = new Map<string, ConfigDataEntry>();
  for (const d of configData(get(node, 'data'), true)) {
    const compact = d.value.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
      problems.push({ message: `Secret${meta.name ? ` "${meta.name}"` : ''}: data.${d.key} is not valid base64.`, range: d.range });
      continue;
    }
    byKey.set(d.key, { ...d, value: Buffer.from(compact, 'base64').toString('utf8'), lineMap: { kind: 'approximate', line: d.range.line, column: d.range.column } });
  }
  for (const d of configData(get(node, 'stringData'), true)) byKey.set(d.key, d);
  return [...byKey.values()];
}

/* ---------------- PostgreSQL operators ---------------- */

function parameters(node: LNode | undefined): ServerSettingFact[] {
  const out: ServerSettingFact[] = [];
  for (const e of mapEntries(node)) {
    const v = scalarString(e.value);
    if (v === undefined) continue;
    const s: ServerSettingFact = { name: e.key, value: v, range: e.value.range, source: 'crd-parameters' };
    const via = e.value.via ?? e.merged;
    if (via) s.via = via;
    out.push(s);
  }
  return out;
}

function memory(node: LNode | undefined, which: 'limits' | 'requests'): Resolved<number> | undefined {
  return resolvedBytes(get(node, which, 'memory'), parseK8sQuantity);
}

function readCnpgCluster(meta: K8sMeta, spec: LNode | undefined, node: LNode): CnpgCluster {
  const c: CnpgCluster = {
    meta,
    // cloudnative-pg api/v1 cluster_types.go: instances is required, minimum 1 (CRD default 1).
    instances: resolvedInt(get(spec, 'instances')) ?? { value: 1, provenance: { kind: 'default', note: 'CloudNativePG Cluster spec.instances defaults to 1' } },
    majorVersion: { value: undefined, provenance: { kind: 'unknown', reason: 'no spec.imageName: the operator’s default image' }, range: (spec ?? node).range },
    parameters: parameters(get(spec, 'postgresql', 'parameters')),
  };
  const image = locatedString(get(spec, 'imageName'));
  if (image) {
    c.image = parseImageRef(image.value, image.range);
    c.majorVersion = postgresMajorFromImage(c.image);
  }
  const lim = memory(get(spec, 'resources'), 'limits');
  if (lim) c.memoryLimitBytes = lim;
  const req = memory(get(spec, 'resources'), 'requests');
  if (req) c.memoryRequestBytes = req;
  return c;
}

function readCnpgPooler(meta: K8sMeta, spec: LNode | undefined): CnpgPooler {
  const pgb = get(spec, 'pgbouncer');
  const modeNode = get(pgb, 'poolMode');
  const typeNode = get(spec, 'type');
  const p: CnpgPooler = {
    meta,
    // cloudnative-pg api/v1 pooler_types.go: `+kubebuilder:default:=1` on instances, `:=session` on poolMode, type default rw.
    instances: resolvedInt(get(spec, 'instances')) ?? { value: 1, provenance: { kind: 'default', note: 'CloudNativePG Pooler spec.instances defaults to 1' } },
    poolMode: scalarString(modeNode) !== undefined
      ? { value: scalarString(modeNode), provenance: { kind: 'literal' }, range: modeNode!.range }
      : { value: 'session', provenance: { kind: 'default', note: 'CloudNativePG Pooler pgbouncer.poolMode defaults to session' } },
    type: scalarString(typeNode) !== undefined
      ? { value: scalarString(typeNode), provenance: { kind: 'literal' }, range: typeNode!.range }
      : { value: 'rw', provenance: { kind: 'default', note: 'CloudNativePG Pooler type defaults to rw' } },
    parameters: mapEntries(get(pgb, 'parameters')).flatMap((e) => {
      const v = scalarString(e.value);
      return v === undefined ? [] : [{ key: e.key, value: v, range: e.value.range, keyRange: e.keyRange }];
    }),
  };
  const cluster = locatedString(get(spec, 'cluster', 'name'));
  if (cluster) p.cluster = cluster;
  return p;
}

function readZalando(meta: K8sMeta, spec: LNode | undefined, node: LNode): ZalandoPostgresql {
  const versionNode = get(spec, 'postgresql', 'version');
  const version = locatedString(versionNode);
  const major = version ? Number(version.value) : NaN;
  const z: ZalandoPostgresql = {
    meta,
    majorVersion: version && Number.isFinite(major)
      ? { value: major, provenance: { kind: 'literal' }, range: version.range }
      : { value: undefined, provenance: { kind: 'unknown', reason: 'no spec.postgresql.version' }, range: (spec ?? node).range },
    numberOfInstances: resolvedInt(get(spec, 'numberOfInstances')) ?? { value: undefined, provenance: { kind: 'unknown', reason: 'no spec.numberOfInstances' } },
    parameters: parameters(get(spec, 'postgresql', 'parameters')),
  };
  if (version) z.version = version;
  const lim = memory(get(spec, 'resources'), 'limits');
  if (lim) z.memoryLimitBytes = lim;
  const req = memory(get(spec, 'resources'), 'requests');
  if (req) z.memoryRequestBytes = req;
  // docs/reference/cluster_manifest.md: a non-empty connectionPooler section creates the pooler
  // even without enableConnectionPooler; enableConnectionPooler: false removes it.
  const flag = get(spec, 'enableConnectionPooler');
  const section = get(spec, 'connectionPooler');
  const sectionSet = section?.kind === 'map' && section.entries.length > 0;
  const flagValue = flag?.kind === 'scalar' && typeof flag.value === 'boolean' ? flag.value : undefined;
  if (flagValue === true || (flagValue === undefined && sectionSet)) {
    const modeNode = get(section, 'mode');
    // docs/reference/operator_parameters.md: connection_pooler_number_of_instances 2,
    // connection_pooler_mode transaction, connection_pooler_max_db_connections 60 (divided among the pods).
    z.connectionPooler = {
      enabled: { value: true, provenance: { kind: 'literal' }, range: (flagValue !== undefined ? flag! : section!).range },
      numberOfInstances: resolvedInt(get(section, 'numberOfInstances')) ?? { value: 2, provenance: { kind: 'default', note: 'Zalando operator default connection_pooler_number_of_instances: 2' } },
      mode: scalarString(modeNode) !== undefined
        ? { value: scalarString(modeNode), provenance: { kind: 'literal' }, range: modeNode!.range }
        : { value: 'transaction', provenance: { kind: 'default', note: 'Zalando operator default connection_pooler_mode: transaction' } },
      maxDBConnections: resolvedInt(get(section, 'maxDBConnections')) ?? { value: 60, provenance: { kind: 'default', note: 'Zalando operator default connection_pooler_max_db_connections: 60, divided among the pooler pods' } },
    };
  }
  return z;
}

function readCrunchy(meta: K8sMeta, spec: LNode | undefined): CrunchyPostgresCluster {
  const c: CrunchyPostgresCluster = {
    meta,
    instanceSets: seqItems(get(spec, 'instances')).map((set) => {
      const s: CrunchyPostgresCluster['instanceSets'][number] = {
        // PGO v1beta1 PostgresInstanceSetSpec.replicas: default 1.
        replicas: resolvedInt(get(set, 'replicas')) ?? { value: 1, provenance: { kind: 'default', note: 'PGO instance set replicas defaults to 1' } },
        range: set.range,
      };
      const n = scalarString(get(set, 'name'));
      if (n !== undefined) s.name = n;
      return s;
    }),
  };
  const v = resolvedInt(get(spec, 'postgresVersion'));
  if (v) c.postgresVersion = v;
  const pgb = get(spec, 'proxy', 'pgBouncer');
  if (pgb) {
    c.pgBouncer = {
      replicas: resolvedInt(get(pgb, 'replicas')) ?? { value: 1, provenance: { kind: 'default', note: 'PGO pgBouncer replicas defaults to 1' } },
      global: mapEntries(get(pgb, 'config', 'global')).flatMap((e) => {
        const v2 = scalarString(e.value);
        return v2 === undefined ? [] : [{ key: e.key, value: v2, range: e.value.range }];
      }),
    };
  }
  return c;
}
