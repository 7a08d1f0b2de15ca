/**
 * Joins what was read from running servers with the repository's model (the run's one
 * ProjectModel): which model server or pooler each target is, and which model client (service
 * pool) each session belongs to. Computed once per run and handed to the `live-*` rules as
 * `ctx.live`, so no rule matches on its own. Pure: reads the model and the readings only.
 */
import type { SourceRange } from '../core/location.js';
import type { ProjectModel } from '../model/project-model.js';
import type { ClientEdge, PoolerNode, ServerBudget, ServerNode } from '../model/deployment/types.js';
import type { JoinedReading, LiveReading, LiveSession, SessionGroup, TargetMatch } from './types.js';

export interface JoinOptions {
  /** `--server NAME`: the model server (or pooler, for a PgBouncer target) every target is. */
  server?: string;
}

const LOCAL = new Set(['localhost', '127.0.0.1', '::1']);

/** Two host names for the same machine: equal ignoring case, or both loopback. */
function sameHost(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y || (LOCAL.has(x) && LOCAL.has(y));
}

type Node = { kind: 'server'; node: ServerNode } | { kind: 'pooler'; node: PoolerNode };

/** The nodes a target of this kind may be: servers for PostgreSQL, PgBouncers for an admin console. */
function candidates(model: ProjectModel, kind: 'postgresql' | 'pgbouncer'): Node[] {
  const d = model.deployment;
  return kind === 'postgresql' ? d.servers.map((node) => ({ kind: 'server' as const, node })) : d.poolers.filter((p) => p.kind === 'pgbouncer').map((node) => ({ kind: 'pooler' as const, node }));
}

function matchOf(n: Node, rule: TargetMatch['rule'], why: string): TargetMatch {
  return { kind: n.kind, id: n.node.id, name: n.node.name, rule, why, range: n.node.range };
}

/** Names a `--server` value may use: the node's name or id. */
export function modelNodeNames(model: ProjectModel, kind: 'postgresql' | 'pgbouncer'): string[] {
  return candidates(model, kind).map((n) => n.node.name);
}

/**
 * Which model node a target is: `--server NAME`, else the node the model itself linked the URL to
 * (`--from-model`), else the one whose host and port the URL names, else the only one of the
 * repository. No match: a reason, and the drift and model checks skip that target.
 */
export function matchTarget(model: ProjectModel, r: LiveReading, o: JoinOptions): { match?: TargetMatch; noMatch?: string } {
  const t = r.target;
  const nodes = candidates(model, t.kind);
  const what = t.kind === 'postgresql' ? 'server' : 'PgBouncer';
  if (o.server !== undefined) {
    const n = nodes.find((x) => x.node.name === o.server || x.node.id === o.server);
    if (n) return { match: matchOf(n, 'server-flag', `--server ${o.server}`) };
    return { noMatch: `--server ${o.server} names no ${what} of the repository` };
  }
  if (t.modelNode) {
    const n = nodes.find((x) => x.kind === t.modelNode!.kind && x.node.id === t.modelNode!.id);
    if (n) return { match: matchOf(n, 'model-url', t.modelNode.why) };
  }
  if (!t.host.startsWith('/')) {
    const byHost = nodes.filter((n) => n.node.endpoints.some((e) => sameHost(e.host, t.host) && e.port === t.port));
    if (byHost.length === 1) return { match: matchOf(byHost[0]!, 'host-port', `host and port ${t.host}:${t.port} are an endpoint of ${what} ${byHost[0]!.node.name}`) };
    if (byHost.length > 1) return { noMatch: `${t.host}:${t.port} is an endpoint of ${byHost.length} ${what}s of the repository (${byHost.map((n) => n.node.name).join(', ')}): say which with --server` };
  }
  if (nodes.length === 1) return { match: matchOf(nodes[0]!, 'only-one', `the only ${what} of the repository`) };
  if (nodes.length === 0) return { noMatch: `the repository defines no ${what}` };
  return { noMatch: `${t.host}:${t.port} is not an endpoint of any of the ${nodes.length} ${what}s of the repository (${nodes.map((n) => n.node.name).join(', ')}): say which with --server` };
}

/** A model client of a server: a service's pool, or a pooler's server connections. */
interface ModelClient {
  name: string;
  client: ServerBudget['clients'][number];
  edge?: ClientEdge;
  /** (user, database) pairs its sessions use. */
  logins: Array<{ user: string; database: string }>;
  applicationName?: string;
}

function modelClients(model: ProjectModel, serverId: string): ModelClient[] {
  const budget = model.deployment.serverBudgets.find((b) => b.serverId === serverId);
  if (!budget) return [];
  const out: ModelClient[] = [];
  for (const c of budget.clients) {
    if (c.kind === 'service' && c.edge) {
      const e = c.edge;
      out.push({
        name: c.name,
        client: c,
        edge: e,
        logins: e.user !== undefined && e.database !== undefined ? [{ user: e.user, database: e.database }] : [],
        ...(e.applicationName ? { applicationName: e.applicationName.value } : {}),
      });
    } else if (c.kind === 'pooler' && c.poolerId) {
      const pl = model.deployment.poolers.find((p) => p.id === c.poolerId);
      const logins = (pl?.databases ?? []).filter((d) => d.user !== undefined).map((d) => ({ user: d.user!, database: d.dbname ?? d.database }));
      out.push({ name: c.name, client: c, logins });
    }
  }
  return out;
}

/**
 * Groups a server's sessions by the model client they belong to: by application_name when a
 * client of the model sets that name, else by user and database; sessions that match neither form
 * groups of their own (matchedBy 'none'), by application_name, else user and database.
 */
export function groupSessions(model: ProjectModel, serverId: string, sessions: readonly LiveSession[]): SessionGroup[] {
  const clients = modelClients(model, serverId);
  type Building = { sessions: LiveSession[]; clients: ModelClient[]; byApp: number; byLogin: number; label: string };
  const groups = new Map<string, Building>();
  const add = (key: string, s: LiveSession, clientsOf: ModelClient[], label: string, how: 'app' | 'login' | 'none') => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { sessions: [], clients: clientsOf, byApp: 0, byLogin: 0, label }));
    g.sessions.push(s);
    if (how === 'app') g.byApp++;
    else if (how === 'login') g.byLogin++;
  };
  // Sessions of the same model client(s) form one group, however each was matched.
  for (const s of sessions) {
    const app = s.applicationName ?? '';
    const byApp = app !== '' ? clients.filter((c) => c.applicationName === app) : [];
    const byLogin = byApp.length === 0 && s.user !== null && s.database !== null ? clients.filter((c) => c.logins.some((l) => l.user === s.user && l.database === s.database)) : [];
    const matched = byApp.length > 0 ? byApp : byLogin;
    if (matched.length > 0) {
      const names = unique(matched.map((c) => c.name));
      add(`model\0${names.join('\0')}`, s, matched, names.join(' + '), byApp.length > 0 ? 'app' : 'login');
      continue;
    }
    const label = app !== '' ? `application_name "${app}"` : s.user !== null ? `user ${s.user}, database ${s.database ?? '?'}` : 'sessions not visible to this role';
    add(`none\0${label}`, s, [], label, 'none');
  }
  const out: SessionGroup[] = [];
  for (const g of groups.values()) {
    const cs = unique(g.clients);
    const totals = cs.map((c) => c.client.total);
    const known = totals.every((q) => q.value !== undefined);
    const related: Array<{ range: SourceRange; message: string }> = [];
    for (const c of cs) {
      const e = c.edge;
      if (e) related.push({ range: e.range, message: `${c.name}: ${c.client.total.source} = ${c.client.total.value ?? 'unknown'}` });
      if (e?.applicationName?.range) related.push({ range: e.applicationName.range, message: `application_name "${e.applicationName.value}" (${e.applicationName.source})` });
      if (!e && c.client.kind === 'pooler') {
        const pl = model.deployment.poolers.find((p) => p.id === c.client.poolerId);
        if (pl) related.push({ range: pl.range, message: `${c.name}: ${c.client.total.source} = ${c.client.total.value ?? 'unknown'}` });
      }
    }
    const matchedBy: SessionGroup['matchedBy'] = g.byApp > 0 && g.byLogin > 0 ? 'both' : g.byApp > 0 ? 'application_name' : g.byLogin > 0 ? 'user+database' : 'none';
    const group: SessionGroup = {
      label: g.label,
      matchedBy,
      byApplicationName: g.byApp,
      byUserDatabase: g.byLogin,
      services: unique(cs.map((c) => c.name)),
      pids: g.sessions.map((s) => s.pid),
      count: g.sessions.length,
      modelPeak: cs.length > 0 && known ? totals.reduce((a, q) => a + (q.value ?? 0), 0) : undefined,
      modelPeakSource: cs.length === 1 ? cs[0]!.client.total.source : cs.map((c) => `${c.name}: ${c.client.total.source}`).join(' + '),
      related,
    };
    if (cs.length > 0 && !known) group.unknownReason = cs.filter((c) => c.client.total.value === undefined).map((c) => `${c.name}: ${c.client.total.source}`).join('; ');
    out.push(group);
  }
  return out.sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : 1));
}

/** "application_name", "user and database", "application_name (8) and user and database (1)". */
export function matchedByText(g: SessionGroup): string {
  if (g.matchedBy === 'both') return `application_name (${g.byApplicationName}) and user and database (${g.byUserDatabase})`;
  return g.matchedBy === 'application_name' ? 'application_name' : g.matchedBy === 'user+database' ? 'user and database' : 'nothing';
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/** Every reading with its model node and, for a PostgreSQL server with a match, its sessions grouped by model client. */
export function joinReadings(model: ProjectModel, readings: readonly LiveReading[], o: JoinOptions): JoinedReading[] {
  return readings.map((r) => {
    const j: JoinedReading = { ...r };
    const m = matchTarget(model, r, o);
    if (m.match) j.match = m.match;
    if (m.noMatch) j.noMatch = m.noMatch;
    if (r.result?.kind === 'postgresql' && m.match?.kind === 'server') j.groups = groupSessions(model, m.match.id, r.result.sessions);
    return j;
  });
}
