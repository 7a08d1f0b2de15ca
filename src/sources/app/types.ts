import type { InputProblem } from '../../core/diagnostic.js';
import type { SourceRange } from '../../core/location.js';
import type { Resolved } from '../js/types.js';

/**
 * Language-neutral facts of services that are not JS/TS (issue 14): the pools a Python, Java
 * (Spring Boot) or Ruby (Rails) application opens, and the process model of the server that runs
 * it (gunicorn, uvicorn, Celery, Puma, Sidekiq …). Extractors in src/sources/<language>/ produce
 * them; the deployment model (src/model/deployment/) attributes them to services by code path, as
 * it does JS pools, and computes per instance = processes × connections per process.
 */
export type AppLanguage = 'python' | 'java' | 'ruby';

/** The client library (or framework) whose pool it is. Knowledge of each lives in one profile (`src/sources/app/profiles.ts`). */
export type AppLibrary =
  | 'sqlalchemy'
  | 'django'
  | 'psycopg-pool'
  | 'psycopg'
  | 'psycopg2'
  | 'asyncpg'
  | 'hikaricp' // Spring Boot's default DataSource pool
  | 'activerecord';

/**
 * A setting as the files give it. `provenance` env means the value is read from that variable in
 * the service's environment, with `value` the fallback the file gives (`ENV.fetch("X") { 5 }`,
 * `${DB_POOL:10}`, `os.environ.get("X", "10")`).
 */
export interface AppSetting<T> extends Resolved<T> {
  /**
   * Variables that replace the value when the service's environment sets them, first match wins
   * (Spring Boot relaxed binding: SPRING_DATASOURCE_HIKARI_MAXIMUMPOOLSIZE for
   * spring.datasource.hikari.maximum-pool-size; Rails: DATABASE_URL over database.yml's url).
   */
  envOverrides?: string[];
  /** The value is this many per CPU core of the machine (Celery's default concurrency): known only with deployment.cpus. */
  cpuMultiple?: number;
  /**
   * A string made of text and variables (`jdbc:postgresql://${DB_HOST:localhost}:5432/app`, an f-string
   * `f"postgresql://{os.environ['DB_HOST']}/app"`): the model fills each variable from the service's
   * environment (its fallback when unset). `value` is then undefined and `provenance` unknown.
   */
  template?: Array<string | { envVar: string; fallback?: string }>;
}

/** One term of a pool's peak (SQLAlchemy: `pool_size` and `max_overflow`; others: one term). */
export interface PeakTerm {
  /** As the user writes it: `pool_size`, `max_overflow`, `maximum-pool-size`, `pool`, `max_size`. */
  name: string;
  value: AppSetting<number>;
}

/**
 * How one process can use the pool at once:
 * - `per-thread`: a synchronous library: a thread (or prefork child) holds one connection at a time,
 *   so a process uses at most min(pool peak, threads) (ActiveRecord, sync SQLAlchemy, psycopg_pool);
 * - `whole-pool`: asynchronous code (asyncpg, SQLAlchemy async, psycopg AsyncConnectionPool) or a pool
 *   smaller than its server's thread count by design (HikariCP under Tomcat's 200 threads): the whole
 *   pool can be checked out;
 * - `per-thread-per-alias`: no pool, one connection per thread per database alias (Django without
 *   OPTIONS.pool): threads per process, whatever the peak says (the peak is 1).
 */
export type PoolUse = 'per-thread' | 'whole-pool' | 'per-thread-per-alias';

/** A connection pool (or a per-thread connection) a non-JS application opens. */
export interface AppPool {
  /** `<path relative to the repository root>:<line>:<column>` of `range`. Stable across runs. */
  id: string;
  language: AppLanguage;
  library: AppLibrary;
  /** For reports: `create_engine`, `spring.datasource.hikari`, `database.yml production`. */
  construct: string;
  file: string;
  /** The construction or the configuration block (`production:` in database.yml, `spring.datasource`). */
  range: SourceRange;
  /**
   * The application's root directory (the folder with manage.py/pyproject.toml, the Spring module's
   * folder with pom.xml/build.gradle, the Rails root): a service runs the pool when one of its code
   * paths contains this directory or `file`.
   */
  appDir: string;
  /** Created once (module scope, a config file) or per call/request (an engine built in a view). */
  scope: { kind: 'module' } | { kind: 'per-request'; name?: string; range: SourceRange };
  /** The most connections the pool holds open in one process: Σ terms, unless `unbounded`. */
  peak: {
    terms: PeakTerm[];
    /** How the terms make the peak, for messages: "pool_size 5 + max_overflow 10 (SQLAlchemy defaults)". */
    explanation: string;
    /** Set when no setting bounds the pool (SQLAlchemy NullPool: a new connection per checkout): the process's concurrency is the bound. */
    unbounded?: string;
  };
  use: PoolUse;
  /** The connection string: a URL/JDBC URL literal, or an environment variable (provenance env). */
  connectionString?: AppSetting<string>;
  /** Connection options given apart from a URL (Rails host/port/database/username; Django HOST/PORT/NAME/USER). */
  connectionOptions?: { host?: AppSetting<string>; port?: AppSetting<string | number>; database?: AppSetting<string>; user?: AppSetting<string> };
  /**
   * Does the client use named server-side prepared statements, and why: PgJDBC after prepareThreshold
   * (default 5) executions, Rails `prepared_statements` (default true), asyncpg's statement cache,
   * psycopg 3 `prepare_threshold`. `provenance` default carries the cited reason.
   */
  preparedStatements?: AppSetting<boolean> & { why: string };
  /** How long a caller waits for a free connection (ms); 0 = forever. */
  acquireTimeoutMs?: AppSetting<number>;
  /** Other settings as written (name as the user writes it), for rules about specific options. */
  options: Array<{ name: string; value: AppSetting<unknown>; range: SourceRange }>;
  /**
   * The environment or profile whose configuration this is (Rails `production:`, Spring
   * `application-prod.yml`, a Django settings module), absent when it applies whatever the
   * environment. Pools with the same `group` are alternatives: the model keeps the one the service's
   * environment selects (the first of `variables` it sets), or the `judgedByDefault` one.
   */
  environment?: {
    name: string;
    /** Variables that select it: RAILS_ENV, RACK_ENV; SPRING_PROFILES_ACTIVE; DJANGO_SETTINGS_MODULE. */
    variables: string[];
    /** The one judged when no variable is set (Rails: production, said as an assumption; Spring: the active profile of the base file). */
    judgedByDefault: boolean;
    /** Why this one is judged by default, for notes. */
    defaultReason?: string;
  };
  /** Pools that are the same pool in different environments (`config/database.yml#primary`). */
  group?: string;
}

/** The program that runs the application's processes. */
export type AppServer =
  | 'gunicorn'
  | 'uvicorn'
  | 'hypercorn'
  | 'daphne'
  | 'uwsgi'
  | 'celery'
  | 'rq'
  | 'django-runserver'
  | 'flask'
  | 'python'
  | 'puma'
  | 'sidekiq'
  | 'rails-server'
  | 'unicorn'
  | 'java';

/**
 * How a process serves requests/jobs at once:
 * threads (gthread, Puma, Sidekiq, Celery --pool threads), async (uvicorn workers, gunicorn
 * UvicornWorker), greenlets (gevent/eventlet: many at once, like async for pool use), prefork
 * (Celery's default pool: one task per child process), sync (one request per process: gunicorn sync).
 */
export type Concurrency = 'threads' | 'async' | 'greenlets' | 'prefork' | 'sync';

/** Where a process model value is written. */
export type ProcessSourceKind = 'command' | 'gunicorn-conf' | 'uwsgi-ini' | 'puma-rb' | 'sidekiq-yml' | 'procfile' | 'default';

/**
 * What one instance (container, pod, dyno) of a service runs: `processes` processes, each with
 * `threads` threads (or Celery children, Sidekiq job threads), of a given concurrency kind.
 * For Celery prefork: processes = concurrency (children), threads = 1.
 */
export interface ProcessModel {
  server: AppServer;
  /** Processes per instance (gunicorn -w, Puma workers, Celery prefork children), with provenance. */
  processes: AppSetting<number>;
  /** Threads (or concurrent tasks) per process (gunicorn --threads, Puma max threads, Sidekiq -c, Celery threads pool -c). */
  threads: AppSetting<number>;
  concurrency: Concurrency;
  /** For messages: "gunicorn -w 4 --threads 2", "puma (config/puma.rb)". */
  describe: string;
  /** Where it is written: the command line, or the config file that gave the values. */
  source: ProcessSourceKind;
  range?: SourceRange;
  /** A config file the server loads (`-c gunicorn.conf.py`, `-C config/puma.rb`, `-C config/sidekiq.yml`, `--ini etc/uwsgi.ini`), as written, relative to the working directory. */
  configFile?: string;
  /** The server reads its default config file (Puma config/puma.rb, Sidekiq config/sidekiq.yml, gunicorn ./gunicorn.conf.py) when none is named. */
  defaultConfigFiles?: string[];
  /** Settings written on the command line, so a config file's value for them is overridden (CLI beats file). */
  setOnCommandLine: Array<'processes' | 'threads' | 'concurrency'>;
  /** The environment the server is told to use (`-e production`, `RAILS_ENV=production` before the program), when written. */
  environment?: string;
}

/**
 * A server's configuration file (gunicorn.conf.py, config/puma.rb, config/sidekiq.yml): the values
 * it sets, each with its line. The model merges it under the command line's values.
 */
export interface ProcessConfigFile {
  file: string;
  server: AppServer;
  processes?: AppSetting<number>;
  threads?: AppSetting<number>;
  /** gunicorn worker_class → concurrency; Puma/Sidekiq: threads. */
  concurrency?: { value: Concurrency; range?: SourceRange; source: string };
  /** Per-environment values (Sidekiq `production: { concurrency: 20 }`). */
  byEnvironment?: Array<{ environment: string; processes?: AppSetting<number>; threads?: AppSetting<number> }>;
  problems: InputProblem[];
}

/** Facts of non-JS applications (every language extractor adds to these). */
export interface AppFacts {
  pools: AppPool[];
  processConfigs: ProcessConfigFile[];
  /** Application roots found (a Rails root, a Spring module, a Django project), even without pools: a service that runs one is not "JS code without a pool". */
  roots: Array<{ dir: string; language: AppLanguage; framework: string; file: string }>;
}
