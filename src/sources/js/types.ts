import type ts from 'typescript';
import type { InputProblem } from '../../core/diagnostic.js';
import type { SourceRange } from '../../core/location.js';

/** The PostgreSQL client libraries pgconn-lint understands. */
export type JsLibrary =
  | 'pg' // node-postgres (pg, pg-pool)
  | 'postgres' // postgres.js
  | 'sequelize'
  | 'typeorm'
  | 'knex'
  | 'kysely'
  | 'drizzle'
  | 'mikro-orm'
  | 'prisma' // @prisma/client
  | 'prisma-adapter-pg' // @prisma/adapter-pg (Prisma 7 driver adapter, wraps a pg Pool)
  | 'neon-serverless' // @neondatabase/serverless (Pool/Client over WebSocket, edge)
  | 'vercel-postgres'; // @vercel/postgres

/** Where a resolved option value comes from. Every number the model uses keeps one. */
export type Provenance =
  | { kind: 'literal' }
  /** A `const` binding (possibly in another module) that resolves to a literal. */
  | { kind: 'constant'; name: string; definedAt: SourceRange }
  /** process.env.X, with the fallback literal when the code gives one (`?? 10`, `|| '10'`). */
  | {
      kind: 'env';
      envVar: string;
      fallback?: string | number | boolean;
      /** Where the fallback is written when it is not at the option itself (a zod/envalid schema default, `configService.get('X', 10)`). */
      fallbackAt?: SourceRange;
      /** The value is this query parameter of the connection URL in envVar (`new URL(process.env.DATABASE_URL).searchParams.get('connection_limit')`), not the variable itself. */
      urlParam?: string;
      /**
       * When envVar is unset, the value is read from the file this variable names (Docker file
       * secrets read through a `new Proxy(process.env, …)`): unknown in an environment that sets it.
       */
      fileVar?: string;
      /**
       * When envVar is unset, these variables are read in order (`env.A ?? env.B ?? 10`, `Number(env.A)
       * || Number(env.B ?? 10)`); the fallback applies only when none is set.
       */
      orEnv?: string[];
    }
  /** Not set in code: the library's documented default (note cites the source). */
  | { kind: 'default'; note: string }
  /** Set, but not statically known (function call, dynamic expression). */
  | { kind: 'unknown'; reason: string };

export interface Resolved<T> {
  /** The value when known; with provenance env it is the fallback (if any). */
  value: T | undefined;
  provenance: Provenance;
  /** Where the value is written (absent for library defaults). */
  range?: SourceRange;
  /**
   * The values a condition chooses between (`prod ? 20 : 5`), when each is known; `value` is the
   * largest, the peak a budget must hold.
   */
  alternatives?: number[];
}

export type ConnectionObjectKind =
  | 'pool' // pg.Pool, neon Pool, postgres.js sql (a pool), knex instance, Sequelize, DataSource, PrismaClient …
  | 'client' // a single connection: pg.Client, neon Client
  | 'pool-client' // a client checked out of a pool: must be released
  | 'query-runner' // TypeORM QueryRunner: must be released
  | 'transaction' // an unmanaged transaction object (knex trx, Sequelize t): must commit/rollback
  | 'reserved'; // postgres.js sql.reserve(): must be released

/** One place in code that creates connections: the input of the deployment model. */
export interface PoolDefinition {
  /** `<path relative to the repository root>:<line>:<column>` of `range`. Stable across runs. */
  id: string;
  library: JsLibrary;
  kind: 'pool' | 'client' | 'orm' | 'prisma-client' | 'driver-adapter';
  /** The construction as written: `new Pool`, `new pg.Pool`, `postgres()`, `knex()`, `new Sequelize`. */
  construct: string;
  file: string;
  /** The construction expression (`new Pool({...})`), for reports. */
  range: SourceRange;
  /** The variable or property the instance is assigned to, when any. */
  binding?: string;
  /** Names under which the module exports it (`default` for a default export). */
  exportedAs: string[];
  /** Created once at module scope, or inside a function (per call). */
  scope: { kind: 'module' } | { kind: 'function'; name?: string; range: SourceRange; lazySingleton: boolean };
  /** Maximum connections this one object can hold open (library default when not set). */
  max: Resolved<number>;
  min?: Resolved<number>;
  idleTimeoutMs?: Resolved<number>;
  /** How long a caller waits for a free connection; 0 = forever. */
  acquireTimeoutMs?: Resolved<number>;
  /** How long opening a new connection may take. */
  connectTimeoutMs?: Resolved<number>;
  /** Does the client use named server-side prepared statements (postgres.js `prepare`, Prisma …)? */
  preparedStatements?: Resolved<boolean>;
  /** The connection string: a literal URL, or `process.env.X` (provenance env). */
  connectionString?: Resolved<string>;
  /** Parameters sent in the startup packet (`statement_timeout`, `options`, …): a pooler may reject them. */
  startupParameters: Array<{ name: string; value: Resolved<string | number>; range: SourceRange }>;
  /**
   * Connections per instance of the process, when the library opens more than `max`
   * (Sequelize/TypeORM replication: one pool per replica plus the writer; postgres.js
   * `sql.listen()`: one dedicated connection). Absent when equal to `max`.
   */
  connectionsPerProcess?: { value: number | undefined; explanation: string };
  /** Every option as written (name path like `pool.max` or `extra.max`), for rules about ineffective options. */
  options: Array<{ name: string; value: Resolved<unknown>; range: SourceRange }>;
  /**
   * Options the extractor could not read: a spread of an unknown object, options that are a call
   * result or a function parameter (`prefix` '' = all of them). Any option may hide behind them.
   */
  opaqueOptions?: Array<{ prefix: string; reason: string; range?: SourceRange }>;
  /** PgPool wrapped by another library (Kysely dialect, Drizzle, PrismaPg adapter): the id of the wrapped definition. */
  wraps?: string;
  /**
   * A construction inside a function whose callers size it differently is one pool per call site
   * (src/sources/js/callers.ts): the chain of calls that gives this one its options, the outermost
   * call first, down to the call of the function that holds the construction.
   */
  calledFrom?: SourceRange[];
  /**
   * The outermost calls that gave this pool its size when every chain of callers agreed (callers.ts):
   * the deployment model takes the size as production's only when one of them is production code.
   */
  sizedBy?: SourceRange[];
}

/** What an expression refers to, through local bindings and imports. */
export interface ConnectionObjectRef {
  library: JsLibrary;
  kind: ConnectionObjectKind;
  /** The definition it comes from, when known. */
  definition?: PoolDefinition;
}

/** A parsed module with the lookups every code analysis needs. */
export interface JsModuleContext {
  file: string;
  sourceFile: ts.SourceFile;
  /** What a (possibly imported) expression refers to: `pool`, `db.pool`, `this.pool`, `sql`. */
  resolveConnectionObject(expr: ts.Expression): ConnectionObjectRef | undefined;
  /** The library a module specifier belongs to (`'pg'` → 'pg', `'@prisma/client'` → 'prisma'). */
  libraryOf(moduleSpecifier: string): JsLibrary | undefined;
  /** Range of a node in this file. */
  rangeOf(node: ts.Node): SourceRange;
  /**
   * The function or class a callee refers to, in this or another analysed module
   * (`createDb` → its declaration, `PostgresMeta` of `new PostgresMeta()` → the class).
   */
  calleeTarget?(callee: ts.Expression): { node: ts.FunctionLikeDeclaration | ts.ClassLikeDeclaration; module: JsModuleContext } | undefined;
  /** The pool definition created at a node of this module (a `new Pool()` …), if any. */
  definitionAt?(node: ts.Node): PoolDefinition | undefined;
  /** Is the value of `node` stored once in a process-wide binding under a guard (`db ??= createDb()`)? */
  storedOnce?(node: ts.Node): boolean;
}

/** A connection acquired by hand that is not released on every path. */
export interface ConnectionLeak {
  file: string;
  /** The acquire call (`pool.connect()`, `dataSource.createQueryRunner()`, `new Client()` …). */
  acquire: SourceRange;
  resource: { name: string; kind: ConnectionObjectKind; library: JsLibrary };
  /** What releases it: `client.release()`, `queryRunner.release()`, `client.end()`, `trx.rollback()`. */
  release: string;
  /** The statement through which it leaks: a call that can throw, a return, or the end of the function. */
  leakAt: SourceRange;
  /** `before-try`: a statement between the acquire and the `try` whose `finally` releases it can throw (the leak window). */
  reason: 'throw-before-release' | 'never-released' | 'early-return' | 'catch-without-release' | 'before-try';
  /** One sentence for the message: "if the query at line 12 throws, client is never released". */
  detail: string;
}

/** A transaction statement sent through a pool, where each call may run on another connection. */
export interface PoolTransactionStatement {
  file: string;
  range: SourceRange;
  statement: string; // BEGIN, COMMIT, ROLLBACK, SET LOCAL, SAVEPOINT …
  via: string; // `pool.query`, `sql` (postgres.js outside sql.begin)
  library: JsLibrary;
}

/** A function that runs per request or per invocation (handler), or an edge-runtime module. */
export interface RequestScope {
  file: string;
  range: SourceRange;
  kind: 'serverless-handler' | 'next-route' | 'next-api' | 'http-route' | 'nest-request-scoped' | 'edge-fetch';
  description: string; // "exported Lambda handler `handler`", "Express route callback (app.get)"
  edge: boolean;
  /** Calls in the scope that close a connection object: `await pool.end()`, `ctx.waitUntil(sql.end())`, `prisma.$disconnect()`, `await using`. */
  closes?: ScopeClose[];
  /** Values the scope stores where they outlive the call (`cache.set(key, pool)`, `pools[key] ??= new Pool()`, `globalThis.db = db`): a per-key cache, not a per-request object. */
  keeps?: ScopeKeep[];
  /** Calls in the scope to repository functions or classes that create a pool each time they run (`new PostgresMeta(config)`, `createDb(url)`). */
  indirectPools?: IndirectPool[];
}

/** A pool created one or two calls away from a request scope. */
export interface IndirectPool {
  /** The call in the scope: `new PostgresMeta(config)`, `createDb(url)`. */
  call: SourceRange;
  /** The callee as written, for messages: `new PostgresMeta`, `createDb()`. */
  callee: string;
  /** PoolDefinition.id of the pool that call creates. */
  poolId: string;
  /** Where that pool is constructed. */
  poolRange: SourceRange;
  /** The local the call's result is assigned to (`db` of `const db = createDb()`). */
  assignedTo?: string;
  /** The functions in between (the called one first), each as its name and where it is declared. */
  via: Array<{ name: string; range: SourceRange }>;
}

export interface ScopeClose {
  /** The receiver as written, without `this.`: `pool`, `db.$client`, `sql`. */
  receiver: string;
  method: string; // end, $disconnect, destroy, close, dispose, Symbol.asyncDispose (await using)
  range: SourceRange;
  /** `finally` block or `.finally(...)`, inside `waitUntil(...)`, an `await using` declaration, or a plain call. */
  via: 'finally' | 'wait-until' | 'using' | 'inline';
  /**
   * What the receiver is, when it resolves to a pool or client and the method is that library's
   * close method (`pool.end()`, `prisma.$disconnect()`, `knex.destroy()` …).
   */
  target?: ScopeCloseTarget;
}

export interface ScopeCloseTarget {
  library: JsLibrary;
  kind: 'pool' | 'client';
  /** PoolDefinition.id when the receiver resolves to one. */
  poolId?: string;
  /** Where that definition is created. */
  definedAt?: SourceRange;
  /**
   * Shared by every request: created at module scope or as a lazy singleton, or injected into a
   * decorated class (NestJS providers are singletons unless request-scoped). False when the
   * object is created per call (inside this or another function).
   */
  shared: boolean;
  /** Why it is shared, for messages: "created at module scope in src/db.ts:3", "injected into PostsController". */
  sharedBecause?: string;
}

export interface ScopeKeep {
  /** The stored value when it is a plain name (`pool` in `cache.set(key, pool)`). */
  name?: string;
  /** The stored expression. */
  value: SourceRange;
  /** Where it is stored, as written: `cache.set`, `pools[key]`, `globalThis.db`. */
  into: string;
}

/**
 * SQL sent from code that relies on state kept in the server session (a transaction-mode
 * pooler hands each transaction another server connection): SET, set_config(…, false),
 * session advisory locks, LISTEN, temporary tables, WITH HOLD cursors, SQL PREPARE, LOAD,
 * and postgres.js `sql.listen()`.
 */
export interface SessionStateStatement {
  file: string;
  /** The SQL text argument (string, template, tagged template) or the `sql.listen()` call. */
  range: SourceRange;
  kind: 'set' | 'set-config' | 'advisory-lock' | 'listen' | 'temp-table' | 'cursor-with-hold' | 'prepare' | 'load';
  /** For messages: `SET search_path`, `set_config('app.tenant', …, false)`, `pg_advisory_lock`, `LISTEN`, `sql.listen()`. */
  statement: string;
  /** The run-time parameter a `set` / `set-config` changes, lower-cased (`search_path`, `timezone`). */
  parameter?: string;
  /** The call as written: `pool.query`, `sql` (tag), `prisma.$executeRaw`. */
  via: string;
  library: JsLibrary;
  /** PoolDefinition.id of the pool the statement goes through, when the receiver resolves to one. */
  poolId?: string;
}

/** Facts of one JS/TS file. */
export interface JsFileFacts {
  file: string;
  pools: PoolDefinition[];
  leaks: ConnectionLeak[];
  poolTransactions: PoolTransactionStatement[];
  requestScopes: RequestScope[];
  /** Connection-string literals written anywhere in the file (absent when not looked for). */
  connectionLiterals?: CodeConnectionLiteral[];
  /** SQL that depends on session state (absent when the analysis did not run). */
  sessionState?: SessionStateStatement[];
  /** Syntax errors (a located fatal diagnostic each; the rest of the file is still analysed). */
  problems: InputProblem[];
}

/** A connection string written as a literal in code (for plaintext-credentials). */
export interface CodeConnectionLiteral {
  range: SourceRange;
  /** The literal's text (a template's literal head): the rule judges its password; never printed. */
  text: string;
  /** The text with every secret masked. */
  redacted: string;
  user?: string;
}
