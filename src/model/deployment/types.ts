import type { SourceRange } from '../../core/location.js';
import type { Provenance } from '../../sources/js/types.js';

/**
 * The deployment model: who opens how many connections to which pooler and server.
 * Every number is a Quantity: its value (or unknown), where it comes from, and the
 * line that sets it. Built by src/model/deployment/build.ts from the facts of all files.
 */
export interface Quantity {
  /** undefined = unknown (never treated as zero). */
  value: number | undefined;
  /** Short human text for messages: "replicas: 6 (deploy.replicas)", "pg default 10", "HPA maxReplicas 50". */
  source: string;
  provenance: Provenance | { kind: 'derived'; note: string } | { kind: 'config'; note: string };
  range?: SourceRange;
}

export interface ServerNode {
  id: string;
  name: string;
  kind: 'postgresql-conf' | 'compose' | 'kubernetes' | 'cloudnative-pg' | 'zalando' | 'declared';
  /** Where the server is defined (the compose service, the StatefulSet, the conf file, the config entry). */
  range: SourceRange;
  majorVersion?: Quantity;
  instances: Quantity;
  maxConnections: Quantity;
  superuserReserved: Quantity;
  /** PostgreSQL 16+ reserved_connections (0 before 16). */
  reserved: Quantity;
  memoryBytes?: Quantity;
  /** idle_in_transaction_session_timeout in ms, when known. */
  idleInTransactionTimeoutMs?: Quantity;
  /** Host names (compose service, k8s Service names, declared hosts) and port that reach it. */
  endpoints: Array<{ host: string; port: number }>;
}

export interface PoolerDatabaseEntry {
  database: string;
  user?: string;
  poolSize: Quantity;
  reservePoolSize: Quantity;
  maxDbConnections?: Quantity;
  maxUserConnections?: Quantity;
  poolMode: 'session' | 'transaction' | 'statement' | undefined;
  range?: SourceRange;
}

export interface PoolerNode {
  id: string;
  name: string;
  kind: 'pgbouncer' | 'cloudnative-pg-pooler' | 'managed';
  product?: string; // 'pgbouncer', 'supabase-supavisor', 'neon', 'rds-proxy'
  range: SourceRange;
  version?: string;
  instances: Quantity;
  poolMode: { value: 'session' | 'transaction' | 'statement' | undefined; range?: SourceRange; source: string };
  maxClientConn: Quantity;
  /** Server connections per (database, user) pair. */
  databases: PoolerDatabaseEntry[];
  maxPreparedStatements?: Quantity;
  ignoreStartupParameters: string[];
  trackExtraParameters: string[];
  /** PgBouncer idle_transaction_timeout (seconds → ms). */
  idleTransactionTimeoutMs?: Quantity;
  endpoints: Array<{ host: string; port: number }>;
  /** The server it forwards to. */
  serverId?: string;
  serverLink?: string; // why: "[databases] app = host=postgres" → compose service postgres
}

export interface ServiceNode {
  id: string;
  name: string;
  kind: 'compose' | 'kubernetes' | 'pm2' | 'serverless' | 'vercel' | 'declared' | 'single-app';
  range: SourceRange;
  /** Peak number of processes running the code: replicas/HPA max + surge, PM2 instances, concurrency. */
  peakInstances: Quantity;
  /** Directories whose code this service runs. */
  codePaths: string[];
  linkReason: string;
}

export interface ClientEdge {
  /** The pool definition id (PoolDefinition.id) or a Prisma datasource id. */
  poolId: string;
  serviceId?: string;
  /** Connections one process of the service may open through this pool. */
  perInstance: Quantity;
  /** peakInstances × perInstance. */
  total: Quantity;
  target: { kind: 'server' | 'pooler'; id: string } | undefined;
  /** Why the pool reaches that target (URL, env var and where it was resolved), or why it could not be linked. */
  link: string;
  range: SourceRange;
  url?: { redacted: string; range?: SourceRange };
}

export interface ServerBudget {
  serverId: string;
  available: Quantity; // max_connections − superuser_reserved − reserved
  demand: Quantity; // Σ clients + Σ poolers
  headroom: number;
  status: 'ok' | 'warning' | 'over' | 'unknown';
  clients: Array<{ name: string; kind: 'service' | 'pooler'; instances: Quantity; perInstance: Quantity; total: Quantity; edge?: ClientEdge; poolerId?: string }>;
}

export interface PoolerBudget {
  poolerId: string;
  clientDemand: Quantity;
  maxClientConn: Quantity; // × instances
  serverConnections: Quantity;
  status: 'ok' | 'warning' | 'over' | 'unknown';
  clients: ClientEdge[];
}

export interface DeploymentModel {
  servers: ServerNode[];
  poolers: PoolerNode[];
  services: ServiceNode[];
  edges: ClientEdge[];
  serverBudgets: ServerBudget[];
  poolerBudgets: PoolerBudget[];
  /** Things the model could not decide, stated rather than guessed ("pool at src/db.ts:3 has no URL that resolves"). */
  notes: Array<{ message: string; range?: SourceRange }>;
}
