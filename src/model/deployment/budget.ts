import type { BuildContext } from './context.js';
import { atLeast, derived, isKnown, sum, times, unknownQ } from './quantity.js';
import type { ServiceBuild } from './services.js';
import type { ClientEdge, PoolerBudget, PoolerNode, Quantity, ServerBudget, ServerNode, UnknownClient } from './types.js';
import { isLocalHost, type EndpointScope } from './endpoints.js';

/**
 * The arithmetic of issue 5:
 * - server: available = max_connections − superuser_reserved_connections − reserved_connections;
 *   demand = Σ direct clients (peak instances × per-instance max) + Σ poolers (instances × Σ per
 *   database/user pair of pool_size + reserve_pool_size, capped by max_db_connections/max_user_connections);
 * - pooler: client demand = Σ peak instances × pool max of its clients, against max_client_conn × instances.
 */
export function computeBudgets(
  ctx: BuildContext,
  servers: ServerNode[],
  poolers: PoolerNode[],
  services: ServiceBuild[],
  edges: ClientEdge[],
): { serverBudgets: ServerBudget[]; poolerBudgets: PoolerBudget[] } {
  const serviceName = new Map(services.map((s) => [s.node.id, s.node]));
  const unknownFor = unknownClientsOf(ctx, services, edges);
  const poolerBudgets: PoolerBudget[] = [];
  const poolerToServer = new Map<string, Map<string, Quantity>>();
  for (const pl of poolers) {
    const clients = edges.filter((e) => e.target?.kind === 'pooler' && e.target.id === pl.id);
    const unknownClients = unknownFor(pl.id);
    let clientDemand = sum(clients.map((e) => e.total), 'client connections');
    if (unknownClients.length > 0) clientDemand = withUnknownClients(clientDemand, unknownClients);
    const maxClientConn = times(pl.instances, pl.maxClientConn, `${pl.maxClientConn.source} × ${pl.instances.source}`);
    const perServer = serverConnections(pl, clients);
    poolerToServer.set(pl.id, perServer);
    const perInstance = sum([...perServer.values()], 'server connections per instance');
    const serverConns = perServer.size === 0 ? unknownQ('server connections', `${pl.name} lists no database that reaches a known server`) : times(pl.instances, perInstance, `${pl.instances.source} × ${perInstance.source}`);
    const remaining = isKnown(maxClientConn) && isKnown(clientDemand) ? maxClientConn.value - clientDemand.value : undefined;
    let status: PoolerBudget['status'];
    if (clients.length === 0) status = unknownClients.length > 0 ? 'unknown' : 'ok';
    else if (isKnown(maxClientConn) && atLeast(clientDemand) > maxClientConn.value) status = 'over';
    else if (isKnown(maxClientConn) && isKnown(clientDemand)) status = 'ok';
    else status = 'unknown';
    if (status === 'ok' && unknownClients.length > 0) status = 'unknown';
    poolerBudgets.push({ poolerId: pl.id, clientDemand, maxClientConn, serverConnections: serverConns, headroom: ctx.headroom, remaining, status, clients, ...(unknownClients.length > 0 ? { unknownClients } : {}) });
  }

  const serverBudgets: ServerBudget[] = [];
  for (const s of servers) {
    const direct = edges.filter((e) => e.target?.kind === 'server' && e.target.id === s.id);
    const clients: ServerBudget['clients'] = [];
    const perService = new Map<string, number>();
    for (const e of direct) perService.set(e.serviceId ?? '', (perService.get(e.serviceId ?? '') ?? 0) + 1);
    for (const e of direct) {
      const svc = e.serviceId ? serviceName.get(e.serviceId) : undefined;
      const base = svc?.name ?? e.poolId;
      const name = (perService.get(e.serviceId ?? '') ?? 0) > 1 && (e.pool || e.appPool) ? `${base} (${e.pool ? (e.pool.binding ?? e.poolId) : e.appPool!.construct})` : base;
      clients.push({ name, kind: 'service', instances: svc?.peakInstances ?? unknownQ('instances', 'no service'), perInstance: e.perInstance, total: e.total, edge: e });
    }
    for (const pl of poolers) {
      const q = poolerToServer.get(pl.id)?.get(s.id);
      if (!q) continue;
      clients.push({ name: pl.name, kind: 'pooler', instances: pl.instances, perInstance: q, total: times(pl.instances, q, `${pl.instances.source} × ${q.source}`), poolerId: pl.id });
    }
    const unknownClients = unknownFor(s.id);
    let demand = sum(clients.map((c) => c.total), 'demand');
    if (unknownClients.length > 0) demand = withUnknownClients(demand, unknownClients);
    const parts = [s.maxConnections, s.superuserReserved, s.reserved];
    const available: Quantity = parts.every(isKnown)
      ? derived(
          s.maxConnections.value! - s.superuserReserved.value! - s.reserved.value!,
          `max_connections ${s.maxConnections.value} − ${s.superuserReserved.value} superuser_reserved_connections${s.reserved.value ? ` − ${s.reserved.value} reserved_connections` : ''}`,
        )
      : unknownQ('available connections', `unknown: ${parts.filter((p) => !isKnown(p)).map((p) => p.source).join('; ')}`);
    let limit = available;
    // Superusers may use the superuser_reserved_connections slots (and reserved_connections): PostgreSQL
    // src/backend/utils/init/postinit.c InitPostgres ("remaining connection slots are reserved …").
    const users = clients.map((c) => (c.kind === 'service' ? c.edge?.user : '\u0000pooler'));
    if (s.superuser && clients.length > 0 && isKnown(s.maxConnections) && users.every((u) => u === s.superuser || u === undefined)) {
      const assumed = users.some((u) => u === undefined);
      limit = derived(
        s.maxConnections.value,
        `max_connections ${s.maxConnections.value}: the clients connect as the superuser ${s.superuser}${assumed ? ' (assumed where they name no user: the image creates only that role)' : ''}, which may also use the reserved slots`,
      );
    }
    const remaining = isKnown(limit) && isKnown(demand) ? limit.value - demand.value : undefined;
    let status: ServerBudget['status'];
    if (!isKnown(limit)) status = 'unknown';
    else if (atLeast(demand) > limit.value) status = 'over';
    else if (limit.value - atLeast(demand) < ctx.headroom && clients.length > 0) status = 'warning';
    else if (isKnown(demand)) status = 'ok';
    else status = 'unknown';
    // Pools whose target is unknown may add to the demand: never "ok" where the model does not know.
    if (status === 'ok' && unknownClients.length > 0) status = 'unknown';
    serverBudgets.push({ serverId: s.id, available, demand, headroom: ctx.headroom, limit, remaining, status, clients, ...(unknownClients.length > 0 ? { unknownClients } : {}) });
  }
  return { serverBudgets, poolerBudgets };
}

/**
 * Server connections one pooler instance can open, per server: for each [databases] entry,
 * (pool_size + reserve_pool_size) per user that uses it (a forced `user=` is one user; clients'
 * URLs name the others; one when none is known), capped by max_db_connections; then by
 * max_user_connections per user.
 */
function serverConnections(pl: PoolerNode, clients: ClientEdge[]): Map<string, Quantity> {
  const out = new Map<string, Quantity[]>();
  const explicit = new Set(pl.databases.filter((d) => d.database !== '*').map((d) => d.database));
  const allUsers = new Set<string>();
  for (const db of pl.databases) {
    const serverId = db.serverId ?? pl.serverId;
    if (!serverId) continue;
    const using = clients.filter((c) => (db.database === '*' ? c.database === undefined || !explicit.has(c.database) : c.database === db.database));
    const users = db.user ? new Set([db.user]) : new Set(using.map((c) => c.user ?? '?'));
    for (const u of users) allUsers.add(u);
    const pairs = Math.max(users.size, 1);
    const perPair = sum([db.poolSize, db.reservePoolSize], `${db.poolSize.source} + ${db.reservePoolSize.source}`);
    let q = times(derived(pairs, `${pairs} user${pairs === 1 ? '' : 's'}`), perPair, `${db.database}: ${pairs} user${pairs === 1 ? '' : 's'}${users.size === 0 ? ' (assumed: no client names one)' : ''} × (${db.poolSize.value ?? '?'} pool + ${db.reservePoolSize.value ?? '?'} reserve)`);
    const cap = db.maxDbConnections;
    if (cap && isKnown(cap) && cap.value > 0 && (!isKnown(q) || q.value > cap.value)) q = { ...cap, source: `${db.database}: max_db_connections ${cap.value}` };
    const list = out.get(serverId) ?? [];
    list.push(q);
    out.set(serverId, list);
  }
  const result = new Map<string, Quantity>();
  const userCap = pl.maxUserConnections;
  for (const [id, list] of out) {
    let q = sum(list, list.map((x) => x.source).join(' + '));
    if (userCap && isKnown(userCap) && userCap.value > 0) {
      const capTotal = userCap.value * Math.max(allUsers.size, 1);
      if (!isKnown(q) || q.value > capTotal) q = derived(capTotal, `max_user_connections ${userCap.value} × ${Math.max(allUsers.size, 1)} user(s)`, undefined, userCap.range);
    }
    result.set(id, q);
  }
  return result;
}

/**
 * The pools whose target is unknown (ClientEdge.unknownTarget) that could reach a node: a client in
 * a compose project reaches compose services of its own project only (compose's default network),
 * and nodes outside compose; a Kubernetes client reaches no compose service; a client with no such
 * scope (PM2, serverless, an app no deployment file runs) could reach any node.
 */
function unknownClientsOf(ctx: BuildContext, services: ServiceBuild[], edges: ClientEdge[]): (nodeId: string) => UnknownClient[] {
  const scopeOf = new Map<string, EndpointScope>(services.map((s) => [s.node.id, s.scope]));
  const unknown = edges.filter((e) => e.target === undefined && e.unknownTarget !== undefined);
  return (nodeId) => {
    if (unknown.length === 0) return [];
    const entries = ctx.index.entries.filter((e) => e.target.id === nodeId);
    const composeFiles = new Set(entries.flatMap((e) => (e.scope?.composeFile !== undefined ? [e.scope.composeFile] : [])));
    const composeOnly = composeFiles.size > 0 && entries.every((e) => e.scope?.composeFile !== undefined || isLocalHost(e.host));
    return unknown
      .filter((e) => {
        const from = (e.serviceId ? scopeOf.get(e.serviceId) : undefined) ?? {};
        if (from.composeFile !== undefined) return !composeOnly || composeFiles.has(from.composeFile);
        if (from.namespace !== undefined) return !composeOnly;
        return true;
      })
      .map((e) => ({ poolId: e.poolId, ...(e.serviceId ? { serviceId: e.serviceId } : {}), reason: e.unknownTarget!, range: e.range }));
  };
}

/** A demand that pools of unknown target may add to: unknown, at least what is known. */
function withUnknownClients(q: Quantity, list: UnknownClient[]): Quantity {
  const n = list.length;
  return unknownQ(`${q.source} + ${n} pool${n === 1 ? '' : 's'} whose target is unknown`, `${n} pool${n === 1 ? '' : 's'} of the repository could connect here through a target the model does not know`, undefined, atLeast(q));
}
