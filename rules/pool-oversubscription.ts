import type { RelatedLocation } from '../src/core/diagnostic.js';
import type { SourceRange } from '../src/core/location.js';
import { defineRule } from '../src/engine/rule.js';
import { atLeast, show } from '../src/model/deployment/quantity.js';
import type { DeploymentModel, PoolerBudget, PoolerNode, Quantity, ServerBudget, ServerNode } from '../src/model/deployment/types.js';

type Client = ServerBudget['clients'][number];

/** "api: 6 replicas × max 20 = 120". */
function clientText(c: { name: string; instances: Quantity; perInstance: Quantity; total: Quantity }): string {
  return `${c.name}: ${c.instances.source} × ${c.perInstance.source} = ${show(c.total)}`;
}

/** Where a contributor is written: the pool in code, the env line, the pooler's pool size. */
function clientRange(model: DeploymentModel, c: Client): SourceRange | undefined {
  if (c.edge) return c.edge.range;
  const pl = model.poolers.find((p) => p.id === c.poolerId);
  return pl?.databases.find((d) => d.poolSize.range)?.poolSize.range ?? pl?.defaultPoolSize?.range ?? pl?.range;
}

function largest<T extends { total: Quantity }>(list: T[]): T | undefined {
  return [...list].sort((a, b) => atLeast(b.total) - atLeast(a.total))[0];
}

function serverPhrase(s: ServerNode, b: ServerBudget): string {
  const avail = b.limit === b.available ? `${show(b.available)} available (${b.available.source})` : `${show(b.limit)} (${b.limit.source})`;
  return `${avail} on ${s.name}`;
}

export default defineRule({
  meta: {
    id: 'pool-oversubscription',
    description: 'Report pools whose peak connections, added up over every replica and process, exceed what the PostgreSQL server or the pooler accepts.',
    type: 'problem',
    category: 'capacity',
    defaultSeverity: 'error',
    recommended: true,
    inputs: ['js', 'compose', 'kubernetes', 'postgresql-conf', 'pgbouncer-ini'],
    scope: 'project',
    fixable: false,
    hasSuggestions: true,
    since: '0.1.0',
    nonProduction: {
      action: 'skip',
      reason: 'A test or CI deployment (a compose file under a test folder) is not the production budget; the deployment model never counts non-production code or services in any budget either.',
    },
    messages: {
      over: '{{breakdown}}; {{demand}} > {{limit}}: at peak, connections beyond that fail with "sorry, too many clients already".',
      tight: '{{breakdown}}; {{demand}} of {{limit}} leaves {{remaining}} free, fewer than the {{headroom}} kept for migrations, admin sessions and monitoring.',
      helpFit: 'Lower the pool max of {{service}} to {{fit}} (floor(({{limitValue}} − {{headroom}} headroom{{others}}) / {{instances}} instances)), or put PgBouncer in transaction mode in front of {{server}}.',
      helpEven: 'Size the pools to at most {{evenFit}} connections per process ({{budget}} connections for {{processes}} processes after the {{headroom}} headroom), or put PgBouncer in transaction mode in front of {{server}}.',
      helpPooler: 'No pool size of {{service}} fits {{instances}}: put PgBouncer in transaction mode in front of {{server}} (its pool size, not the client count, then decides the server connections), or raise max_connections to at least {{needed}}.',
      helpPoolerSide: 'Lower the pool size of {{service}} (default_pool_size/pool_size + reserve_pool_size) so that all poolers open at most {{fitTotal}} server connections, or raise max_connections to at least {{needed}}.',
      poolerOver: '{{breakdown}}; {{demand}} client connections > {{limit}} on {{pooler}}: clients beyond that are refused with "no more connections allowed (max_client_conn)".',
      helpPoolerClients: 'Raise max_client_conn of {{pooler}} to at least {{needed}}, run more instances of it, or lower the pool max of {{service}} to {{fit}}.',
    },
    options: {
      headroom: {
        type: 'integer',
        description: 'Connections to keep free on each server for migrations, admin sessions and monitoring (warning when fewer remain). The config file\'s deployment.headroom is used when this option is left at its default.',
        default: 10,
        minimum: 0,
      },
    },
  },
  check(ctx) {
    const model = ctx.model.deployment;
    const opt = Number(ctx.options.headroom);
    const headroom = opt !== 10 ? opt : model.settings.headroom;
    for (const b of model.serverBudgets) checkServer(ctx, model, b, headroom);
    for (const b of model.poolerBudgets) checkPooler(ctx, model, b);
  },
});

type Ctx = Parameters<Parameters<typeof defineRule>[0]['check']>[0];

function checkServer(ctx: Ctx, model: DeploymentModel, b: ServerBudget, headroom: number): void {
  const server = model.servers.find((s) => s.id === b.serverId);
  if (!server || b.clients.length === 0 || b.limit.value === undefined) return;
  const limit = b.limit.value;
  const low = atLeast(b.demand);
  const over = low > limit;
  const tight = !over && limit - low < headroom;
  if (!over && !tight) return;
  const top = largest(b.clients)!;
  const range = clientRange(model, top);
  if (!range) return;
  const others = b.clients.filter((c) => c !== top);
  const breakdown = [top, ...others].map(clientText).join(' + ');
  const demand = b.demand.value !== undefined ? String(b.demand.value) : `at least ${low}`;
  const related: RelatedLocation[] = [];
  for (const c of others) {
    const r = clientRange(model, c);
    if (r) related.push({ range: r, message: clientText(c) });
  }
  if (top.instances.range) related.push({ range: top.instances.range, message: `${top.name}: ${top.instances.source}` });
  if (server.maxConnections.range) related.push({ range: server.maxConnections.range, message: server.maxConnections.source });
  const data: Record<string, string | number> = {
    breakdown,
    demand,
    limit: serverPhrase(server, b),
    remaining: limit - low,
    headroom,
    service: top.name,
    server: server.name,
    limitValue: limit,
  };
  const othersTotal = others.reduce((n, c) => n + atLeast(c.total), 0);
  const inst = top.instances.value;
  let helpId: string;
  if (top.kind === 'pooler') {
    helpId = 'helpPoolerSide';
    data.fitTotal = Math.max(0, limit - headroom - othersTotal);
    data.needed = (b.demand.value ?? low) + headroom + (server.maxConnections.value ?? 0) - limit;
  } else if (inst !== undefined && inst > 0) {
    const fit = Math.floor((limit - headroom - othersTotal) / inst);
    data.instances = inst;
    data.others = othersTotal > 0 ? ` − ${othersTotal} other` : '';
    data.needed = (b.demand.value ?? low) + headroom + (server.maxConnections.value ?? 0) - limit;
    const services = b.clients.filter((c) => c.kind === 'service');
    const processes = services.reduce((n, c) => n + (c.instances.value ?? NaN), 0);
    const poolerTotal = b.clients.filter((c) => c.kind === 'pooler').reduce((n, c) => n + atLeast(c.total), 0);
    const evenFit = Math.floor((limit - headroom - poolerTotal) / processes);
    if (fit >= 1) {
      data.fit = fit;
      helpId = 'helpFit';
    } else if (services.length > 1 && Number.isFinite(evenFit) && evenFit >= 1) {
      Object.assign(data, { evenFit, budget: limit - headroom - poolerTotal, processes });
      helpId = 'helpEven';
    } else {
      data.instances = `${inst} instance${inst === 1 ? '' : 's'}`;
      helpId = 'helpPooler';
    }
  } else {
    data.instances = top.instances.source;
    data.needed = (b.demand.value ?? low) + headroom + (server.maxConnections.value ?? 0) - limit;
    helpId = 'helpPooler';
  }
  // The editor offers the fitting max where the code writes it as a number (a judgement call: the
  // service may need the connections, and PgBouncer may be the better answer).
  const max = top.edge?.pool?.max;
  const suggest =
    helpId === 'helpFit' && max?.provenance.kind === 'literal' && max.range && top.edge?.pool?.connectionsPerProcess === undefined && max.value !== undefined && max.value > Number(data.fit)
      ? [{ desc: `Set the pool max of ${top.name} to ${data.fit}`, fix: [{ range: max.range, text: String(data.fit) }] }]
      : undefined;
  ctx.report({ messageId: over ? 'over' : 'tight', helpId, data, range, related, severity: over ? 'error' : 'warning', ...(suggest ? { suggest } : {}) });
}

function checkPooler(ctx: Ctx, model: DeploymentModel, b: PoolerBudget): void {
  if (b.status !== 'over' || b.maxClientConn.value === undefined) return;
  const pooler = model.poolers.find((p) => p.id === b.poolerId) as PoolerNode;
  const clients = b.clients.map((e) => ({ e, name: model.services.find((s) => s.id === e.serviceId)?.name ?? e.poolId, instances: model.services.find((s) => s.id === e.serviceId)?.peakInstances }));
  const rows = clients.map((c) => ({ ...c, total: c.e.total, perInstance: c.e.perInstance, instances: c.instances ?? c.e.total }));
  const top = largest(rows)!;
  const others = rows.filter((r) => r !== top);
  const limit = b.maxClientConn.value;
  const low = atLeast(b.clientDemand);
  const othersTotal = others.reduce((n, r) => n + atLeast(r.total), 0);
  const inst = top.instances.value;
  const fit = inst ? Math.max(1, Math.floor((limit - othersTotal) / inst)) : 1;
  const related: RelatedLocation[] = others.map((r) => ({ range: r.e.range, message: clientText(r) }));
  if (top.instances.range) related.push({ range: top.instances.range, message: `${top.name}: ${top.instances.source}` });
  if (pooler.maxClientConn.range) related.push({ range: pooler.maxClientConn.range, message: pooler.maxClientConn.source });
  ctx.report({
    messageId: 'poolerOver',
    helpId: 'helpPoolerClients',
    data: {
      breakdown: rows.map(clientText).join(' + '),
      demand: b.clientDemand.value !== undefined ? String(b.clientDemand.value) : `at least ${low}`,
      limit: `${limit} (${b.maxClientConn.source})`,
      pooler: pooler.name,
      needed: b.clientDemand.value ?? low,
      service: top.name,
      fit,
    },
    range: top.e.range,
    related,
    severity: 'error',
  });
}
