import type { ConnectionHost, ParsedConnection } from './types.js';

/**
 * Recognises managed and repository poolers from a parsed connection string,
 * by the conventions each provider documents (cited in `evidence`).
 */

export type PoolerProduct =
  | 'supabase-supavisor'
  | 'supabase-pgbouncer'
  | 'neon'
  | 'rds-proxy'
  | 'azure-pgbouncer'
  | 'pgbouncer'
  /** A pooler of the config file's `deployment.poolers` whose product is not stated (no PgBouncer `version`). */
  | 'declared';

export type PoolMode = 'transaction' | 'session' | 'statement';

export interface PoolerInfo {
  product: PoolerProduct;
  /** Absent when the convention does not fix it (a repository PgBouncer: the model reads its pool_mode). */
  mode?: PoolMode;
  /** Why, with the provider's documentation or the repository fact. */
  evidence: string;
  /**
   * documented = provider naming convention; repository = a listen_port found in the repo, or a host
   * and port of the config file's `deployment.poolers`; weak = PgBouncer's default port only.
   */
  confidence: 'documented' | 'repository' | 'weak';
  /** The `deployment.poolers` entry the host and port belong to. */
  declared?: string;
}

export interface EndpointClassification {
  role: 'direct' | 'pooler' | 'unknown';
  pooler?: PoolerInfo;
  /** A managed server reached directly (Supabase, Neon, RDS, Azure). */
  provider?: { name: string; evidence: string };
}

export interface ClassifyContext {
  /** `listen_port` values of the PgBouncer configurations found in the repository. */
  pgbouncerListenPorts: readonly number[];
  /** The config file's `deployment.poolers` that name hosts: they win over every convention. */
  declaredPoolers?: readonly DeclaredPoolerEndpoint[];
}

/** A `deployment.poolers` entry as the classification sees it. */
export interface DeclaredPoolerEndpoint {
  name: string;
  hosts: readonly string[];
  /** Default 6432, as docs/config.md says. */
  port: number;
  mode?: PoolMode;
  /** A PgBouncer `version` was declared: the pooler is a PgBouncer. */
  pgbouncer: boolean;
}

const SUPABASE_DOC = 'https://supabase.com/docs/guides/database/connecting-to-postgres';
const NEON_DOC = 'https://neon.com/docs/connect/connection-pooling';
const RDS_PROXY_DOC = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-connecting.html';
const RDS_PINNING_DOC = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-pinning.html';
const AZURE_PGBOUNCER_DOC = 'https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-pgbouncer';
const PGBOUNCER_DOC = 'https://www.pgbouncer.org/config.html#listen_port';

/** PgBouncer's default listen_port (etc/pgbouncer.ini, src/main.c). */
export const PGBOUNCER_DEFAULT_PORT = 6432;

const lower = (h: string): string => h.toLowerCase().replace(/\.$/, '');

/** Classifies one host:port. */
export function classifyHost(host: ConnectionHost, ctx: ClassifyContext): EndpointClassification {
  const name = lower(host.host);
  const port = host.port;
  const firstLabel = name.split('.')[0] ?? '';
  const declared = ctx.declaredPoolers?.find((d) => d.port === port && d.hosts.some((h) => lower(h) === name));
  if (declared) {
    return {
      role: 'pooler',
      pooler: {
        product: declared.pgbouncer ? 'pgbouncer' : 'declared',
        ...(declared.mode ? { mode: declared.mode } : {}),
        evidence: `${host.host}:${port} is the pooler ${declared.name} of deployment.poolers (config file)`,
        confidence: 'repository',
        declared: declared.name,
      },
    };
  }

  if (host.kind === 'tcp') {
    // Supabase: shared pooler aws-<n>-<region>.pooler.supabase.com, 6543 transaction / 5432 session;
    // direct db.<ref>.supabase.co:5432; dedicated pooler (PgBouncer) db.<ref>.supabase.co:6543.
    if (name.endsWith('.pooler.supabase.com')) {
      const mode: PoolMode | undefined = port === 6543 ? 'transaction' : port === 5432 ? 'session' : undefined;
      return {
        role: 'pooler',
        pooler: {
          product: 'supabase-supavisor',
          ...(mode ? { mode } : {}),
          evidence: `Supabase shared pooler (Supavisor) host *.pooler.supabase.com; port 6543 = transaction mode, 5432 = session mode (${SUPABASE_DOC})`,
          confidence: 'documented',
        },
      };
    }
    if (/^db\.[a-z0-9]+\.supabase\.co$/.test(name)) {
      if (port === 6543) {
        return {
          role: 'pooler',
          pooler: {
            product: 'supabase-pgbouncer',
            mode: 'transaction',
            evidence: `Supabase dedicated pooler (PgBouncer, transaction mode) on db.<project-ref>.supabase.co:6543 (${SUPABASE_DOC})`,
            confidence: 'documented',
          },
        };
      }
      return { role: 'direct', provider: { name: 'supabase', evidence: `Supabase direct connection db.<project-ref>.supabase.co:5432 (${SUPABASE_DOC})` } };
    }

    // Neon: "-pooler" appended to the endpoint id selects the PgBouncer endpoint,
    // which runs in transaction mode. Vercel Postgres hosts are Neon endpoints.
    const neonDomain = /(^|\.)neon\.tech$|(^|\.)neon\.build$|(^|\.)vercel-storage\.com$/.test(name);
    if (/^ep-[a-z0-9-]+-pooler$/.test(firstLabel) || (neonDomain && firstLabel.endsWith('-pooler'))) {
      return {
        role: 'pooler',
        pooler: {
          product: 'neon',
          mode: 'transaction',
          evidence: `Neon pooled endpoint: "-pooler" in the endpoint host name routes through PgBouncer in transaction mode (${NEON_DOC})`,
          confidence: 'documented',
        },
      };
    }
    if (neonDomain && firstLabel.startsWith('ep-')) {
      return { role: 'direct', provider: { name: 'neon', evidence: `Neon endpoint host without "-pooler" is a direct compute connection (${NEON_DOC})` } };
    }

    // AWS RDS Proxy endpoints: <proxy>.proxy-<id>.<region>.rds.amazonaws.com; the proxy
    // reuses a server connection after each transaction unless the session is pinned.
    if (/\.proxy-[a-z0-9]+\.[a-z0-9-]+\.rds\.amazonaws\.com(\.cn)?$/.test(name)) {
      return {
        role: 'pooler',
        pooler: {
          product: 'rds-proxy',
          mode: 'transaction',
          evidence: `AWS RDS Proxy endpoint (".proxy-" host, ${RDS_PROXY_DOC}); multiplexes per transaction, pinning sessions that change session state (${RDS_PINNING_DOC})`,
          confidence: 'documented',
        },
      };
    }
    if (/\.rds\.amazonaws\.com(\.cn)?$/.test(name)) {
      return { role: 'direct', provider: { name: 'aws-rds', evidence: 'Amazon RDS/Aurora instance or cluster endpoint (*.rds.amazonaws.com without ".proxy-")' } };
    }

    // Azure Database for PostgreSQL flexible server: built-in PgBouncer on port 6432 of the server host.
    if (name.endsWith('.postgres.database.azure.com')) {
      if (port === PGBOUNCER_DEFAULT_PORT) {
        return {
          role: 'pooler',
          pooler: {
            product: 'azure-pgbouncer',
            evidence: `Azure flexible server built-in PgBouncer listens on port 6432 of the server host; its pool mode is the server parameter pgbouncer.pool_mode (${AZURE_PGBOUNCER_DOC})`,
            confidence: 'documented',
          },
        };
      }
      return { role: 'direct', provider: { name: 'azure', evidence: `Azure Database for PostgreSQL server host on port ${port}` } };
    }
  }

  if (ctx.pgbouncerListenPorts.includes(port)) {
    return {
      role: 'pooler',
      pooler: {
        product: 'pgbouncer',
        evidence: `port ${port} is the listen_port of a PgBouncer configuration in this repository`,
        confidence: 'repository',
      },
    };
  }
  if (port === PGBOUNCER_DEFAULT_PORT) {
    return {
      role: 'pooler',
      pooler: {
        product: 'pgbouncer',
        evidence: `port 6432 is PgBouncer's default listen_port (${PGBOUNCER_DOC}); no configuration confirms it`,
        confidence: 'weak',
      },
    };
  }
  return { role: 'unknown' };
}

/**
 * Classifies the endpoint a connection string reaches: the first host decides
 * (libpq tries hosts in order); `perHost` has every host's classification.
 */
export function classifyEndpoint(
  parsed: Pick<ParsedConnection, 'hosts'>,
  ctx: ClassifyContext,
): EndpointClassification & { perHost: EndpointClassification[] } {
  const perHost = parsed.hosts.map((h) => classifyHost(h, ctx));
  const first = perHost[0] ?? { role: 'unknown' as const };
  return { ...first, perHost };
}
