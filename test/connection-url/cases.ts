/**
 * Real-world connection string shapes with the fields pgconn-lint must read.
 * Every literal password contains "S3cr3t" so the redaction test can look for it.
 * Hosts, project refs and endpoint ids follow each provider's documented format.
 */

export interface ExpectedHost {
  host: string;
  port: number;
  kind: 'tcp' | 'unix';
  defaultHost?: true;
}

export interface UrlCase {
  name: string;
  text: string;
  expect: {
    scheme?: 'url' | 'conninfo' | 'npgsql';
    user?: string | undefined;
    hasPassword: boolean;
    hosts: ExpectedHost[];
    database?: string | undefined;
    sslmode?: string | undefined;
    connectTimeoutSeconds?: number;
    applicationName?: string;
    targetSessionAttrs?: string;
    params?: Record<string, string>;
    startupOptions?: Array<{ name: string; value: string }>;
    prisma?: Record<string, unknown>;
    npgsql?: Record<string, unknown>;
    redacted?: string;
    libpqAccepts: boolean;
    libpqMinMajor?: number;
    nodePgAccepts: boolean;
    nodePgHost?: string;
    nodePgSsl?: string;
  };
  /** classifyEndpoint with pgbouncerListenPorts = ctxPorts (default []). */
  classify?: { role: 'direct' | 'pooler' | 'unknown'; product?: string; mode?: string };
  ctxPorts?: number[];
}

const tcp = (host: string, port = 5432): ExpectedHost => ({ host, port, kind: 'tcp' });
const unix = (host: string, port = 5432): ExpectedHost => ({ host, port, kind: 'unix' });

export const CASES: UrlCase[] = [
  // --- Supabase (https://supabase.com/docs/guides/database/connecting-to-postgres)
  {
    name: 'Supabase shared pooler, transaction mode, with Prisma flags',
    text: 'postgres://postgres.abcdefghijklmnopqrst:S3cr3t-supa@aws-0-us-east-1.pooler.supabase.com:6543/postgres?pgbouncer=true&connection_limit=1',
    expect: {
      user: 'postgres.abcdefghijklmnopqrst', hasPassword: true, hosts: [tcp('aws-0-us-east-1.pooler.supabase.com', 6543)], database: 'postgres',
      prisma: { pgbouncer: true, connectionLimit: 1 },
      redacted: 'postgres://postgres.abcdefghijklmnopqrst:***@aws-0-us-east-1.pooler.supabase.com:6543/postgres?pgbouncer=true&connection_limit=1',
      libpqAccepts: false, nodePgAccepts: true,
    },
    classify: { role: 'pooler', product: 'supabase-supavisor', mode: 'transaction' },
  },
  {
    name: 'Supabase shared pooler, session mode',
    text: 'postgresql://postgres.abcdefghijklmnopqrst:S3cr3t-sess@aws-0-eu-central-1.pooler.supabase.com:5432/postgres',
    expect: { user: 'postgres.abcdefghijklmnopqrst', hasPassword: true, hosts: [tcp('aws-0-eu-central-1.pooler.supabase.com')], database: 'postgres', libpqAccepts: true, nodePgAccepts: true },
    classify: { role: 'pooler', product: 'supabase-supavisor', mode: 'session' },
  },
  {
    name: 'Supabase direct connection',
    text: 'postgresql://postgres:S3cr3t-direct@db.abcdefghijklmnopqrst.supabase.co:5432/postgres',
    expect: { user: 'postgres', hasPassword: true, hosts: [tcp('db.abcdefghijklmnopqrst.supabase.co')], database: 'postgres', libpqAccepts: true, nodePgAccepts: true },
    classify: { role: 'direct' },
  },
  {
    name: 'Supabase dedicated pooler (PgBouncer) on the db host, port 6543',
    text: 'postgresql://postgres:S3cr3t-ded@db.abcdefghijklmnopqrst.supabase.co:6543/postgres',
    expect: { user: 'postgres', hasPassword: true, hosts: [tcp('db.abcdefghijklmnopqrst.supabase.co', 6543)], database: 'postgres', libpqAccepts: true, nodePgAccepts: true },
    classify: { role: 'pooler', product: 'supabase-pgbouncer', mode: 'transaction' },
  },
  // --- Neon (https://neon.com/docs/connect/connection-pooling)
  {
    name: 'Neon pooled endpoint (-pooler)',
    text: 'postgresql://alex:S3cr3tAbC123@ep-cool-darkness-a1b2c3d4-pooler.us-east-2.aws.neon.tech/dbname?sslmode=require&channel_binding=require',
    expect: {
      user: 'alex', hasPassword: true, hosts: [tcp('ep-cool-darkness-a1b2c3d4-pooler.us-east-2.aws.neon.tech')], database: 'dbname', sslmode: 'require',
      libpqAccepts: true, nodePgAccepts: true, nodePgSsl: 'verify-full',
    },
    classify: { role: 'pooler', product: 'neon', mode: 'transaction' },
  },
  {
    name: 'Neon direct endpoint',
    text: 'postgresql://alex:S3cr3tAbC123@ep-cool-darkness-a1b2c3d4.us-east-2.aws.neon.tech/dbname?sslmode=require',
    expect: { user: 'alex', hasPassword: true, hosts: [tcp('ep-cool-darkness-a1b2c3d4.us-east-2.aws.neon.tech')], database: 'dbname', sslmode: 'require', libpqAccepts: true, nodePgAccepts: true },
    classify: { role: 'direct' },
  },
  {
    name: 'Vercel Postgres POSTGRES_PRISMA_URL (Neon pooler, pgbouncer=true, connect_timeout)',
    text: 'postgres://default:S3cr3tVrcl@ep-snowy-sun-a1b2c3d4-pooler.us-east-1.postgres.vercel-storage.com:5432/verceldb?sslmode=require&pgbouncer=true&connect_timeout=15',
    expect: {
      user: 'default', hasPassword: true, hosts: [tcp('ep-snowy-sun-a1b2c3d4-pooler.us-east-1.postgres.vercel-storage.com')], database: 'verceldb',
      sslmode: 'require', connectTimeoutSeconds: 15, prisma: { pgbouncer: true, connectTimeout: 15 }, libpqAccepts: false, nodePgAccepts: true,
    },
    classify: { role: 'pooler', product: 'neon', mode: 'transaction' },
  },
  {
    name: 'Vercel Postgres POSTGRES_URL_NON_POOLING',
    text: 'postgres://default:S3cr3tVrcl@ep-snowy-sun-a1b2c3d4.us-east-1.postgres.vercel-storage.com:5432/verceldb?sslmode=require',
    expect: { user: 'default', hasPassword: true, hosts: [tcp('ep-snowy-sun-a1b2c3d4.us-east-1.postgres.vercel-storage.com')], database: 'verceldb', sslmode: 'require', libpqAccepts: true, nodePgAccepts: true },
    classify: { role: 'direct' },
  },
  // --- AWS
  {
    name: 'RDS instance endpoint',
    text: 'postgres://app_admin:S3cr3t-rds@mydb.c9akciq32abc.us-east-1.rds.amazonaws.com:5432/app',
    expect: { user: 'app_admin', hasPassword: true, hosts: [tcp('mydb.c9akciq32abc.us-east-1.rds.amazonaws.com')], database: 'app', libpqAccepts: true, nodePgAccepts: true },
    classify: { role: 'direct' },
  },
  {
    name: 'Aurora cluster endpoint with verify-full and a system CA',
    text: 'postgresql://app:S3cr3t-aurora@mycluster.cluster-c9akciq32abc.eu-west-1.rds.amazonaws.com/app?sslmode=verify-full&sslrootcert=system',
    expect: { user: 'app', hasPassword: true, hosts: [tcp('mycluster.cluster-c9akciq32abc.eu-west-1.rds.amazonaws.com')], database: 'app', sslmode: 'verify-full', libpqAccepts: true, nodePgAccepts: true },
    classify: { role: 'direct' },
  },
  {
    name: 'RDS Proxy endpoint',
    text: 'postgres://app:S3cr3t-proxy@my-proxy.proxy-c9akciq32abc.us-east-1.rds.amazonaws.com:5432/app',
    expect: { user: 'app', hasPassword: true, hosts: [tcp('my-proxy.proxy-c9akciq32abc.us-east-1.rds.amazonaws.com')], database: 'app', libpqAccepts: true, nodePgAccepts: true },
    classify: { role: 'pooler', product: 'rds-proxy', mode: 'transaction' },
  },
  // --- PaaS
  {
    name: 'Heroku DATABASE_URL',
    text: 'postgres://uabc123def:pS3cr3t0123456789abcdef@ec2-54-83-10-20.compute-1.amazonaws.com:5432/d8abcdefgh1234?sslmode=require',
    expect: { user: 'uabc123def', hasPassword: true, hosts: [tcp('ec2-54-83-10-20.compute-1.amazonaws.com')], database: 'd8abcdefgh1234', sslmode: 'require', libpqAccepts: true, nodePgAccepts: true, nodePgSsl: 'verify-full' },
    classify: { role: 'unknown' },
  },
  {
    name: 'Render external URL (no port)',
    text: 'postgresql://app_user:S3cr3tRndr@dpg-cabc123def456-a.oregon-postgres.render.com/app_db',
    expect: { user: 'app_user', hasPassword: true, hosts: [tcp('dpg-cabc123def456-a.oregon-postgres.render.com')], database: 'app_db', libpqAccepts: true, nodePgAccepts: true },
    classify: { role: 'unknown' },
  },
  {
    name: 'Railway public proxy URL',
    text: 'postgresql://postgres:S3cr3tRlwy@roundhouse.proxy.rlwy.net:43210/railway',
    expect: { user: 'postgres', hasPassword: true, hosts: [tcp('roundhouse.proxy.rlwy.net', 43210)], database: 'railway', libpqAccepts: true, nodePgAccepts: true },
    classify: { role: 'unknown' },
  },
  {
    name: 'DigitalOcean managed database, port 25060, sslmode=require',
    text: 'postgresql://doadmin:S3cr3t-do@db-postgresql-nyc1-12345-do-user-1234567-0.b.db.ondigitalocean.com:25060/defaultdb?sslmode=require',
    expect: { user: 'doadmin', hasPassword: true, hosts: [tcp('db-postgresql-nyc1-12345-do-user-1234567-0.b.db.ondigitalocean.com', 25060)], database: 'defaultdb', sslmode: 'require', libpqAccepts: true, nodePgAccepts: true, nodePgSsl: 'verify-full' },
    classify: { role: 'unknown' },
  },
  {
    name: 'Aiven service URI',
    text: 'postgres://avnadmin:S3cr3t-aiven@pg-3b8d4e2a-myproject.aivencloud.com:12691/defaultdb?sslmode=require',
    expect: { user: 'avnadmin', hasPassword: true, hosts: [tcp('pg-3b8d4e2a-myproject.aivencloud.com', 12691)], database: 'defaultdb', libpqAccepts: true, nodePgAccepts: true },
  },
  // --- Google Cloud SQL unix sockets
  {
    name: 'Cloud SQL unix socket, conninfo',
    text: 'host=/cloudsql/my-project:us-central1:my-instance dbname=app user=app password=S3cr3t-gcp',
    expect: {
      scheme: 'conninfo', user: 'app', hasPassword: true, hosts: [unix('/cloudsql/my-project:us-central1:my-instance')], database: 'app',
      redacted: 'host=/cloudsql/my-project:us-central1:my-instance dbname=app user=app password=***', libpqAccepts: true, nodePgAccepts: false,
    },
    classify: { role: 'unknown' },
  },
  {
    name: 'Cloud SQL unix socket, URL with empty host and ?host=',
    text: 'postgresql://app:S3cr3t-gcp@/app?host=/cloudsql/my-project:us-central1:my-instance',
    expect: { user: 'app', hasPassword: true, hosts: [unix('/cloudsql/my-project:us-central1:my-instance')], database: 'app', libpqAccepts: true, nodePgAccepts: true, nodePgHost: '/cloudsql/my-project:us-central1:my-instance' },
  },
  // --- Azure
  {
    name: 'Azure flexible server',
    text: 'postgres://myadmin:S3cr3t-az@myserver.postgres.database.azure.com:5432/postgres?sslmode=require',
    expect: { user: 'myadmin', hasPassword: true, hosts: [tcp('myserver.postgres.database.azure.com')], database: 'postgres', sslmode: 'require', libpqAccepts: true, nodePgAccepts: true },
    classify: { role: 'direct' },
  },
  {
    name: 'Azure flexible server built-in PgBouncer on 6432',
    text: 'postgres://myadmin:S3cr3t-az@myserver.postgres.database.azure.com:6432/postgres?sslmode=require',
    expect: { user: 'myadmin', hasPassword: true, hosts: [tcp('myserver.postgres.database.azure.com', 6432)], database: 'postgres', libpqAccepts: true, nodePgAccepts: true },
    classify: { role: 'pooler', product: 'azure-pgbouncer' },
  },
  {
    name: 'Azure single server user@server, percent-encoded',
    text: 'postgres://myadmin%40myserver:S3cr3t-az@myserver.postgres.database.azure.com:5432/postgres?sslmode=verify-full',
    expect: { user: 'myadmin@myserver', hasPassword: true, hosts: [tcp('myserver.postgres.database.azure.com')], database: 'postgres', libpqAccepts: true, nodePgAccepts: true },
  },
  {
    name: "Azure single server user@server with a raw '@' (libpq reads it differently)",
    text: 'postgres://myadmin@myserver:S3cr3t-az@myserver.postgres.database.azure.com/postgres',
    expect: {
      user: 'myadmin@myserver', hasPassword: true, hosts: [tcp('myserver.postgres.database.azure.com')], database: 'postgres',
      redacted: 'postgres://myadmin@myserver:***@myserver.postgres.database.azure.com/postgres', libpqAccepts: false, nodePgAccepts: true,
    },
  },
  // --- IPv6
  {
    name: 'IPv6 loopback with port',
    text: 'postgresql://app@[::1]:5433/db',
    expect: { user: 'app', hasPassword: false, hosts: [tcp('::1', 5433)], database: 'db', libpqAccepts: true, nodePgAccepts: true, nodePgHost: '[::1]' },
  },
  {
    name: 'IPv6 address without port (libpq docs example)',
    text: 'postgresql://[2001:db8::1234]/database',
    expect: { hasPassword: false, hosts: [tcp('2001:db8::1234')], database: 'database', libpqAccepts: true, nodePgAccepts: true },
  },
  {
    name: 'IPv6 link-local with a percent-encoded zone id',
    text: 'postgresql://u:S3cr3t6@[fe80::1%25eth0]:5432/db',
    expect: { user: 'u', hasPassword: true, hosts: [tcp('fe80::1%eth0')], database: 'db', libpqAccepts: true, nodePgAccepts: false },
  },
  // --- percent-encoding
  {
    name: "percent-encoded password with '@', ':', '/' and '?'",
    text: 'postgres://app:S3cr3t%40p%3Aa%2Fs%3Fs@db.internal:5432/app',
    expect: { user: 'app', hasPassword: true, hosts: [tcp('db.internal')], database: 'app', redacted: 'postgres://app:***@db.internal:5432/app', libpqAccepts: true, nodePgAccepts: true },
  },
  {
    name: "raw '?' in the password: libpq reads it, WHATWG parsers do not",
    text: 'postgres://app:S3cr3t?x@db:5432/app',
    expect: { user: 'app', hasPassword: true, hosts: [tcp('db')], database: 'app', redacted: 'postgres://app:***@db:5432/app', libpqAccepts: true, nodePgAccepts: false },
  },
  {
    name: 'percent-encoded user and database names',
    text: 'postgresql://m%C3%BCller:S3cr3t@localhost/my%20db',
    expect: { user: 'müller', hasPassword: true, hosts: [tcp('localhost')], database: 'my db', libpqAccepts: true, nodePgAccepts: true },
  },
  {
    name: 'empty password after the colon is no password',
    text: 'postgresql://app:@localhost/app',
    expect: { user: 'app', hasPassword: false, hosts: [tcp('localhost')], database: 'app', libpqAccepts: true, nodePgAccepts: true },
  },
  // --- multi-host
  {
    name: 'multi-host URL with target_session_attrs',
    text: 'postgresql://app:S3cr3t-ha@node1.db:5432,node2.db:5433,node3.db/app?target_session_attrs=read-write',
    expect: {
      user: 'app', hasPassword: true, hosts: [tcp('node1.db'), tcp('node2.db', 5433), tcp('node3.db')], database: 'app', targetSessionAttrs: 'read-write',
      libpqAccepts: true, nodePgAccepts: false,
    },
  },
  {
    name: 'multi-host conninfo with one port for all and load_balance_hosts (libpq 16+)',
    text: 'host=node1,node2,node3 port=6432 dbname=app target_session_attrs=primary load_balance_hosts=random',
    expect: {
      scheme: 'conninfo', hasPassword: false, hosts: [tcp('node1', 6432), tcp('node2', 6432), tcp('node3', 6432)], database: 'app', targetSessionAttrs: 'primary',
      libpqAccepts: true, libpqMinMajor: 16, nodePgAccepts: false,
    },
    classify: { role: 'pooler', product: 'pgbouncer' },
  },
  // --- conninfo quoting
  {
    name: 'conninfo with quoted values and escaped quotes',
    text: "host=db port=5432 dbname=app user=u password='S3cr3t x\\'y' application_name='my app'",
    expect: {
      scheme: 'conninfo', user: 'u', hasPassword: true, hosts: [tcp('db')], database: 'app', applicationName: 'my app',
      params: { host: 'db', port: '5432', dbname: 'app', user: 'u', password: '***', application_name: 'my app' },
      redacted: "host=db port=5432 dbname=app user=u password=*** application_name='my app'", libpqAccepts: true, nodePgAccepts: false,
    },
  },
  {
    name: 'conninfo with a backslash-escaped space in an unquoted value',
    text: 'password=S3cr3t\\ z host=db dbname=a\\ b',
    expect: { scheme: 'conninfo', hasPassword: true, hosts: [tcp('db')], database: 'a b', redacted: 'password=*** host=db dbname=a\\ b', libpqAccepts: true, nodePgAccepts: false },
  },
  {
    name: 'conninfo with hostaddr',
    text: 'host=db.example.com hostaddr=10.0.0.5 port=5433 user=app',
    expect: { scheme: 'conninfo', user: 'app', hasPassword: false, hosts: [tcp('db.example.com', 5433)], libpqAccepts: true, nodePgAccepts: false },
  },
  // --- Prisma parameters
  {
    name: 'Prisma pool parameters and schema',
    text: 'postgresql://u:S3cr3t-prisma@localhost:5432/mydb?schema=public&connection_limit=1&pool_timeout=0&pgbouncer=true',
    expect: {
      user: 'u', hasPassword: true, hosts: [tcp('localhost')], database: 'mydb',
      prisma: { schema: 'public', connectionLimit: 1, poolTimeout: 0, pgbouncer: true },
      params: { schema: 'public', connection_limit: '1', pool_timeout: '0', pgbouncer: 'true' },
      libpqAccepts: false, nodePgAccepts: true,
    },
  },
  {
    name: 'Prisma statement_cache_size and socket_timeout',
    text: 'postgresql://u:S3cr3t@db:5432/app?statement_cache_size=0&socket_timeout=60',
    expect: { user: 'u', hasPassword: true, hosts: [tcp('db')], database: 'app', prisma: { statementCacheSize: 0, socketTimeout: 60 }, libpqAccepts: false, nodePgAccepts: true },
  },
  {
    name: 'trigger.dev .env.example (schema=public)',
    text: 'postgresql://postgres:postgres@localhost:5432/postgres?schema=public',
    expect: { user: 'postgres', hasPassword: true, hosts: [tcp('localhost')], database: 'postgres', prisma: { schema: 'public' }, libpqAccepts: false, nodePgAccepts: true },
  },
  // --- options (startup parameters)
  {
    name: 'options=-c search_path=app, percent-encoded',
    text: 'postgres://u:S3cr3t@db/app?options=-c%20search_path%3Dapp',
    expect: { user: 'u', hasPassword: true, hosts: [tcp('db')], database: 'app', startupOptions: [{ name: 'search_path', value: 'app' }], params: { options: '-c search_path=app' }, libpqAccepts: true, nodePgAccepts: true },
  },
  {
    name: 'options with two -c settings',
    text: 'postgresql://u@db/app?options=-c%20statement_timeout%3D5s%20-c%20lock_timeout%3D1s',
    expect: { hasPassword: false, hosts: [tcp('db')], startupOptions: [{ name: 'statement_timeout', value: '5s' }, { name: 'lock_timeout', value: '1s' }], libpqAccepts: true, nodePgAccepts: true },
  },
  {
    name: "options with a raw '=' (libpq: extra key/value separator)",
    text: 'postgresql://u@db/app?options=-c search_path=app',
    expect: { hasPassword: false, hosts: [tcp('db')], startupOptions: [{ name: 'search_path', value: 'app' }], libpqAccepts: false, nodePgAccepts: true },
  },
  {
    name: 'conninfo options with --name=value and a dash in the name',
    text: "host=db options='-c statement_timeout=5000 --search-path=app'",
    expect: { scheme: 'conninfo', hasPassword: false, hosts: [tcp('db')], startupOptions: [{ name: 'statement_timeout', value: '5000' }, { name: 'search_path', value: 'app' }], libpqAccepts: true, nodePgAccepts: false },
  },
  // --- unix sockets and defaults
  {
    name: 'unix socket directory as percent-encoded host',
    text: 'postgres://%2Fvar%2Frun%2Fpostgresql/db',
    expect: { hasPassword: false, hosts: [unix('/var/run/postgresql')], database: 'db', libpqAccepts: true, nodePgAccepts: true, nodePgHost: '/var/run/postgresql' },
  },
  {
    name: 'unix socket directory in ?host=',
    text: 'postgresql:///db?host=/var/run/postgresql',
    expect: { hasPassword: false, hosts: [unix('/var/run/postgresql')], database: 'db', libpqAccepts: true, nodePgAccepts: true },
  },
  {
    name: 'no host: libpq default socket directory',
    text: 'postgresql:///mydb',
    expect: { hasPassword: false, hosts: [{ host: '', port: 5432, kind: 'unix', defaultHost: true }], database: 'mydb', libpqAccepts: true, nodePgAccepts: true },
  },
  {
    name: 'bare scheme (libpq docs example)',
    text: 'postgresql://',
    expect: { hasPassword: false, hosts: [{ host: '', port: 5432, kind: 'unix', defaultHost: true }], database: undefined, libpqAccepts: true, nodePgAccepts: true },
  },
  {
    name: 'host only',
    text: 'postgresql://localhost',
    expect: { hasPassword: false, hosts: [tcp('localhost')], database: undefined, libpqAccepts: true, nodePgAccepts: true },
  },
  {
    name: 'libpq docs example with connect_timeout and application_name',
    text: 'postgresql://other@localhost/otherdb?connect_timeout=10&application_name=myapp',
    expect: { user: 'other', hasPassword: false, hosts: [tcp('localhost')], database: 'otherdb', connectTimeoutSeconds: 10, applicationName: 'myapp', libpqAccepts: true, nodePgAccepts: true },
  },
  {
    name: 'JDBC-style ssl=true becomes sslmode=require in libpq',
    text: 'postgresql://u:S3cr3t@db/app?ssl=true',
    expect: { hasPassword: true, hosts: [tcp('db')], sslmode: 'require', params: { ssl: 'true' }, libpqAccepts: true, nodePgAccepts: true, nodePgSsl: 'verify-full' },
  },
  {
    name: 'node-postgres-only sslmode=no-verify',
    text: 'postgres://u:S3cr3t@db/app?sslmode=no-verify',
    expect: { hasPassword: true, hosts: [tcp('db')], sslmode: 'no-verify', libpqAccepts: false, nodePgAccepts: true, nodePgSsl: 'no-verify' },
  },
  {
    name: 'password as a query parameter',
    text: 'postgresql://db/app?user=app&password=S3cr3t-q',
    expect: { user: 'app', hasPassword: true, hosts: [tcp('db')], params: { user: 'app', password: '***' }, redacted: 'postgresql://db/app?user=app&password=***', libpqAccepts: true, nodePgAccepts: true },
  },
  // --- the corpus
  {
    name: 'documenso .env.example',
    text: 'postgres://documenso:password@127.0.0.1:54320/documenso',
    expect: { user: 'documenso', hasPassword: true, hosts: [tcp('127.0.0.1', 54320)], database: 'documenso', libpqAccepts: true, nodePgAccepts: true },
    classify: { role: 'unknown' },
  },
  {
    name: 'rinha compose DATABASE_URL pointing at a repository PgBouncer',
    text: 'postgres://admin:123@localhost:5432/rinha',
    ctxPorts: [5432],
    expect: { user: 'admin', hasPassword: true, hosts: [tcp('localhost')], database: 'rinha', libpqAccepts: true, nodePgAccepts: true },
    classify: { role: 'pooler', product: 'pgbouncer' },
  },
  {
    name: 'PgBouncer sidecar on its default port',
    text: 'postgres://app:S3cr3t@pgbouncer:6432/app',
    expect: { hasPassword: true, hosts: [tcp('pgbouncer', 6432)], libpqAccepts: true, nodePgAccepts: true },
    classify: { role: 'pooler', product: 'pgbouncer' },
  },
  {
    name: 'Npgsql string from the corpus (alan_albuquerque compose)',
    text: 'Host=db:5432;Port=5432;Database=rinha;Username=admin;Password=S3cr3t123;Pooling=true;Minimum Pool Size=50;Maximum Pool Size=2000;Multiplexing=true;Timeout=15;Command Timeout=15;Cancellation Timeout=-1;No Reset On Close=true;Max Auto Prepare=20;Auto Prepare Min Usages=1;',
    expect: {
      scheme: 'npgsql', user: 'admin', hasPassword: true, hosts: [tcp('db')], database: 'rinha',
      npgsql: { pooling: true, poolMax: 2000, poolMin: 50, multiplexing: true, timeoutSeconds: 15, commandTimeoutSeconds: 15 },
      libpqAccepts: false, nodePgAccepts: false,
    },
  },
  {
    name: 'Npgsql with Server/User Id synonyms and a quoted password',
    text: 'Server=pg.internal;User Id=svc;Password="S3cr3t;x""y";Database=app;Maximum Pool Size=40',
    expect: { scheme: 'npgsql', user: 'svc', hasPassword: true, hosts: [tcp('pg.internal')], database: 'app', npgsql: { poolMax: 40 }, libpqAccepts: false, nodePgAccepts: false },
  },
];
