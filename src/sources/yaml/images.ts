import type { SourceRange } from '../../core/location.js';
import type { ImageRef, Resolved } from './types.js';

/**
 * Splits `[registry/]repository[:tag][@digest]` the way Docker's reference grammar
 * (distribution/reference) does: the first path component is a registry when it contains
 * `.` or `:` or is `localhost`; `docker.io/library/x` is `x`.
 */
export function parseImageRef(raw: string, range: SourceRange, unresolved?: string[]): ImageRef {
  let rest = raw.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry: string | undefined;
  const firstSlash = rest.indexOf('/');
  if (firstSlash !== -1) {
    const first = rest.slice(0, firstSlash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(firstSlash + 1);
    }
  }
  if ((registry === undefined || registry === 'docker.io' || registry === 'index.docker.io') && rest.startsWith('library/')) rest = rest.slice(8);
  const out: ImageRef = { raw, repository: rest.toLowerCase(), range };
  if (registry !== undefined) out.registry = registry;
  if (tag !== undefined && tag !== '') out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  if (unresolved && unresolved.length > 0) out.unresolved = unresolved;
  return out;
}

/** Repositories whose images run the PostgreSQL server (last path component, or the whole repository). */
const POSTGRES_REPOSITORIES = new Set([
  'postgres',
  'postgresql', // bitnami/postgresql, cloudnative-pg/postgresql (ghcr.io)
  'postgis/postgis',
  'pgvector/pgvector',
  'ankane/pgvector',
  'supabase/postgres',
  'timescale/timescaledb',
  'timescale/timescaledb-ha',
  'pgautoupgrade/pgautoupgrade',
  'cimg/postgres',
  'crunchydata/crunchy-postgres',
  'zalando/spilo-15',
  'paradedb/paradedb',
  'citusdata/citus', // PostgreSQL with the Citus extension: the coordinator has max_connections as any server
  'timescale/timescaledb-postgis',
  'bitnami/postgresql-repmgr',
  'apache/age',
  'tensorchord/pgvecto-rs',
  'tensorchord/vchord-postgres',
]);

/**
 * Database servers that speak the PostgreSQL protocol but are not PostgreSQL: their connection
 * limits are not `max_connections` (CockroachDB: server.max_connections_per_gateway, unlimited by
 * default; YugabyteDB: ysql_max_connections per tserver), so no budget of PostgreSQL's is computed
 * for them, and they are never client services.
 */
const POSTGRES_COMPATIBLE_SERVERS: Record<string, string> = {
  'cockroachdb/cockroach': 'CockroachDB',
  'cockroachdb/cockroach-unstable': 'CockroachDB',
  'yugabytedb/yugabyte': 'YugabyteDB',
  'materialize/materialized': 'Materialize',
  'risingwavelabs/risingwave': 'RisingWave',
  'questdb/questdb': 'QuestDB',
  crate: 'CrateDB',
};

/** The product name when the image runs a database server that speaks PostgreSQL's protocol but is not PostgreSQL. */
export function postgresCompatibleServer(img: ImageRef): string | undefined {
  return POSTGRES_COMPATIBLE_SERVERS[img.repository];
}

export function isPostgresImage(img: ImageRef): boolean {
  const repo = img.repository;
  if (POSTGRES_REPOSITORIES.has(repo)) return true;
  const last = repo.slice(repo.lastIndexOf('/') + 1);
  return last === 'postgres' || last === 'postgresql' || last.startsWith('spilo-') || last === 'timescaledb' || last === 'postgis' || last === 'pgvector';
}

export function isBitnamiPostgres(img: ImageRef): boolean {
  return /(^|\/)bitnami(legacy)?\/postgresql$/.test(img.repository);
}

/**
 * PostgreSQL major version from an image tag: `15`, `14.24-bookworm`, `16-alpine`,
 * `16.2.0-debian-12-r6` (bitnami), `15-3.4` (postgis), `latest-pg16` / `2.14.2-pg16`
 * (timescale), `pg16` (pgvector), `18.6-system-trixie` (CloudNativePG), `9.6` → 9.6.
 * Spilo images carry the major in the repository name (`spilo-18`).
 */
export function postgresMajorFromImage(img: ImageRef): Resolved<number> {
  const spilo = /spilo-(\d+)$/.exec(img.repository);
  if (spilo) return { value: Number(spilo[1]), provenance: { kind: 'literal' }, range: img.range };
  const tag = img.tag;
  if (img.unresolved && tag && tag.includes('${')) return { value: undefined, provenance: { kind: 'unknown', reason: `image tag "${tag}" is not resolved` }, range: img.range };
  if (tag === undefined || tag === '' || tag === 'latest' || /^(alpine|bookworm|bullseye|trixie)/.test(tag)) {
    return { value: undefined, provenance: { kind: 'unknown', reason: `image ${img.repository}${tag ? `:${tag}` : ''} is not pinned to a major version` }, range: img.range };
  }
  const pg = /(?:^|-)pg(\d+)(?:$|[.-])/.exec(tag);
  if (pg) return { value: Number(pg[1]), provenance: { kind: 'literal' }, range: img.range };
  // Citus tags carry the Citus version (`12.1`), not PostgreSQL's; only `-pgNN` names the server's.
  if (img.repository === 'citusdata/citus') return { value: undefined, provenance: { kind: 'unknown', reason: `citus tag "${tag}" names the Citus version, not PostgreSQL's` }, range: img.range };
  const m = /^v?(\d+)(?:\.(\d+))?/.exec(tag);
  if (m) {
    const major = Number(m[1]);
    // Before PostgreSQL 10 the major version had two parts (9.6).
    const value = major < 10 && m[2] !== undefined ? Number(`${major}.${m[2]}`) : major;
    if (value >= 7 && value < 100) return { value, provenance: { kind: 'literal' }, range: img.range };
  }
  return { value: undefined, provenance: { kind: 'unknown', reason: `cannot read a PostgreSQL version from tag "${tag}"` }, range: img.range };
}

/**
 * The minor release an image tag pins (`postgres:15.18-bookworm` → 18, bitnami's `15.18.0-debian-12-r5`
 * → 18), when the tag's major is the one `postgresMajorFromImage` reads and it is 10 or later; else
 * undefined (`postgres:15` floats to the newest 15.x, `spilo-15` and `-pg15` name no minor).
 */
export function postgresMinorFromImage(img: ImageRef): number | undefined {
  const major = postgresMajorFromImage(img).value;
  const tag = img.tag;
  if (major === undefined || major < 10 || tag === undefined || img.unresolved !== undefined || /spilo-\d+$/.test(img.repository) || /(?:^|-)pg\d+(?:$|[.-])/.test(tag)) return undefined;
  const m = /^v?(\d+)\.(\d+)(?:$|[.-])/.exec(tag);
  return m && Number(m[1]) === major ? Number(m[2]) : undefined;
}

export type PgbouncerImageKind = 'edoburu' | 'bitnami';

export function pgbouncerImageKind(img: ImageRef): PgbouncerImageKind | undefined {
  const repo = img.repository;
  if (/(^|\/)edoburu\/pgbouncer$/.test(repo)) return 'edoburu';
  if (/(^|\/)bitnami(legacy)?\/pgbouncer$/.test(repo)) return 'bitnami';
  return undefined;
}

/** Any image whose repository ends in `pgbouncer` (used only for recognition). */
export function isPgbouncerImage(img: ImageRef): boolean {
  return /(^|\/)pgbouncer$/.test(img.repository);
}

/** PgBouncer version from a tag: edoburu `v1.25.2-p0` / `1.22.1-p0`, bitnami `1.23.1-debian-12-r5`. */
export function pgbouncerVersionFromTag(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  const m = /^v?(1\.\d+(?:\.\d+)?)(?:$|[-_.+])/.exec(tag);
  return m ? m[1] : undefined;
}
