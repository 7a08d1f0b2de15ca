import { describe, expect, test } from 'vitest';
import { classifyEndpoint } from '../../src/sources/connection-url/poolers.js';
import { isParseError, parseConnectionString, spanRange } from '../../src/sources/connection-url/parse.js';
import type { ParsedConnection } from '../../src/sources/connection-url/types.js';
import { CASES } from './cases.js';
import { deepJson } from './helpers.js';

function parsed(text: string): ParsedConnection {
  const r = parseConnectionString(text);
  if (isParseError(r)) throw new Error(`unexpected parse error: ${r.error}`);
  return r;
}

describe('parseConnectionString: real-world shapes', () => {
  test('the table has at least 40 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = parsed(c.text);
    const e = c.expect;
    expect(r.scheme).toBe(e.scheme ?? 'url');
    if ('user' in e) expect(r.user).toBe(e.user);
    expect(r.hasPassword).toBe(e.hasPassword);
    expect(r.hosts.map((h) => ({ host: h.host, port: h.port, kind: h.kind, ...(h.defaultHost ? { defaultHost: true } : {}) }))).toEqual(e.hosts);
    if ('database' in e) expect(r.database).toBe(e.database);
    if ('sslmode' in e) expect(r.sslmode).toBe(e.sslmode);
    if (e.connectTimeoutSeconds !== undefined) expect(r.connectTimeoutSeconds).toBe(e.connectTimeoutSeconds);
    if (e.applicationName !== undefined) expect(r.applicationName).toBe(e.applicationName);
    if (e.targetSessionAttrs !== undefined) expect(r.targetSessionAttrs).toBe(e.targetSessionAttrs);
    if (e.params) expect(Object.fromEntries(r.params)).toEqual(e.params);
    if (e.startupOptions) expect(r.startupOptions).toEqual(e.startupOptions);
    if (e.prisma) expect(r.prisma).toEqual(e.prisma);
    if (e.npgsql) expect(r.npgsql).toMatchObject(e.npgsql);
    if (e.redacted !== undefined) expect(r.redacted).toBe(e.redacted);
    expect({ libpq: r.libpq.accepts, error: r.libpq.error }).toMatchObject({ libpq: e.libpqAccepts });
    if (e.libpqMinMajor !== undefined) expect(r.libpq.minMajorVersion).toBe(e.libpqMinMajor);
    expect({ nodePg: r.nodePostgres.accepts, error: r.nodePostgres.error }).toMatchObject({ nodePg: e.nodePgAccepts });
    if (e.nodePgHost !== undefined) expect(r.nodePostgres.host).toBe(e.nodePgHost);
    if (e.nodePgSsl !== undefined) expect(r.nodePostgres.ssl).toBe(e.nodePgSsl);
    if (c.classify) {
      const k = classifyEndpoint(r, { pgbouncerListenPorts: c.ctxPorts ?? [] });
      expect({ role: k.role, product: k.pooler?.product, mode: k.pooler?.mode }).toEqual({
        role: c.classify.role,
        product: c.classify.product,
        mode: c.classify.mode,
      });
      if (k.pooler) expect(k.pooler.evidence.length).toBeGreaterThan(10);
    }
  });

  test('no password appears in the result, its JSON, or the redacted text', () => {
    for (const c of CASES) {
      const r = parsed(c.text);
      const json = deepJson(r);
      for (const s of [json, r.redacted, ...r.warnings, r.libpq.error ?? '', r.nodePostgres.error ?? '', ...r.nodePostgres.differences]) {
        expect(s, c.name).not.toMatch(/S3cr3t/);
      }
    }
  });
});

describe('libpq details', () => {
  test('later settings win; requiressl=1 is sslmode=require; ?host= overrides the URL host', () => {
    const r = parsed('postgresql://a:1/db?host=b&port=2&requiressl=1');
    expect(r.hosts).toEqual([{ host: 'b', port: 2, kind: 'tcp' }]);
    expect(r.sslmode).toBe('require');
    const c = parsed('host=a host=b sslmode=disable requiressl=0');
    expect(c.hosts[0]?.host).toBe('b');
    expect(c.sslmode).toBe('prefer');
  });

  test("'+' is not a space for libpq but is for node-postgres", () => {
    const r = parsed('postgresql://db/app?application_name=a+b');
    expect(r.applicationName).toBe('a+b');
    expect(r.nodePostgres.differences.join(' ')).toMatch(/'\+'/);
  });

  test('"#" is not a fragment for libpq: it belongs to the database name', () => {
    expect(parsed('postgresql://db/app#x').database).toBe('app#x');
  });

  test('unknown keywords are reported by name, and libpq 16+ keywords raise the minimum version', () => {
    const r = parsed('postgresql://db/app?load_balance_hosts=random&sslnegotiation=direct');
    expect(r.libpq).toEqual({ accepts: true, minMajorVersion: 17 });
    const u = parsed('host=db connection_limit=1');
    expect(u.libpq.accepts).toBe(false);
    expect(u.libpq.error).toContain('"connection_limit"');
  });

  test('ports: one for all hosts, one per host, or an error; invalid ports are errors', () => {
    expect(parsed('host=a,b,c port=7').hosts.map((h) => h.port)).toEqual([7, 7, 7]);
    expect(parsed('host=a,b port=7,').hosts.map((h) => [h.port, h.defaultPort ?? false])).toEqual([[7, false], [5432, true]]);
    expect(parseConnectionString('host=a,b,c port=1,2')).toEqual({ error: 'libpq cannot match 2 port numbers to 3 hosts' });
    expect(parseConnectionString('postgresql://h:99999/db')).toMatchObject({ error: expect.stringMatching(/invalid port/) });
    expect(parseConnectionString('postgresql://h: 42 /db')).not.toHaveProperty('error');
  });

  test('empty host entries default to the socket directory', () => {
    expect(parsed('postgresql://,b/db').hosts).toEqual([
      { host: '', port: 5432, kind: 'unix', defaultHost: true, defaultPort: true },
      { host: 'b', port: 5432, kind: 'tcp', defaultPort: true },
    ]);
  });

  test('conninfo: `host= port=5432` makes "port=5432" the host, with a warning', () => {
    const r = parsed('host= port=5432');
    expect(r.hosts[0]?.host).toBe('port=5432');
    expect(r.warnings.join(' ')).toMatch(/empty value/);
  });

  test('abstract unix socket names (@) are unix sockets', () => {
    expect(parsed('host=@pg port=5432').hosts[0]?.kind).toBe('unix');
  });
});

describe('errors are data and never echo the text', () => {
  const bad: Array<[string, RegExp]> = [
    ['postgresql://u:S3cr3t@[::1/db', /closing "\]"/],
    ['postgresql://u:S3cr3t@[]/db', /empty/],
    ['postgresql://u:S3cr3t@[::1]x/db', /unexpected character/],
    ['postgresql://u%zz:S3cr3t@h/db', /percent-encoding in the user/],
    ['postgresql://u:S3cr3t@h%zz/db', /percent-encoding in the host/],
    ["host=db password='S3cr3t", /unterminated/],
    ['host=db password S3cr3t', /missing "="/],
    ['password=my S3cr3t host=db', /missing "="/],
    ['mysql://u:S3cr3t@h/db', /not a PostgreSQL connection string/],
    // (jdbc:postgresql:// is a URL the parser reads since issue 14: test/app/sources.test.ts)
    ['S3cr3t', /not a connection string/],
    ['postgres://u:S3cr3tx@h:S3cr3t/db', /invalid port/],
    ['Host=db;Password="S3cr3t', /unterminated/],
    ['postgres://u:12/S3cr3t@h/db', /percent-encode it as %2F/],
  ];
  test.each(bad)('%s', (text, message) => {
    const r = parseConnectionString(text, { file: '/f', line: 3, column: 5, endLine: 3, endColumn: 5 + text.length });
    expect(isParseError(r)).toBe(true);
    if (!isParseError(r)) return;
    expect(r.error).toMatch(message);
    expect(r.error).not.toMatch(/S3cr3t/);
    expect(r.range).toEqual({ file: '/f', line: 3, column: 5, endLine: 3, endColumn: 5 + text.length });
  });

  test('a PgJDBC URL parses, its password redacted', () => {
    const r = parsed('jdbc:postgresql://h/db?password=S3cr3t');
    expect(r.hasPassword).toBe(true);
    expect(r.redacted).not.toContain('S3cr3t');
  });

  test('a bad percent-escape in the password is a libpq error, not a parse error, and is still redacted', () => {
    const r = parsed('postgresql://u:S3cr3t%zz@h/db');
    expect(r.hasPassword).toBe(true);
    expect(r.libpq.accepts).toBe(false);
    expect(r.redacted).toBe('postgresql://u:***@h/db');
  });
});

describe('spans map to file ranges', () => {
  test('a param of a string on one line', () => {
    const text = 'postgresql://u@db:6543/app?connection_limit=1';
    const r = parseConnectionString(text, { file: '/e', line: 2, column: 14, endLine: 2, endColumn: 14 + text.length });
    if (isParseError(r)) throw new Error(r.error);
    const span = r.spans.params.get('connection_limit');
    expect(span).toBeDefined();
    if (!span) return;
    expect(spanRange(r, span)).toEqual({ file: '/e', line: 2, column: 14 + 27, endLine: 2, endColumn: 14 + text.length });
    expect(text.slice(span.start, span.end)).toBe('connection_limit=1');
    const hosts = r.spans.hosts;
    expect(hosts && text.slice(hosts.start, hosts.end)).toBe('db:6543');
  });
});

describe('node-postgres reading (pg-connection-string 2.14 semantics)', () => {
  const np = (t: string) => parsed(t).nodePostgres;
  test('sslmode=require means verify-full in pg unless uselibpqcompat=true', () => {
    expect(np('postgres://h/d?sslmode=require').ssl).toBe('verify-full');
    expect(np('postgres://h/d?sslmode=require&uselibpqcompat=true').ssl).toBe('no-verify');
    expect(np('postgres://h/d?sslmode=disable').ssl).toBe('off');
    expect(np('postgres://h/d').ssl).toBe('unset');
  });
  test("ssl=false is the truthy string 'false' in pg; libpq rejects ssl=false", () => {
    const r = parsed('postgres://h/d?ssl=false');
    expect(r.nodePostgres.ssl).toBe('verify-full');
    expect(r.nodePostgres.differences.join(' ')).toMatch(/'false'/);
    expect(r.libpq.accepts).toBe(false);
  });
  test('dbname= in the query is ignored by pg', () => {
    const r = parsed('postgres://h/a?dbname=b');
    expect(r.database).toBe('b');
    expect(r.nodePostgres.database).toBe('a');
    expect(r.nodePostgres.differences.join(' ')).toMatch(/ignores dbname/);
  });
  test('decodeURI leaves %2F in the database name', () => {
    expect(np('postgres://h/a%2Fb').database).toBe('a%2Fb');
  });
  test('no host: unix socket for libpq, localhost for pg', () => {
    expect(np('postgresql:///db').differences.join(' ')).toMatch(/localhost/);
  });
  test('key/value conninfo is not read by pg', () => {
    expect(np('host=db dbname=app').accepts).toBe(false);
  });
});

describe('libpq 18 and spaces in URI parts', () => {
  test('an unencoded space inside a part is rejected from libpq 18 on', () => {
    const r = parsed('postgresql://app:S3cr3t x@db/app');
    expect(r.libpq).toMatchObject({ accepts: true, rejectedFromMajorVersion: 18 });
    expect(r.libpq.laterError).not.toMatch(/S3cr3t/);
    expect(r.redacted).toBe('postgresql://app:***@db/app');
  });
  test('spaces around a part are dropped by libpq 18 only', () => {
    const r = parsed('postgresql://db/app ');
    expect(r.database).toBe('app ');
    expect(r.warnings.join(' ')).toMatch(/libpq 18 drops spaces/);
  });
});

describe('classifyEndpoint', () => {
  test('a unix socket on a repository PgBouncer listen_port is that PgBouncer', () => {
    const r = parsed('host=/var/run/pgbouncer port=6433');
    expect(classifyEndpoint(r, { pgbouncerListenPorts: [6433] })).toMatchObject({ role: 'pooler', pooler: { product: 'pgbouncer', confidence: 'repository' } });
    expect(classifyEndpoint(r, { pgbouncerListenPorts: [] }).role).toBe('unknown');
  });
  test('the first host decides; every host is classified', () => {
    const r = parsed('postgresql://aws-0-us-east-1.pooler.supabase.com:6543,db.abcdefghijklmnopqrst.supabase.co:5432/postgres');
    const k = classifyEndpoint(r, { pgbouncerListenPorts: [] });
    expect(k.role).toBe('pooler');
    expect(k.perHost.map((h) => h.role)).toEqual(['pooler', 'direct']);
  });
  test('6432 without a configuration is weak evidence', () => {
    expect(classifyEndpoint(parsed('postgres://h:6432/d'), { pgbouncerListenPorts: [] }).pooler?.confidence).toBe('weak');
  });
  test('a Supabase pooler host on another port has no mode', () => {
    const k = classifyEndpoint(parsed('postgres://aws-0-us-east-1.pooler.supabase.com:7000/d'), { pgbouncerListenPorts: [] });
    expect(k.pooler?.product).toBe('supabase-supavisor');
    expect(k.pooler?.mode).toBeUndefined();
  });
});

describe('regression: a `;` inside a libpq conninfo is not an Npgsql separator', () => {
  // Found by the round-trip property (seed 1470779577): host='/:' password=';' was read as Npgsql.
  test.each([["host='/:' password=';'", 'conninfo'], ['host=db password=a;b', 'conninfo'], ['Host=db;Username=u;Password=p', 'npgsql']])('%s', (text, scheme) => {
    const r = parseConnectionString(text);
    expect('error' in r ? r.error : r.scheme).toBe(scheme);
  });
});
