/** Hand-built deployment models for the pooler rules' unit tests. */
import { buildProjectModel, type ProjectModel } from '../../src/model/project-model.js';
import type { SourceRange } from '../../src/core/location.js';
import type { LintSettings } from '../../src/engine/settings.js';
import type { ClientEdge, DeploymentModel, PoolerDatabaseEntry, PoolerNode, Quantity } from '../../src/model/deployment/types.js';
import { projectFacts, type ProjectFacts } from '../../src/model/project.js';
import { isParseError, parseConnectionString } from '../../src/sources/connection-url/parse.js';
import type { JsLibrary, PoolDefinition, SessionStateStatement } from '../../src/sources/js/types.js';

export const at = (file: string, line: number, column = 1, endColumn = column + 10): SourceRange => ({ file, line, column, endLine: line, endColumn });

const q = (value: number | undefined, source = 'test'): Quantity => ({ value, source, provenance: { kind: 'literal' } });

export function pool(library: JsLibrary, over: Partial<PoolDefinition> = {}): PoolDefinition {
  const range = over.range ?? at('/p/src/db.ts', 3);
  return {
    id: `src/db.ts:${range.line}:${range.column}`,
    library,
    kind: library === 'prisma' ? 'prisma-client' : 'pool',
    construct: library === 'postgres' ? 'postgres()' : library === 'prisma' ? 'new PrismaClient' : 'new Pool',
    file: range.file,
    range,
    exportedAs: [],
    scope: { kind: 'module' },
    max: { value: 10, provenance: { kind: 'default', note: 'test' } },
    startupParameters: [],
    options: [],
    ...over,
  };
}

export interface PoolerOptions {
  mode?: 'session' | 'transaction' | 'statement' | undefined;
  version?: string;
  maxPreparedStatements?: number;
  ignore?: string[];
  track?: string[];
  kind?: PoolerNode['kind'];
  product?: string;
  databases?: PoolerDatabaseEntry[];
}

export function pooler(o: PoolerOptions = {}): PoolerNode {
  const file = '/p/pgbouncer/pgbouncer.ini';
  const node: PoolerNode = {
    id: 'pooler:pgbouncer',
    name: 'pgbouncer',
    kind: o.kind ?? 'pgbouncer',
    range: at(file, 1),
    instances: q(1),
    poolMode: { value: 'mode' in o ? o.mode : 'transaction', range: at(file, 5), source: `pool_mode = ${o.mode ?? 'transaction'}` },
    maxClientConn: q(100),
    databases: o.databases ?? [],
    ignoreStartupParameters: o.ignore ?? [],
    trackExtraParameters: o.track ?? [],
    endpoints: [{ host: 'pgbouncer', port: 6432 }],
  };
  if (o.version !== undefined) node.version = o.version;
  if (o.product !== undefined) node.product = o.product;
  if (o.maxPreparedStatements !== undefined) node.maxPreparedStatements = { value: o.maxPreparedStatements, source: 'max_prepared_statements', provenance: { kind: 'literal' }, range: at(file, 7) };
  return node;
}

export function edge(def: PoolDefinition | undefined, target: PoolerNode, url?: string, urlRange: SourceRange = at('/p/.env', 1, 14, 14 + (url?.length ?? 0))): ClientEdge {
  const e: ClientEdge = {
    poolId: def?.id ?? 'prisma/schema.prisma:datasource',
    perInstance: q(10),
    total: q(10),
    target: { kind: 'pooler', id: target.id },
    link: 'test',
    range: def?.range ?? urlRange,
    origin: 'code',
  };
  if (def) e.pool = def;
  if (url !== undefined) {
    const parsed = parseConnectionString(url, urlRange);
    if (!isParseError(parsed)) {
      e.parsed = parsed;
      e.url = { redacted: parsed.redacted, range: urlRange };
      if (parsed.database) e.database = parsed.database;
      if (parsed.user) e.user = parsed.user;
    }
  }
  return e;
}

export function model(poolers: PoolerNode[], edges: ClientEdge[]): DeploymentModel {
  return { servers: [], poolers, services: [], edges, serverBudgets: [], poolerBudgets: [], notes: [], settings: { headroom: 10 } };
}

/** The run's model over a hand-built deployment model. */
export function projectModelOf(deployment: DeploymentModel, f: ProjectFacts, s: LintSettings): ProjectModel {
  return buildProjectModel(f, s, { deployment });
}

export function facts(pools: PoolDefinition[], sessionState: SessionStateStatement[] = []): ProjectFacts {
  return projectFacts('/p', { js: [{ file: '/p/src/db.ts', pools, leaks: [], poolTransactions: [], requestScopes: [], sessionState, problems: [] }] });
}

export function settings(pgbouncerVersion?: string): LintSettings {
  return {
    database: { version: 17, versionFromConfig: false },
    pgbouncer: { version: pgbouncerVersion ?? '1.25', versionFromConfig: pgbouncerVersion !== undefined },
  } as LintSettings;
}
