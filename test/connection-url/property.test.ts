import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { formatConnectionUrl, formatConninfo, isParseError, parseConnectionString } from '../../src/sources/connection-url/parse.js';
import type { ConnectionStringParts } from '../../src/sources/connection-url/parse.js';
import type { ParsedConnection } from '../../src/sources/connection-url/types.js';
import { deepJson } from './helpers.js';

/** Any Unicode text without NUL (libpq strings are C strings). */
const text = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !s.includes('\0'));
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const hostname = fc.array(label, { minLength: 1, maxLength: 4 }).map((a) => a.join('.'));
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((a) => a.join('.'));
const ipv6 = fc.ipV6();
const socketDir = fc.array(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,10}$/), { minLength: 1, maxLength: 3 }).map((a) => `/${a.join('/')}`);
const host = fc.record({
  host: fc.oneof(hostname, ipv4, ipv6, socketDir),
  port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
});
/** Parameters whose values libpq keeps verbatim (no effect on hosts, user or database). */
const paramKey = fc.constantFrom('application_name', 'fallback_application_name', 'client_encoding', 'sslrootcert', 'krbsrvname', 'schema', 'connection_limit');
const parts = fc.record({
  user: fc.option(text, { nil: undefined }),
  password: fc.option(text, { nil: undefined }),
  hosts: fc.array(host, { minLength: 1, maxLength: 3 }),
  database: fc.option(text, { nil: undefined }),
  params: fc.uniqueArray(fc.tuple(paramKey, text), { selector: ([k]) => k, maxLength: 4 }),
});

function expectRoundTrip(x: ConnectionStringParts & { params: Array<[string, string]> }, r: ParsedConnection): void {
  expect(r.user).toBe(x.user || undefined);
  expect(r.hasPassword).toBe((x.password ?? '') !== '');
  expect(r.database).toBe(x.database || undefined);
  expect(r.hosts.map((h) => [h.host, h.port, h.kind])).toEqual(
    x.hosts.map((h) => [h.host, h.port ?? 5432, h.host.startsWith('/') ? 'unix' : 'tcp']),
  );
  expect([...r.params]).toEqual(x.params);
}

describe('parse(format(x)) round-trips', () => {
  test('URLs', () => {
    fc.assert(
      fc.property(parts, (x) => {
        const s = formatConnectionUrl(x);
        const r = parseConnectionString(s);
        if (isParseError(r)) throw new Error(`${s}: ${r.error}`);
        expectRoundTrip(x, r);
        // Everything is percent-encoded: libpq 15 and 18 agree and accept the keywords used.
        expect(r.libpq.rejectedFromMajorVersion).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });

  test('key/value conninfo', () => {
    fc.assert(
      fc.property(parts, (x) => {
        const s = formatConninfo(x);
        const r = parseConnectionString(s);
        if (isParseError(r)) throw new Error(`${s}: ${r.error}`);
        expect(r.scheme).toBe('conninfo');
        expect(r.user).toBe(x.user || undefined);
        expect(r.hasPassword).toBe((x.password ?? '') !== '');
        expect(r.database).toBe(x.database || undefined);
        expect(r.hosts.map((h) => [h.host, h.port])).toEqual(x.hosts.map((h) => [h.host, h.port ?? 5432]));
      }),
      { numRuns: 400 },
    );
  });

  test('a single-host URL reads the same in node-postgres, except where pg-connection-string is documented to differ', () => {
    const simple = fc.record({
      user: fc.option(fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), { nil: undefined }),
      password: fc.option(text, { nil: undefined }),
      hosts: fc.tuple(fc.record({ host: hostname, port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }) })),
      database: fc.option(fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), { nil: undefined }),
    });
    fc.assert(
      fc.property(simple, (x) => {
        const r = parseConnectionString(formatConnectionUrl(x));
        if (isParseError(r)) throw new Error(r.error);
        expect(r.nodePostgres).toMatchObject({ accepts: true, host: x.hosts[0].host, port: x.hosts[0].port ?? 5432, differences: [] });
        expect(r.nodePostgres.database).toBe(x.database);
        expect(r.nodePostgres.user).toBe(x.user);
      }),
      { numRuns: 200 },
    );
  });
});

describe('redaction', () => {
  // A marker that percent-encoding leaves as is, so it is found in any encoding of the password.
  const secret = text.map((s) => `Zq9Xw${s}`);
  test('no password survives in the result, whatever the form', () => {
    fc.assert(
      fc.property(parts, secret, fc.constantFrom('url', 'conninfo', 'query', 'npgsql'), (x, pw, form) => {
        const s =
          form === 'url'
            ? formatConnectionUrl({ ...x, password: pw })
            : form === 'conninfo'
              ? formatConninfo({ ...x, password: pw })
              : form === 'query'
                ? formatConnectionUrl({ ...x, password: undefined, params: [...x.params, ['password', pw]] })
                : `Host=${x.hosts[0]?.host ?? 'h'};Password="${pw.replace(/"/g, '""')}";Database=d`;
        const r = parseConnectionString(s);
        if (isParseError(r)) throw new Error(`${form}: ${r.error}`);
        expect(r.hasPassword).toBe(true);
        expect(deepJson(r)).not.toContain('Zq9Xw');
        expect(r.redacted).not.toContain('Zq9Xw');
      }),
      { numRuns: 400 },
    );
  });

  test('arbitrary text never throws, and errors never quote it', () => {
    const noisy = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.tuple(fc.constantFrom('postgres://', 'postgresql://', 'host=', 'Host=x;'), fc.string({ maxLength: 40 })).map(([a, b]) => a + b),
    );
    fc.assert(
      fc.property(noisy, (s) => {
        const r = parseConnectionString(`${s}Zq9Xw`);
        if (isParseError(r)) expect(r.error).not.toContain('Zq9Xw');
      }),
      { numRuns: 2000 },
    );
  });
});
