import type { PrismaUrlParams } from './types.js';

/**
 * URL query parameters that only Prisma ORM 5/6 (its Rust query engine,
 * prisma-engines quaint/src/connector/postgres/url.rs) reads; libpq rejects
 * them, node-postgres and Prisma 7 driver adapters ignore them.
 * Docs: https://www.prisma.io/docs/orm/overview/databases/postgresql#arguments
 */
export const PRISMA_URL_PARAMS: ReadonlySet<string> = new Set([
  'connection_limit', 'pool_timeout', 'pgbouncer', 'statement_cache_size', 'schema', 'socket_timeout',
  'max_connection_lifetime', 'max_idle_connection_lifetime', 'sslidentity', 'sslaccept', 'single_use_connections',
]);

/** Rust `usize`/`u64` FromStr: ASCII digits only (a leading '+' is accepted too). */
function parseUnsigned(v: string): number | undefined {
  return /^\+?\d+$/.test(v) ? Number(v) : undefined;
}

/** Reads Prisma's pool parameters from the decoded query; invalid values make Prisma refuse the URL (error P1013). */
export function readPrismaParams(query: ReadonlyMap<string, string>): { prisma: PrismaUrlParams; warnings: string[] } {
  const prisma: PrismaUrlParams = {};
  const warnings: string[] = [];
  const num = (key: string, set: (n: number) => void): void => {
    const v = query.get(key);
    if (v === undefined) return;
    const n = parseUnsigned(v);
    if (n === undefined) warnings.push(`Prisma refuses ${key}: it must be a non-negative integer`);
    else set(n);
  };
  num('connection_limit', (n) => (prisma.connectionLimit = n));
  num('pool_timeout', (n) => (prisma.poolTimeout = n));
  num('statement_cache_size', (n) => (prisma.statementCacheSize = n));
  num('socket_timeout', (n) => (prisma.socketTimeout = n));
  num('connect_timeout', (n) => (prisma.connectTimeout = n));
  const pgb = query.get('pgbouncer');
  if (pgb !== undefined) {
    // Rust bool::from_str accepts exactly "true" and "false".
    if (pgb === 'true' || pgb === 'false') prisma.pgbouncer = pgb === 'true';
    else warnings.push('Prisma refuses pgbouncer: it must be true or false');
  }
  const schema = query.get('schema');
  if (schema !== undefined) prisma.schema = schema;
  return { prisma, warnings };
}
