/**
 * Every string the tool prints passes through here: passwords in URLs, in
 * libpq/PgBouncer conninfo strings and in userlist lines never reach an output.
 */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/)([^\s:/?#@'"]*):([^\s@/'"]*)@/gi;
const URL_QUERY_PASSWORD = /([?&](?:ssl)?password=)[^&#\s'"]*/gi;
/** ADO.NET / Npgsql: `Host=db;Username=u;Password=p;` (values end at `;`). */
const NPGSQL_PASSWORD = /((?:^|;)\s*(?:password|pwd)\s*=\s*)(?!\*\*\*)[^;]*/gi;
const CONNINFO_PASSWORD = /(\b(?:ssl)?password\s*=\s*)(?!\*\*\*)('(?:[^'\\]|\\.|'')*'|[^\s'"]+)/gi;
const PGPASSWORD = /(\bPGPASSWORD\s*[=:]\s*)(\S+)/g;
const USERLIST_LINE = /^(\s*"(?:[^"]|"")*"\s+)"(?:[^"]|"")*"/;

export const REDACTED = '***';

export function redactSecrets(text: string): string {
  if (!text) return text;
  return text
    .replace(URL_PASSWORD, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`)
    .replace(URL_QUERY_PASSWORD, (_m, key: string) => `${key}${REDACTED}`)
    .replace(NPGSQL_PASSWORD, (_m, key: string) => `${key}${REDACTED}`)
    .replace(CONNINFO_PASSWORD, (_m, key: string, v: string) => `${key}${v.startsWith("'") ? `'${REDACTED}'` : REDACTED}`)
    .replace(PGPASSWORD, (_m, key: string) => `${key}${REDACTED}`);
}

/**
 * `DB_PASSWORD=…`, `POSTGRES_PASSWORD: …`, `password: '…'` in .env, YAML and code: the value of a key
 * that ends in password/passwd/pwd (not `password_encryption`), unless it is a reference.
 */
const KEYED_PASSWORD = /(\b[\w.-]*(?:password|passwd|pwd)["']?\s*[:=]\s*)(?!process\.env|env\(|\$\{|\$\(|\*\*\*)("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|[^\s,;}#]+)/gi;
/** Kubernetes flow-style env entries: `- { name: DB_PASSWORD, value: "…" }`. */
const NAMED_PASSWORD_VALUE = /(\bname\s*:\s*["']?[\w.-]*(?:password|passwd|pwd)["']?\s*,\s*value\s*:\s*)("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,}]+)/gi;

/** A source line shown in a frame: userlist files hold a secret on every line. */
export function redactSourceLine(line: string, kind: string | undefined): string {
  if (kind === 'pgbouncer-userlist') return line.replace(USERLIST_LINE, (_m, user: string) => `${user}"${REDACTED}"`);
  let out = redactSecrets(line);
  if (kind === 'env' || kind === 'yaml' || kind === 'js' || kind === 'prisma') {
    const quoted = (v: string) => (/^["'`]/.test(v) ? `${v[0]}${REDACTED}${v[0]}` : REDACTED);
    out = out.replace(NAMED_PASSWORD_VALUE, (_m, key: string, v: string) => `${key}${quoted(v)}`).replace(KEYED_PASSWORD, (_m, key: string, v: string) => `${key}${quoted(v)}`);
  }
  return out;
}
