import type { BudgetJson, ClientJson, PoolerBudgetJson, ServerBudgetJson, Status, UnknownClientJson } from './json.js';
import { escapeStrings, neutraliseCommands } from '../escape.js';
import { wrapWords } from '../wrap.js';

/**
 * `pgconn-lint budget`: one table per server and per pooler, with a bar of demand against the limit.
 * Names, sources, paths and notes come from the repository: every string of the budget is escaped
 * (escape.ts) before it is laid out, and the output gets the line-level pass.
 */

export interface TextOptions {
  color: boolean;
  /** Bar width in cells. */
  width?: number;
  /**
   * Columns of the output: text wraps at this width, and a client table wider than it is laid out
   * narrow (one block per client, each value on its own line). No limit when absent.
   */
  columns?: number;
}

const ANSI = { red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };
const STATUS_COLOR: Record<Status, string> = { ok: ANSI.green, warning: ANSI.yellow, over: ANSI.red, unknown: ANSI.dim };
const PARTIAL = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

function num(v: number | null, atLeast?: number): string {
  if (v !== null) return String(v);
  return atLeast !== undefined && atLeast > 0 ? `≥${atLeast}` : '?';
}

/** A bar of `value` against `limit`: full blocks, an eighth-block tail, light shade for the rest. */
export function bar(value: number, limit: number, width: number): string {
  if (limit <= 0) return '░'.repeat(width);
  const eighths = Math.round(Math.min(value / limit, 1) * width * 8);
  const full = Math.floor(eighths / 8);
  const tail = PARTIAL[eighths % 8] ?? '';
  const used = full + (tail ? 1 : 0);
  return '█'.repeat(full) + tail + '░'.repeat(Math.max(0, width - used));
}

function table(rows: string[][], indent: string): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - [...c].length))).join('  ').trimEnd());
}

/** A line of text wrapped at the output's columns; continuation lines indented by `indent` (plus the line's own leading spaces). */
function wrapped(o: TextOptions, line: string, indent = 2): string[] {
  if (!o.columns) return [line];
  const lead = /^ */.exec(line)![0].length;
  return wrapWords(line.slice(lead), o.columns, lead, lead + indent).map((l, i) => (i === 0 ? ' '.repeat(lead) + l : l));
}

/**
 * The client table, or — when it is wider than the output — one block per client: its name and
 * kind, then instances, per instance and total on lines of their own, wrapped. `total` is the last
 * row (`demand` / `clients`).
 */
function clientTable(o: TextOptions, rows: string[][], totalLabel: string, total: string): string[] {
  const wide = table([...rows, ['', '', '', totalLabel, total]], '  ');
  if (!o.columns || wide.every((l) => [...l].length <= o.columns!)) return wide;
  const out: string[] = [];
  for (const [name = '', kind = '', instances = '', per = '', sum = ''] of rows.slice(1)) {
    out.push(...wrapped(o, `  ${name} (${kind})`, 4));
    for (const [label, value] of [['instances', instances], ['per instance', per], ['total', sum]] as const) {
      out.push(...wrapped(o, `      ${label.padEnd(13)}${value}`, 13));
    }
  }
  out.push(`  ${totalLabel} ${total}`);
  return out;
}

function clientRows(clients: ClientJson[]): string[][] {
  const rows: string[][] = [['client', 'kind', 'instances', 'per instance', 'total']];
  for (const c of clients) {
    rows.push([
      c.name,
      c.kind,
      `${num(c.instances)}  ${c.instancesSource}`,
      `${num(c.perInstance)}  ${c.perInstanceSource}`,
      num(c.total, c.totalAtLeast),
    ]);
  }
  return rows;
}

function statusLine(o: TextOptions, status: Status, demand: number | null, demandAtLeast: number | undefined, limit: number | null, headroom: number | null, width: number): string {
  const paint = (s: string) => (o.color ? `${STATUS_COLOR[status]}${s}${ANSI.reset}` : s);
  const d = demand ?? demandAtLeast ?? 0;
  const b = limit !== null ? bar(d, limit, width) : '·'.repeat(width);
  let verdict: string;
  if (limit === null) verdict = 'limit unknown';
  else if (status === 'over') verdict = `OVER by ${demand !== null ? demand - limit : `at least ${d - limit}`}`;
  else if (status === 'warning') verdict = `only ${limit - d} free (headroom ${headroom ?? 0})`;
  else if (status === 'ok') verdict = `${limit - d} free`;
  else verdict = `demand unknown (at least ${d})`;
  return `  ${paint(b)} ${num(demand, demandAtLeast)} / ${num(limit)}  ${paint(verdict)}`;
}

function serverSection(s: ServerBudgetJson, o: TextOptions, width: number): string[] {
  const head = `PostgreSQL ${s.name}  (${s.kind}${s.location ? `, ${s.location.file}:${s.location.line}` : ''})`;
  const lines = wrapped(o, head, 4).map((l) => (o.color ? `${ANSI.bold}${l}${ANSI.reset}` : l));
  const mc = s.maxConnectionsSource.startsWith('max_connections') ? s.maxConnectionsSource : `max_connections ${num(s.maxConnections)} (${s.maxConnectionsSource})`;
  lines.push(...wrapped(o, `  ${mc} − ${num(s.reserved)} reserved = ${num(s.available)} available · headroom ${s.headroom}`));
  if (s.limit !== s.available) lines.push(...wrapped(o, `  limit ${num(s.limit)}: ${s.limitSource}`));
  if (s.clients.length === 0) lines.push('  no client reaches this server');
  else {
    lines.push('');
    lines.push(...clientTable(o, clientRows(s.clients), 'demand', num(s.demand, s.demandAtLeast)));
  }
  lines.push(...unknownLines(o, s.unknownClients));
  lines.push('');
  lines.push(statusLine(o, s.status, s.demand, s.demandAtLeast, s.limit, s.headroom, width));
  return lines;
}

/** Pools that could reach the node, through a target the model does not know. */
function unknownLines(o: TextOptions, list: UnknownClientJson[] | undefined): string[] {
  if (!list || list.length === 0) return [];
  return ['', '  target unknown, could also connect here:', ...list.flatMap((u) => wrapped(o, `    ${u.location ? `${u.location.file}:${u.location.line}` : u.pool}${u.service ? ` (${u.service})` : ''}: ${u.reason}`))];
}

function poolerSection(p: PoolerBudgetJson, o: TextOptions, width: number): string[] {
  const head = `Pooler ${p.name}  (${p.product ?? p.kind}${p.version ? ` ${p.version}` : ''}, ${p.mode ?? 'mode unknown'} mode${p.server ? ` → ${p.server}` : ''})`;
  const lines = wrapped(o, head, 4).map((l) => (o.color ? `${ANSI.bold}${l}${ANSI.reset}` : l));
  lines.push(...wrapped(o, `  max_client_conn ${num(p.maxClientConn)} × ${num(p.instances)} instance${p.instances === 1 ? '' : 's'} (${p.instancesSource}) = ${num(p.maxClientConnTotal)} clients · server connections ${num(p.serverConnections, p.serverConnectionsAtLeast)}`));
  if (p.clients.length === 0) lines.push('  no client of the repository reaches this pooler');
  else {
    lines.push('');
    lines.push(...clientTable(o, clientRows(p.clients), 'clients', num(p.clientDemand, p.clientDemandAtLeast)));
  }
  lines.push(...unknownLines(o, p.unknownClients));
  lines.push('');
  lines.push(statusLine(o, p.status, p.clientDemand, p.clientDemandAtLeast, p.maxClientConnTotal, null, width));
  return lines;
}

export function formatBudgetText(budget: BudgetJson, o: TextOptions): string {
  return neutraliseCommands(layout(escapeStrings(budget), o));
}

function layout(b: BudgetJson, o: TextOptions): string {
  // The bar leaves room for ` 140 / 97  OVER by 43` on the line when the output is narrow.
  const width = o.width ?? (o.columns ? Math.min(40, Math.max(10, o.columns - 32)) : 40);
  const out: string[] = [];
  for (const s of b.servers) out.push(...serverSection(s, o, width), '');
  for (const p of b.poolers) out.push(...poolerSection(p, o, width), '');
  if (b.servers.length === 0 && b.poolers.length === 0) out.push('No PostgreSQL server or pooler found (declare managed ones in the config file: deployment.servers).', '');
  if (b.unlinked.length > 0) {
    out.push('Not linked to a server or pooler:');
    for (const u of b.unlinked) out.push(...wrapped(o, `  ${u.location ? `${u.location.file}:${u.location.line}` : u.pool}${u.service ? ` (${u.service})` : ''}: ${u.reason}`));
    out.push('');
  }
  if (b.notes.length > 0) {
    out.push(o.color ? `${ANSI.dim}Notes:${ANSI.reset}` : 'Notes:');
    for (const n of b.notes) out.push(...wrapped(o, `  - ${n}`));
    out.push('');
  }
  return out.join('\n');
}
