import type { SourceRange } from '../../core/location.js';
import type { InputProblem } from '../../core/diagnostic.js';
import type { PoolDefinition, Provenance } from '../../sources/js/types.js';
import type { ParsedConnection } from '../../sources/connection-url/types.js';
import type { PgConfig } from '../../sources/postgresql-conf/types.js';
import type { PgbouncerConfig } from '../../sources/pgbouncer-ini/types.js';
import type { ServerParameters } from '../parameters.js';
import type { AppPool, AppServer, Concurrency } from '../../sources/app/types.js';

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
  /** When `value` is unknown: a number it is known to be at least (PM2 'max' ≥ 1, an undeclared app ≥ 1). */
  lowerBound?: number;
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
  /** The role the image creates as superuser (official postgres image POSTGRES_USER, default postgres): it may use the superuser-reserved slots. */
  superuser?: string;
  /** The postgresql.conf the server reads, when it is in the repository. */
  config?: PgConfig;
  /** Every server setting known from the files (conf, `-c` args, image env, CRD parameters), with the version they are judged against: the one resolver of src/model/parameters.ts. */
  params?: ServerParameters;
  /** Configuration files the container bind-mounts (loaded or not), by absolute path. */
  mountedConfs?: string[];
  /** What the model had to assume or could not read about this server. */
  notes?: string[];
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
  /** Where the entry forwards to (`host=`/`port=`/`dbname=`/`user=` of the [databases] line). */
  host?: string;
  port?: number;
  dbname?: string;
  /** The server this entry reaches, and why. */
  serverId?: string;
  serverLink?: string;
}

export interface PoolerNode {
  id: string;
  name: string;
  kind: 'pgbouncer' | 'cloudnative-pg-pooler' | 'managed';
  product?: string; // 'pgbouncer', 'supabase-supavisor', 'neon', 'rds-proxy'
  range: SourceRange;
  version?: string;
  /** `version` is the newest PgBouncer, assumed: no image tag and no pgbouncer.version in the config file. */
  versionAssumed?: boolean;
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
  /** PgBouncer listen_port (6432 by default), when it is a PgBouncer. */
  listenPort?: number;
  /** The server it forwards to. */
  serverId?: string;
  serverLink?: string; // why: "[databases] app = host=postgres" → compose service postgres
  /** The loaded pgbouncer.ini (also one embedded in a ConfigMap), when there is one. */
  config?: PgbouncerConfig;
  /** Defaults of PgBouncer itself: pool_size/reserve for databases not listed ([databases] `*` or auto-created). */
  defaultPoolSize?: Quantity;
  defaultReservePoolSize?: Quantity;
  /** max_db_connections / max_user_connections of [pgbouncer] (0 = no limit). */
  maxDbConnections?: Quantity;
  maxUserConnections?: Quantity;
  notes?: string[];
}

export interface ServiceNode {
  id: string;
  name: string;
  kind: 'compose' | 'kubernetes' | 'pm2' | 'serverless' | 'vercel' | 'declared' | 'single-app' | 'procfile';
  range: SourceRange;
  /** Peak number of processes running the code: replicas/HPA max + surge, PM2 instances, concurrency. */
  peakInstances: Quantity;
  /** Directories whose code this service runs. */
  codePaths: string[];
  linkReason: string;
  /** The environment the service's processes see, by variable (compose environment/env_file, k8s env/envFrom, PM2 env, serverless environment). */
  environment?: Map<string, ServiceEnvValue>;
  notes?: string[];
  /** The application server its instances run (gunicorn, Celery, Puma, Sidekiq, a JVM …), resolved in its environment: processes per instance and threads per process. */
  process?: ServiceProcess;
  /**
   * Why the service is not a long-running client and adds nothing to the budget: it runs only with
   * a compose profile outside the judged (default) set, or it is a job that exits (a migration,
   * `psql`, a Kubernetes Job). Absent for counted services.
   */
  notCounted?: string;
}

/** What one instance of a service runs: processes × threads, each with its provenance. */
export interface ServiceProcess {
  server: AppServer | undefined;
  /** "gunicorn -w 4 --threads 2 (compose command)", "puma (config/puma.rb)". */
  describe: string;
  processes: Quantity;
  /** Requests or jobs one process serves at once (threads, Celery children are processes with 1). */
  threads: Quantity;
  concurrency: Concurrency | undefined;
  /** The environment the server runs the application in (RAILS_ENV, a Spring profile), when known. */
  environment?: { name: string; source: string };
}

/** One environment variable as a service sees it. */
export interface ServiceEnvValue {
  name: string;
  /** undefined when the file does not give it (a secret reference, a host variable, unresolved interpolation). */
  value?: string;
  /** Where the value is written (the .env line, the compose `environment` entry, the ConfigMap key). */
  range?: SourceRange;
  /** Short text: "compose environment", "env_file .env.docker", "ConfigMap app-config", ".env". */
  source: string;
  secret?: boolean;
  /** The value still holds variables no file resolves (`${DB_PASSWORD}`): only the parts around them are known. */
  unresolved?: string[];
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
  /**
   * Set when `target` is undefined because the model does not know where the pool connects (a URL
   * that is a call result, a function parameter, a variable no file sets), with the reason; absent
   * when the URL is known and simply reaches no node of the repository.
   */
  unknownTarget?: string;
  range: SourceRange;
  url?: { redacted: string; range?: SourceRange };
  /** The pool definition in code; absent for clients known only from a service's environment. */
  pool?: PoolDefinition;
  /** The pool of a Python, Spring Boot or Rails application (src/sources/app/types.ts). */
  appPool?: AppPool;
  /** For an app pool: its peak and the process's threads in this service's environment, and which one bounds a process's connections. */
  perProcess?: { peak: Quantity; threads?: Quantity; bound: 'pool' | 'threads' | 'whole-pool' | 'per-thread-per-alias' | 'unknown-threads' };
  /** Where the per-instance number came from: the pool in code, or an environment variable of a service whose code is not in the repository. */
  origin: 'code' | 'environment' | 'declared';
  /** The parsed connection string, when it resolved. */
  parsed?: ParsedConnection;
  /** The environment variable that holds the URL, when any. */
  envVar?: string;
  user?: string;
  database?: string;
  /**
   * The application_name the pool's sessions carry (pg_stat_activity.application_name), when the
   * files say it: a pool option (`application_name`, TypeORM `applicationName`) or the URL's
   * `application_name` / `fallback_application_name`. `pgconn-lint live` matches sessions by it.
   */
  applicationName?: { value: string; source: string; range?: SourceRange };
}

export interface ServerBudget {
  serverId: string;
  available: Quantity; // max_connections − superuser_reserved − reserved
  demand: Quantity; // Σ clients + Σ poolers
  headroom: number;
  /**
   * What demand is judged against: `available`, or max_connections when every client connects as
   * the server's superuser (superusers may use the superuser-reserved slots).
   */
  limit: Quantity;
  /** limit − demand (undefined when either is unknown). */
  remaining: number | undefined;
  status: 'ok' | 'warning' | 'over' | 'unknown';
  clients: Array<{ name: string; kind: 'service' | 'pooler'; instances: Quantity; perInstance: Quantity; total: Quantity; edge?: ClientEdge; poolerId?: string }>;
  /** Pools whose target is unknown and that could reach this node: its demand is unknown, never "ok". */
  unknownClients?: UnknownClient[];
}

/** A pool that may connect to a node, by a number or through a route the model does not know. */
export interface UnknownClient {
  poolId: string;
  serviceId?: string;
  /** "the connection string is the result of a call getUrl() at src/db.ts:4". */
  reason: string;
  range: SourceRange;
}

export interface PoolerBudget {
  poolerId: string;
  clientDemand: Quantity;
  maxClientConn: Quantity; // × instances
  serverConnections: Quantity;
  headroom: number;
  remaining: number | undefined;
  status: 'ok' | 'warning' | 'over' | 'unknown';
  clients: ClientEdge[];
  /** Pools whose target is unknown and that could reach this pooler. */
  unknownClients?: UnknownClient[];
}

/** How one package's code runs (src/model/deployment/runtime.ts): the evidence and where it is. */
export interface PackageRuntime {
  /** The package directory (the repository root for code outside any package). */
  dir: string;
  name?: string;
  kind: 'long-running' | 'serverless' | 'unknown';
  /** Why: "vercel.json (Vercel runs server code as functions)", "compose service web runs it (docker-compose.yml:4)"; for unknown, the reason. */
  evidence: string;
  range?: SourceRange;
  /** Evidence of the other kind, when both exist (a Dockerfile for self-hosting beside vercel.json). */
  also?: string;
}

export interface DeploymentModel {
  servers: ServerNode[];
  poolers: PoolerNode[];
  services: ServiceNode[];
  edges: ClientEdge[];
  serverBudgets: ServerBudget[];
  poolerBudgets: PoolerBudget[];
  /** Per package: long-running, serverless or unknown, with the evidence (what rules that assume serverless read). */
  runtimes: PackageRuntime[];
  /** Mistakes in the config file's `deployment` section that only the files reveal (a service name that matches nothing): located errors. */
  configProblems: InputProblem[];
  /** Things the model could not decide, stated rather than guessed ("pool at src/db.ts:3 has no URL that resolves"). */
  notes: Array<{ message: string; range?: SourceRange }>;
  /** The settings the model was built with (config file `deployment` section merged with defaults). */
  settings: { headroom: number; cpus?: number };
}

/* ---------------- config file `deployment` section ---------------- */

/** A value from the config file, with the position of its key (for provenance). */
export interface Declared<T> {
  value: T;
  range: SourceRange;
}

export interface DeclaredService {
  name: string;
  range: SourceRange;
  /** Directories (relative to the config file) whose code the service runs. */
  paths?: Declared<string[]>;
  /** Peak number of processes (replicas × workers, at the worst moment). */
  instances?: Declared<number>;
  /** Connections one process opens, when the code does not say (an image built elsewhere). */
  connectionsPerInstance?: Declared<number>;
  /** Name of the server or pooler those connections go to (with connectionsPerInstance). */
  target?: Declared<string>;
}

export interface DeclaredServer {
  name: string;
  range: SourceRange;
  hosts: string[];
  port?: number;
  maxConnections?: Declared<number>;
  superuserReservedConnections?: Declared<number>;
  reservedConnections?: Declared<number>;
  memoryBytes?: Declared<number>;
  version?: Declared<number>;
  instances?: Declared<number>;
  /** idle_in_transaction_session_timeout in ms (0 = off). */
  idleInTransactionSessionTimeoutMs?: Declared<number>;
}

export interface DeclaredPooler {
  name: string;
  range: SourceRange;
  hosts: string[];
  port?: number;
  mode?: Declared<'session' | 'transaction' | 'statement'>;
  maxClientConn?: Declared<number>;
  /** Server connections per database/user pair. */
  poolSize?: Declared<number>;
  reservePoolSize?: Declared<number>;
  instances?: Declared<number>;
  /** Name of the server it forwards to. */
  server?: Declared<string>;
  version?: Declared<string>;
  maxPreparedStatements?: Declared<number>;
  /** idle_transaction_timeout in ms (0 = off). */
  idleTransactionTimeoutMs?: Declared<number>;
}

/** The config file's `deployment` section (docs/config.md). */
export interface DeploymentSettings {
  file: string;
  headroom?: Declared<number>;
  cpus?: Declared<number>;
  services: DeclaredService[];
  servers: DeclaredServer[];
  poolers: DeclaredPooler[];
}
