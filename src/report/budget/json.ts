import type { DeploymentModel, Quantity, UnknownClient } from '../../model/deployment/types.js';
import { locationJson, type LocationJson } from '../model-json/deployment.js';
import { redactSecrets } from '../../core/redact.js';

/**
 * `pgconn-lint budget --format json` (docs/budget.md). Numbers are `null` when unknown
 * (never 0); `…AtLeast` then gives the smallest value they can have. Bump `version` on any
 * incompatible change.
 */
export interface BudgetJson {
  version: 1;
  headroom: number;
  servers: ServerBudgetJson[];
  poolers: PoolerBudgetJson[];
  /** Pools and services that reach no known server or pooler, with the reason. */
  unlinked: Array<{ pool: string; service: string | null; reason: string; location: LocationJson | null }>;
  notes: string[];
  /** `budget --live`: targets read that match no server or pooler of the model. */
  liveUnmatched?: LiveBudgetJson[];
}

export type Status = 'ok' | 'warning' | 'over' | 'unknown';

/** `budget --live`: what a running server or PgBouncer holds now, beside the modelled peak. */
export interface LiveBudgetJson {
  /** The URL read, without the password. */
  target: string;
  /** Server: client connections besides the check's own. PgBouncer: client connections besides the check's own. null when not read. */
  used: number | null;
  /** Server: max_connections − reserved slots; PgBouncer: max_client_conn. */
  limit: number | null;
  limitSource: string;
  /** PgBouncer: server connections it holds now (SHOW POOLS sv_*). */
  serverConnections?: number;
  /** Server: sessions now per client of the model (by its name), as `pgconn-lint live` matched them. */
  byClient?: Record<string, number>;
  /** Server: sessions that match no client of the model. */
  unmatched?: number;
  /** Why the target could not be read. */
  error?: string;
  /** How the target was matched with this node. */
  matchedBy?: string;
}

export interface ClientJson {
  name: string;
  kind: 'service' | 'pooler';
  instances: number | null;
  /** Where the instance count comes from: "6 replicas", "HPA api maxReplicas 20 + maxSurge 25% (5 pods) during a rolling update". */
  instancesSource: string;
  perInstance: number | null;
  perInstanceSource: string;
  total: number | null;
  totalAtLeast?: number;
  /** `budget --live`: the sessions this client holds now on the running server(s) matched with this one. */
  now?: number;
  /** The pool definition (code) or the pooler id behind this client. */
  pool?: string;
  pooler?: string;
  location: LocationJson | null;
}

export interface ServerBudgetJson {
  id: string;
  name: string;
  kind: string;
  location: LocationJson | null;
  maxConnections: number | null;
  maxConnectionsSource: string;
  /** superuser_reserved_connections + reserved_connections. */
  reserved: number | null;
  reservedSource: string;
  /** max_connections − reserved. */
  available: number | null;
  /** What demand is judged against: `available`, or max_connections when every client is the superuser. */
  limit: number | null;
  limitSource: string;
  demand: number | null;
  demandAtLeast?: number;
  remaining: number | null;
  headroom: number;
  status: Status;
  clients: ClientJson[];
  /** Pools whose target is unknown and that could reach this server (then `status` is never "ok"). */
  unknownClients?: UnknownClientJson[];
  /** `budget --live`: the running server(s) matched with this one. */
  live?: LiveBudgetJson[];
}

export interface UnknownClientJson {
  pool: string;
  service: string | null;
  reason: string;
  location: LocationJson | null;
}

export interface PoolerBudgetJson {
  id: string;
  name: string;
  kind: string;
  product: string | null;
  /** From the image tag or pgbouncer.version in the config file; null when not known. */
  version: string | null;
  mode: 'session' | 'transaction' | 'statement' | null;
  instances: number | null;
  instancesSource: string;
  /** Per instance. */
  maxClientConn: number | null;
  maxClientConnSource: string;
  /** max_client_conn × instances. */
  maxClientConnTotal: number | null;
  clientDemand: number | null;
  clientDemandAtLeast?: number;
  /** Server connections all instances can open (pool_size + reserve per database/user pair × instances). */
  serverConnections: number | null;
  serverConnectionsAtLeast?: number;
  server: string | null;
  serverLink: string | null;
  status: Status;
  clients: ClientJson[];
  /** Pools whose target is unknown and that could reach this pooler. */
  unknownClients?: UnknownClientJson[];
  /** `budget --live`: the running PgBouncer(s) matched with this one. */
  live?: LiveBudgetJson[];
}

const n = (q: Quantity | undefined): number | null => q?.value ?? null;
const atLeastOf = (q: Quantity | undefined): number | undefined => (q && q.value === undefined && q.lowerBound !== undefined ? q.lowerBound : undefined);

export function budgetJson(model: DeploymentModel, root: string): BudgetJson {
  const serverName = new Map(model.servers.map((s) => [s.id, s.name]));
  const unknownJson = (list: UnknownClient[] | undefined): { unknownClients?: UnknownClientJson[] } =>
    list && list.length > 0
      ? { unknownClients: list.map((u) => ({ pool: u.poolId, service: model.services.find((s) => s.id === u.serviceId)?.name ?? null, reason: redactSecrets(u.reason), location: locationJson(root, u.range) ?? null })) }
      : {};
  const servers: ServerBudgetJson[] = model.serverBudgets.map((b) => {
    const s = model.servers.find((x) => x.id === b.serverId)!;
    const reserved = s.superuserReserved.value !== undefined && s.reserved.value !== undefined ? s.superuserReserved.value + s.reserved.value : null;
    const out: ServerBudgetJson = {
      id: s.id,
      name: s.name,
      kind: s.kind,
      location: locationJson(root, s.range) ?? null,
      maxConnections: n(s.maxConnections),
      maxConnectionsSource: s.maxConnections.source,
      reserved,
      reservedSource: `${s.superuserReserved.source}; ${s.reserved.source}`,
      available: n(b.available),
      limit: n(b.limit),
      limitSource: b.limit.source,
      demand: n(b.demand),
      remaining: b.remaining ?? null,
      headroom: b.headroom,
      status: b.status,
      clients: b.clients.map((c) => {
        const cj: ClientJson = {
          name: c.name,
          kind: c.kind,
          instances: n(c.instances),
          instancesSource: redactSecrets(c.instances.source),
          perInstance: n(c.perInstance),
          perInstanceSource: redactSecrets(c.perInstance.source),
          total: n(c.total),
          location: locationJson(root, c.edge?.range ?? model.poolers.find((p) => p.id === c.poolerId)?.range) ?? null,
        };
        const lb = atLeastOf(c.total);
        if (lb !== undefined) cj.totalAtLeast = lb;
        if (c.edge) cj.pool = c.edge.poolId;
        if (c.poolerId) cj.pooler = c.poolerId;
        return cj;
      }),
    };
    const lb = atLeastOf(b.demand);
    if (lb !== undefined) out.demandAtLeast = lb;
    Object.assign(out, unknownJson(b.unknownClients));
    return out;
  });
  const poolers: PoolerBudgetJson[] = model.poolerBudgets.map((b) => {
    const p = model.poolers.find((x) => x.id === b.poolerId)!;
    const out: PoolerBudgetJson = {
      id: p.id,
      name: p.name,
      kind: p.kind,
      product: p.product ?? null,
      version: p.versionAssumed ? null : (p.version ?? null),
      mode: p.poolMode.value ?? null,
      instances: n(p.instances),
      instancesSource: p.instances.source,
      maxClientConn: n(p.maxClientConn),
      maxClientConnSource: p.maxClientConn.source,
      maxClientConnTotal: n(b.maxClientConn),
      clientDemand: n(b.clientDemand),
      serverConnections: n(b.serverConnections),
      server: p.serverId ? (serverName.get(p.serverId) ?? p.serverId) : null,
      serverLink: p.serverLink ?? null,
      status: b.status,
      clients: b.clients.map((e) => {
        const svc = model.services.find((s) => s.id === e.serviceId);
        const instances = svc?.peakInstances;
        const cj: ClientJson = {
          name: svc?.name ?? e.poolId,
          kind: 'service',
          instances: n(instances),
          instancesSource: instances?.source ?? '',
          perInstance: n(e.perInstance),
          perInstanceSource: redactSecrets(e.perInstance.source),
          total: n(e.total),
          pool: e.poolId,
          location: locationJson(root, e.range) ?? null,
        };
        const lb = atLeastOf(e.total);
        if (lb !== undefined) cj.totalAtLeast = lb;
        return cj;
      }),
    };
    const cd = atLeastOf(b.clientDemand);
    if (cd !== undefined) out.clientDemandAtLeast = cd;
    const sc = atLeastOf(b.serverConnections);
    if (sc !== undefined) out.serverConnectionsAtLeast = sc;
    Object.assign(out, unknownJson(b.unknownClients));
    return out;
  });
  return {
    version: 1,
    headroom: model.settings.headroom,
    servers,
    poolers,
    unlinked: model.edges
      .filter((e) => e.target === undefined)
      .map((e) => ({ pool: e.poolId, service: model.services.find((s) => s.id === e.serviceId)?.name ?? null, reason: redactSecrets(e.link), location: locationJson(root, e.range) ?? null })),
    notes: model.notes.map((x) => redactSecrets(x.message)),
  };
}
