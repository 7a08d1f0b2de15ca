/**
 * Which Python files are parsed at all. Like the JS pre-filter (src/sources/js/prefilter.ts) it
 * scans bytes with `indexOf` only (linear whatever the file holds, nothing decoded for the files it
 * rejects). False positives cost a parse; false negatives lose pools, so any occurrence counts, in
 * code or in a comment.
 *
 * A file is parsed when it mentions a PostgreSQL client library (SQLAlchemy, psycopg 3 and
 * psycopg_pool, psycopg2, asyncpg, encode/databases, SQLModel), Django's `DATABASES` setting, a pydantic
 * `BaseSettings` class or a python-decouple / django-environ reader (where pool sizes and URLs are
 * declared), or is a gunicorn configuration file (`gunicorn.conf.py`, gunicorn's default name).
 */
const KEYWORDS = ['sqlalchemy', 'sqlmodel', 'psycopg', 'asyncpg', 'DATABASES', 'BaseSettings', 'from databases import', 'import databases'].map((k) => Buffer.from(k));

/** gunicorn reads ./gunicorn.conf.py by default (gunicorn docs, "Configuration File"); projects also name it gunicorn_config.py, gunicorn.py. */
export const GUNICORN_CONF = /^gunicorn([._-]?conf(ig)?)?\.py$/;

export function isGunicornConfigName(name: string): boolean {
  return GUNICORN_CONF.test(name);
}

/** The keyword that made the file worth parsing (for --verbose), or undefined. */
export function pythonPrefilter(name: string, bytes: Uint8Array): string | undefined {
  if (isGunicornConfigName(name)) return 'gunicorn configuration';
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const k of KEYWORDS) if (buf.indexOf(k) !== -1) return k.toString();
  return undefined;
}
