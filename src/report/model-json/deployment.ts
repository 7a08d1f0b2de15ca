import { relative, sep } from 'node:path';
import type { SourceRange } from '../../core/location.js';
import { redactSecrets } from '../../core/redact.js';
import type { ClientEdge, DeploymentModel, Quantity, UnknownClient } from '../../model/deployment/types.js';

/** The `deployment` part of `--print-model` (docs/model.md): every number with its source, provenance and location. */

export interface LocationJson {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface QuantityJson {
  value: number | null;
  /** A known minimum when value is null. */
  atLeast?: number;
  source: string;
  provenance: Record<string, unknown>;
  location?: LocationJson;
}

export function locationJson(root: string, r: SourceRange | undefined): LocationJson | undefined {
  if (!r) return undefined;
  const rel = relative(root, r.file);
  return { file: (rel === '' || rel.startsWith('..') ? r.file : rel).split(sep).join('/'), line: r.line, column: r.column, endLine: r.endLine, endColumn: r.endColumn };
}

export function quantityJson(root: string, q: Quantity | undefined): QuantityJson | null {
  if (!q) return null;
  const p = q.provenance;
  const provenance: Record<string, unknown> =
    p.kind === 'constant' ? { kind: 'constant', name: p.name, definedAt: locationJson(root, p.definedAt) } : p.kind === 'unknown' ? { kind: 'unknown', reason: redactSecrets(p.reason) } : { ...p };
  const out: QuantityJson = { value: q.value ?? null, source: redactSecrets(q.source), provenance };
  if (q.value === undefined && q.lowerBound !== undefined) out.atLeast = q.lowerBound;
  const loc = locationJson(root, q.range);
  if (loc) out.location = loc;
  return out;
}

/** Pools of unknown target that could reach a node (absent when there are none). */
function unknownClientsJson(root: string, list: UnknownClient[] | undefined): { unknownClients?: Array<Record<string, unknown>> } {
  return list && list.length > 0 ? { unknownClients: list.map((u) => ({ pool: u.poolId, service: u.serviceId ?? null, reason: redactSecrets(u.reason), location: locationJson(root, u.range) ?? null })) } : {};
}

function edgeJson(root: string, e: ClientEdge): Record<string, unknown> {
  return {
    pool: e.poolId,
    service: e.serviceId ?? null,
    origin: e.origin,
    target: e.target ?? null,
    link: redactSecrets(e.link),
    ...(e.unknownTarget !== undefined ? { unknownTarget: redactSecrets(e.unknownTarget) } : {}),
    url: e.url ? { redacted: e.url.redacted, location: locationJson(root, e.url.range) ?? null } : null,
    envVar: e.envVar ?? null,
    user: e.user ?? null,
    database: e.database ?? null,
    ...(e.applicationName ? { applicationName: { value: redactSecrets(e.applicationName.value), source: e.applicationName.source, location: locationJson(root, e.applicationName.range) ?? null } } : {}),
    perInstance: quantityJson(root, e.perInstance),
    total: quantityJson(root, e.total),
    location: locationJson(root, e.range),
  };
}

/** The model as JSON: plain data, paths relative to the repository root, secrets redacted. */
export function deploymentJson(model: DeploymentModel, root: string): Record<string, unknown> {
  const q = (x: Quantity | undefined) => quantityJson(root, x);
  const loc = (r: SourceRange | undefined) => locationJson(root, r) ?? null;
  return {
    settings: model.settings,
    servers: model.servers.map((s) => ({
      id: s.id,
      name: s.name,
      kind: s.kind,
      location: loc(s.range),
      majorVersion: q(s.majorVersion),
      instances: q(s.instances),
      maxConnections: q(s.maxConnections),
      superuserReservedConnections: q(s.superuserReserved),
      reservedConnections: q(s.reserved),
      memoryBytes: q(s.memoryBytes),
      idleInTransactionSessionTimeoutMs: q(s.idleInTransactionTimeoutMs),
      superuser: s.superuser ?? null,
      config: s.config ? locationJson(root, { file: s.config.mainFile, line: 1, column: 1, endLine: 1, endColumn: 1 })!.file : null,
      endpoints: s.endpoints,
      notes: s.notes ?? [],
    })),
    poolers: model.poolers.map((p) => ({
      id: p.id,
      name: p.name,
      kind: p.kind,
      product: p.product ?? null,
      version: p.version ?? null,
      versionAssumed: p.versionAssumed ?? false,
      location: loc(p.range),
      instances: q(p.instances),
      poolMode: { value: p.poolMode.value ?? null, source: p.poolMode.source, location: loc(p.poolMode.range) },
      maxClientConn: q(p.maxClientConn),
      maxDbConnections: q(p.maxDbConnections),
      maxUserConnections: q(p.maxUserConnections),
      maxPreparedStatements: q(p.maxPreparedStatements),
      idleTransactionTimeoutMs: q(p.idleTransactionTimeoutMs),
      ignoreStartupParameters: p.ignoreStartupParameters,
      trackExtraParameters: p.trackExtraParameters,
      databases: p.databases.map((d) => ({
        database: d.database,
        user: d.user ?? null,
        host: d.host ?? null,
        port: d.port ?? null,
        dbname: d.dbname ?? null,
        poolMode: d.poolMode ?? null,
        poolSize: q(d.poolSize),
        reservePoolSize: q(d.reservePoolSize),
        maxDbConnections: q(d.maxDbConnections),
        server: d.serverId ?? null,
        serverLink: d.serverLink ?? null,
        location: loc(d.range),
      })),
      server: p.serverId ?? null,
      serverLink: p.serverLink ?? null,
      endpoints: p.endpoints,
      notes: p.notes ?? [],
    })),
    services: model.services.map((s) => ({
      id: s.id,
      name: s.name,
      kind: s.kind,
      location: loc(s.range),
      peakInstances: q(s.peakInstances),
      codePaths: s.codePaths.map((c) => locationJson(root, { file: c, line: 1, column: 1, endLine: 1, endColumn: 1 })!.file),
      linkReason: s.linkReason,
      notes: s.notes ?? [],
      ...(s.notCounted !== undefined ? { notCounted: s.notCounted } : {}),
    })),
    edges: model.edges.map((e) => edgeJson(root, e)),
    runtimes: (model.runtimes ?? []).map((r) => ({
      package: r.dir === root ? '.' : locationJson(root, { file: r.dir, line: 1, column: 1, endLine: 1, endColumn: 1 })!.file,
      ...(r.name !== undefined ? { name: r.name } : {}),
      kind: r.kind,
      evidence: r.evidence,
      ...(r.range ? { location: loc(r.range) } : {}),
      ...(r.also !== undefined ? { also: r.also } : {}),
    })),
    budgets: {
      servers: model.serverBudgets.map((b) => ({
        server: b.serverId,
        available: q(b.available),
        limit: q(b.limit),
        demand: q(b.demand),
        remaining: b.remaining ?? null,
        headroom: b.headroom,
        status: b.status,
        clients: b.clients.map((c) => ({ name: c.name, kind: c.kind, pooler: c.poolerId ?? null, pool: c.edge?.poolId ?? null, instances: q(c.instances), perInstance: q(c.perInstance), total: q(c.total) })),
        ...unknownClientsJson(root, b.unknownClients),
      })),
      poolers: model.poolerBudgets.map((b) => ({
        pooler: b.poolerId,
        clientDemand: q(b.clientDemand),
        maxClientConn: q(b.maxClientConn),
        serverConnections: q(b.serverConnections),
        remaining: b.remaining ?? null,
        status: b.status,
        clients: b.clients.map((e) => e.poolId),
        ...unknownClientsJson(root, b.unknownClients),
      })),
    },
    notes: model.notes.map((n) => ({ message: redactSecrets(n.message), location: loc(n.range) })),
  };
}
