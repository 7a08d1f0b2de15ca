import { isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from 'yaml';
import type { SourceRange } from '../../core/location.js';
import { parseByteSize, parsePgInt } from '../../catalog/postgresql/values.js';
import { parsePgMajor, PG_MAJORS } from '../../catalog/postgresql/catalog.js';
import { closestName } from '../../catalog/suggest.js';
import type { Declared, DeclaredPooler, DeclaredServer, DeclaredService, DeploymentSettings } from './types.js';

/**
 * The config file's `deployment` section (docs/config.md): declares or overrides services,
 * servers and poolers the files do not describe, the headroom kept free and the CPU count.
 * Errors are thrown through `fail` (the config loader turns them into `file:line:col: message`).
 */
export interface DeploymentConfigContext {
  file: string;
  lc: LineCounter;
  fail(node: Node | Pair | null | undefined, message: string): never;
}

export const DEPLOYMENT_KEYS = ['headroom', 'cpus', 'services', 'servers', 'poolers'] as const;
export const SERVICE_KEYS = ['name', 'paths', 'instances', 'connectionsPerInstance', 'target'] as const;
export const SERVER_KEYS = [
  'name',
  'host',
  'hosts',
  'port',
  'maxConnections',
  'superuserReservedConnections',
  'reservedConnections',
  'memory',
  'version',
  'instances',
  'idleInTransactionSessionTimeout',
] as const;
export const POOLER_KEYS = [
  'name',
  'host',
  'hosts',
  'port',
  'mode',
  'maxClientConn',
  'poolSize',
  'reservePoolSize',
  'instances',
  'server',
  'version',
  'maxPreparedStatements',
  'idleTransactionTimeout',
] as const;

const keyOf = (p: Pair): string => String(isScalar(p.key) ? p.key.value : p.key);

function rangeOf(ctx: DeploymentConfigContext, node: Node | Pair | null | undefined): SourceRange {
  const target = (node && 'key' in node ? node.key : node) as { range?: [number, number, number] } | null | undefined;
  const [start, end] = [target?.range?.[0] ?? 0, target?.range?.[1] ?? 0];
  const a = ctx.lc.linePos(start);
  const b = ctx.lc.linePos(Math.max(end, start));
  return { file: ctx.file, line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
}

function unknownKey(ctx: DeploymentConfigContext, pair: Pair, key: string, allowed: readonly string[], where: string): never {
  const guess = closestName(key, allowed);
  ctx.fail(pair, `unknown key "${key}" in ${where}${guess ? ` (did you mean "${guess}"?)` : ''}; allowed: ${allowed.join(', ')}`);
}

function int(ctx: DeploymentConfigContext, pair: Pair, what: string, min: number): Declared<number> {
  const v = isScalar(pair.value) ? pair.value.value : undefined;
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) ctx.fail(pair, `${what} must be a whole number${min > 0 ? ` of at least ${min}` : ' (0 or more)'}`);
  return { value: n, range: rangeOf(ctx, pair) };
}

/**
 * A version written as a number that loses digits (`1.20` is the number 1.2 in JSON and YAML): the
 * message saying to quote it, with the text as written; undefined when the number is the text (1.25).
 */
export function versionLosesDigits(node: unknown, what: string): string | undefined {
  if (!isScalar(node) || typeof node.value !== 'number' || typeof node.source !== 'string' || node.source === String(node.value)) return undefined;
  return `${what} ${node.source} is read as the number ${node.value}: write the version as a string, "${node.source}"`;
}

function str(ctx: DeploymentConfigContext, pair: Pair, what: string): Declared<string> {
  const v = isScalar(pair.value) ? pair.value.value : undefined;
  if ((typeof v !== 'string' && typeof v !== 'number') || String(v).trim() === '') ctx.fail(pair, `${what} must be a non-empty string`);
  return { value: String(v), range: rangeOf(ctx, pair) };
}

function strings(ctx: DeploymentConfigContext, pair: Pair, what: string): Declared<string[]> {
  if (isScalar(pair.value)) return { value: [str(ctx, pair, what).value], range: rangeOf(ctx, pair) };
  if (!isSeq(pair.value) || !pair.value.items.every((i) => isScalar(i) && (typeof i.value === 'string' || typeof i.value === 'number'))) {
    ctx.fail(pair, `${what} must be a string or a list of strings`);
  }
  return { value: pair.value.items.map((i) => String((i as { value: string | number }).value)), range: rangeOf(ctx, pair) };
}

/** A duration: a number of `unit`s, or a string with a PostgreSQL time unit ("5min", "30s"). Returns ms. */
function duration(ctx: DeploymentConfigContext, pair: Pair, what: string, unit: 'ms' | 's'): Declared<number> {
  const v = isScalar(pair.value) ? pair.value.value : undefined;
  const parsed = typeof v === 'number' ? { ok: true as const, value: v } : typeof v === 'string' ? parsePgInt(v, unit) : { ok: false as const };
  if (!parsed.ok || parsed.value < 0) ctx.fail(pair, `${what} must be a duration such as "5min" or a number of ${unit === 'ms' ? 'milliseconds' : 'seconds'}`);
  return { value: unit === 's' ? parsed.value * 1000 : parsed.value, range: rangeOf(ctx, pair) };
}

function nameOf(ctx: DeploymentConfigContext, node: Node, where: string): string {
  const pair = isMap(node) ? node.items.find((p) => keyOf(p) === 'name') : undefined;
  if (!pair) ctx.fail(node, `each entry of ${where} needs a "name"`);
  return str(ctx, pair, `${where}[].name`).value;
}

function list(ctx: DeploymentConfigContext, pair: Pair, where: string): Node[] {
  if (!isSeq(pair.value)) ctx.fail(pair, `${where} must be a list`);
  const items = pair.value.items as Node[];
  for (const i of items) if (!isMap(i)) ctx.fail(i, `each entry of ${where} must be an object`);
  return items;
}

function readService(ctx: DeploymentConfigContext, node: Node): DeclaredService {
  const where = 'deployment.services';
  const out: DeclaredService = { name: nameOf(ctx, node, where), range: rangeOf(ctx, node) };
  if (!isMap(node)) return out;
  for (const p of node.items) {
    const k = keyOf(p);
    if (k === 'name') continue;
    else if (k === 'paths') out.paths = strings(ctx, p, `${where}[].paths`);
    else if (k === 'instances') out.instances = int(ctx, p, `${where}[].instances`, 0);
    else if (k === 'connectionsPerInstance') out.connectionsPerInstance = int(ctx, p, `${where}[].connectionsPerInstance`, 0);
    else if (k === 'target') out.target = str(ctx, p, `${where}[].target`);
    else unknownKey(ctx, p, k, SERVICE_KEYS, `"${where}"`);
  }
  return out;
}

function readServer(ctx: DeploymentConfigContext, node: Node): DeclaredServer {
  const where = 'deployment.servers';
  const out: DeclaredServer = { name: nameOf(ctx, node, where), range: rangeOf(ctx, node), hosts: [] };
  if (!isMap(node)) return out;
  for (const p of node.items) {
    const k = keyOf(p);
    if (k === 'name') continue;
    else if (k === 'host' || k === 'hosts') out.hosts.push(...strings(ctx, p, `${where}[].${k}`).value);
    else if (k === 'port') out.port = int(ctx, p, `${where}[].port`, 1).value;
    else if (k === 'maxConnections') out.maxConnections = int(ctx, p, `${where}[].maxConnections`, 1);
    else if (k === 'superuserReservedConnections') out.superuserReservedConnections = int(ctx, p, `${where}[].superuserReservedConnections`, 0);
    else if (k === 'reservedConnections') out.reservedConnections = int(ctx, p, `${where}[].reservedConnections`, 0);
    else if (k === 'instances') out.instances = int(ctx, p, `${where}[].instances`, 1);
    else if (k === 'memory') {
      const v = isScalar(p.value) ? p.value.value : undefined;
      const n = typeof v === 'number' ? v : typeof v === 'string' ? parseByteSize(v) : undefined;
      if (n === undefined || n <= 0) ctx.fail(p, `${where}[].memory must be a size such as "16GB"`);
      out.memoryBytes = { value: n, range: rangeOf(ctx, p) };
    } else if (k === 'version') {
      const v = isScalar(p.value) ? p.value.value : undefined;
      const major = typeof v === 'string' || typeof v === 'number' ? parsePgMajor(v) : undefined;
      if (major === undefined) ctx.fail(p, `${where}[].version must be a PostgreSQL major version from ${PG_MAJORS[0]} to ${PG_MAJORS[PG_MAJORS.length - 1]}`);
      out.version = { value: major, range: rangeOf(ctx, p) };
    } else if (k === 'idleInTransactionSessionTimeout') out.idleInTransactionSessionTimeoutMs = duration(ctx, p, `${where}[].idleInTransactionSessionTimeout`, 'ms');
    else unknownKey(ctx, p, k, SERVER_KEYS, `"${where}"`);
  }
  return out;
}

function readPooler(ctx: DeploymentConfigContext, node: Node): DeclaredPooler {
  const where = 'deployment.poolers';
  const out: DeclaredPooler = { name: nameOf(ctx, node, where), range: rangeOf(ctx, node), hosts: [] };
  if (!isMap(node)) return out;
  for (const p of node.items) {
    const k = keyOf(p);
    if (k === 'name') continue;
    else if (k === 'host' || k === 'hosts') out.hosts.push(...strings(ctx, p, `${where}[].${k}`).value);
    else if (k === 'port') out.port = int(ctx, p, `${where}[].port`, 1).value;
    else if (k === 'mode') {
      const m = str(ctx, p, `${where}[].mode`);
      if (m.value !== 'session' && m.value !== 'transaction' && m.value !== 'statement') ctx.fail(p, `${where}[].mode must be "session", "transaction" or "statement"`);
      out.mode = { value: m.value, range: m.range };
    } else if (k === 'maxClientConn') out.maxClientConn = int(ctx, p, `${where}[].maxClientConn`, 1);
    else if (k === 'poolSize') out.poolSize = int(ctx, p, `${where}[].poolSize`, 0);
    else if (k === 'reservePoolSize') out.reservePoolSize = int(ctx, p, `${where}[].reservePoolSize`, 0);
    else if (k === 'instances') out.instances = int(ctx, p, `${where}[].instances`, 1);
    else if (k === 'server') out.server = str(ctx, p, `${where}[].server`);
    else if (k === 'version') {
      // `version: 1.20` is the number 1.2: PgBouncer versions are written as strings.
      const lost = versionLosesDigits(p.value, `${where}[].version`);
      if (lost !== undefined) ctx.fail(p.value as Node, lost);
      out.version = str(ctx, p, `${where}[].version`);
    }
    else if (k === 'maxPreparedStatements') out.maxPreparedStatements = int(ctx, p, `${where}[].maxPreparedStatements`, 0);
    else if (k === 'idleTransactionTimeout') out.idleTransactionTimeoutMs = duration(ctx, p, `${where}[].idleTransactionTimeout`, 's');
    else unknownKey(ctx, p, k, POOLER_KEYS, `"${where}"`);
  }
  return out;
}

/** Reads `deployment:`; throws through ctx.fail with the position of the offending key. */
export function readDeploymentSection(value: Node | null, ctx: DeploymentConfigContext): DeploymentSettings {
  const out: DeploymentSettings = { file: ctx.file, services: [], servers: [], poolers: [] };
  if (value === null) return out;
  if (!isMap(value)) ctx.fail(value, '"deployment" must be an object');
  for (const p of value.items) {
    const k = keyOf(p);
    if (k === 'headroom') out.headroom = int(ctx, p, 'deployment.headroom', 0);
    else if (k === 'cpus') out.cpus = int(ctx, p, 'deployment.cpus', 1);
    else if (k === 'services') out.services = list(ctx, p, 'deployment.services').map((n) => readService(ctx, n));
    else if (k === 'servers') out.servers = list(ctx, p, 'deployment.servers').map((n) => readServer(ctx, n));
    else if (k === 'poolers') out.poolers = list(ctx, p, 'deployment.poolers').map((n) => readPooler(ctx, n));
    else unknownKey(ctx, p, k, DEPLOYMENT_KEYS, '"deployment"');
  }
  const dup = (names: string[], what: string, nodes: Node[]) => {
    const seen = new Set<string>();
    names.forEach((n, i) => {
      if (seen.has(n)) ctx.fail(nodes[i], `${what} "${n}" is declared twice`);
      seen.add(n);
    });
  };
  const items = (key: string): Node[] => {
    const pair = value.items.find((p) => keyOf(p) === key);
    return pair && isSeq(pair.value) ? (pair.value.items as Node[]) : [];
  };
  dup(out.services.map((s) => s.name), 'deployment.services: service', items('services'));
  dup(out.servers.map((s) => s.name), 'deployment.servers: server', items('servers'));
  dup(out.poolers.map((s) => s.name), 'deployment.poolers: pooler', items('poolers'));
  return out;
}
