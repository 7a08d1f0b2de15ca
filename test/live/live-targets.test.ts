/**
 * `pgconn-lint live` without a database: how targets are read (URL, conninfo, PG* environment),
 * query masking, usage errors, bounded time against a host that accepts the connection and never
 * answers, and that a plain lint never loads node-postgres.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { maskQuery } from '../../src/live/mask-query.js';
import { DEFAULT_CONNECT_TIMEOUT_SECONDS } from '../../src/live/read.js';
import { targetDisplay, targetFromEnvironment, targetFromString } from '../../src/live/targets.js';
import { projectCopy, runLiveCli } from './support.js';

describe('targets', () => {
  test('a URL: the password goes to the client only, the display has none', () => {
    const r = targetFromString('postgresql://app:s%40cret@db.internal:6543/shop?sslmode=require', '--url', {});
    expect(r).toEqual({
      target: { display: 'postgresql://app@db.internal:6543/shop', kind: 'postgresql', origin: '--url', host: 'db.internal', port: 6543, user: 'app', database: 'shop' },
      connect: { host: 'db.internal', port: 6543, user: 'app', database: 'shop', password: 's@cret', sslmode: 'require' },
      notes: [],
    });
  });

  test('a conninfo string with a quoted password and a socket directory', () => {
    const r = targetFromString("host=/var/run/postgresql port=5433 user=postgres password='a b\\'c' dbname=app", '--url', {});
    expect(r).toMatchObject({
      target: { display: 'postgresql://postgres@%2Fvar%2Frun%2Fpostgresql:5433/app', host: '/var/run/postgresql', port: 5433 },
      connect: { password: "a b'c" },
    });
  });

  test('what the string leaves out comes from PG*, as libpq does; database pgbouncer is the admin console', () => {
    const env = { PGUSER: 'ops', PGPASSWORD: 'x', PGPORT: '6432' };
    const r = targetFromString('postgresql://pgb.internal/pgbouncer', '--url', env);
    expect(r).toMatchObject({ target: { kind: 'pgbouncer', display: 'postgresql://ops@pgb.internal:6432/pgbouncer' }, connect: { password: 'x' } });
    expect(targetFromEnvironment({})).toBeUndefined();
    expect(targetFromEnvironment({ PGHOST: 'db', PGUSER: 'app' })?.target.display).toBe('postgresql://app@db:5432/app');
  });

  test('several hosts: the first is read, and the user is told', () => {
    const r = targetFromString('postgresql://app@a:5432,b:5433/app', '--url', {});
    expect(r).toMatchObject({ target: { host: 'a', port: 5432 }, notes: ['--url names 2 hosts: only the first is read'] });
  });

  test('strings that cannot be used are refused without quoting them', () => {
    expect(targetFromString('Host=db;Username=app;Password=p', '--url', {})).toEqual({ error: '--url: an Npgsql (ADO.NET) connection string; give a postgresql:// URL or a libpq key=value string' });
    expect(targetFromString('postgresql://app:p@db/app?sslrootcert=/etc/ca.pem', '--url', {})).toEqual({ error: '--url: the connection option "sslrootcert" is not supported by pgconn-lint live; connect without it (or through an SSH tunnel)' });
    expect(targetFromString('mysql://app:p@db/app', '--url', {})).toEqual({ error: '--url: not a PostgreSQL connection string: libpq only accepts the postgresql:// and postgres:// schemes' });
  });

  test('IPv6 hosts are bracketed in the display', () => {
    expect(targetDisplay('::1', 5432, 'app', 'app')).toBe('postgresql://app@[::1]:5432/app');
  });
});

describe('--show-queries masking', () => {
  test.each([
    ["SELECT * FROM users WHERE email = 'alice@example.com'", "SELECT * FROM users WHERE email = '…'"],
    ["UPDATE t SET a = 'it''s', b = E'x\\'y' WHERE id = 3", "UPDATE t SET a = '…', b = E'…' WHERE id = 3"],
    ['SELECT $$secret$$, $tag$more $$ secret$tag$', "SELECT '…', '…'"],
    ['SELECT "Name" FROM t -- token 123\nWHERE x = 1', 'SELECT "Name" FROM t WHERE x = 1'],
    ["INSERT INTO t VALUES ('unterminated", "INSERT INTO t VALUES ('…'"],
  ])('%s', (sql, shown) => {
    expect(maskQuery(sql)).toBe(shown);
  });
  test('cut to 200 characters', () => {
    const m = maskQuery(`SELECT ${'x, '.repeat(200)}1`);
    expect(m).toHaveLength(200);
    expect(m.endsWith('…')).toBe(true);
  });
});

describe('usage errors (exit 2)', () => {
  test('no target at all', async () => {
    const r = await runLiveCli(['live', '.'], projectCopy(), {});
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe('pgconn-lint: live needs a server: --url <URL or conninfo>, --url-env <NAME>, the PGHOST/PGPORT/PGUSER/PGDATABASE environment, or --from-model\n');
  });
  test('the command word is found after options that take a value', async () => {
    const r = await runLiveCli(['-f', 'json', 'live', '--connect-timeout', '1', '--url', 'postgresql://a@127.0.0.1:1/a', '.'], projectCopy(), {});
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('[]\n');
    expect(r.stderr).toContain('cannot reach 127.0.0.1:1 (ECONNREFUSED)');
  });
  test('--url-env naming an unset variable, --env-file without --from-model, a misspelled option', async () => {
    const dir = projectCopy();
    expect((await runLiveCli(['live', '--url-env', 'PROD_URL'], dir, {})).stderr).toBe('pgconn-lint: --url-env PROD_URL: the environment variable PROD_URL is not set\n');
    expect((await runLiveCli(['live', '--env-file', '.env.prod', '--url', 'postgresql://a@b/c'], dir, {})).stderr).toBe("pgconn-lint: --env-file gives the values of the model's variables: use it with --from-model\n");
    expect((await runLiveCli(['live', '--show-query'], dir, {})).stderr).toBe('pgconn-lint: unknown option --show-query (did you mean --show-queries?)\n');
  });
  test('--from-model with a production .env outside the repository: the model\'s variables name the targets', async () => {
    const dir = projectCopy();
    const envFile = resolve(dir, '..', `prod-${process.pid}.env`);
    (await import('node:fs')).writeFileSync(envFile, 'DATABASE_URL=postgresql://app:Pw7FromModel@127.0.0.1:1/app?application_name=api\n');
    const r = await runLiveCli(['live', '--from-model', '--env-file', envFile, '--connect-timeout', '1', '.'], dir, {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('postgresql://app@127.0.0.1:1/app (--from-model: DATABASE_URL (--env-file) of service api): cannot reach 127.0.0.1:1 (ECONNREFUSED)');
    expect(r.stderr).not.toContain('Pw7FromModel');
  });
  test("--from-model without --env-file: the services' own environment in the repository names the targets", async () => {
    const dir = projectCopy();
    // Compose reads .env beside the compose file: the URLs' `${APP_DB_PASSWORD:?set it}` resolve.
    (await import('node:fs')).writeFileSync(join(dir, '.env'), 'APP_DB_PASSWORD=Pw8OwnEnv\nWORKER_DB_PASSWORD=Pw9OwnEnv\nPOSTGRES_PASSWORD=x\n');
    const r = await runLiveCli(['live', '--from-model', '--connect-timeout', '1', '.'], dir, {});
    expect(r.code).toBe(2);
    // `db` is a compose service name: reachable only inside the compose network (ENOTFOUND, or EAI_AGAIN without DNS).
    const lines = r.stderr.trim().split('\n').map((l) => l.replace(/ \((ENOTFOUND|EAI_AGAIN)\)$/, ''));
    expect(lines).toEqual([
      'pgconn-lint live: postgresql://app@db:5432/app (--from-model: DATABASE_URL of service api): cannot reach db:5432',
      'pgconn-lint live: postgresql://worker@db:5432/app (--from-model: DATABASE_URL of service worker): cannot reach db:5432',
    ]);
    expect(r.stderr + r.stdout).not.toMatch(/Pw8OwnEnv|Pw9OwnEnv/);
  });
  test('--from-model without a known URL says how to give one', async () => {
    const r = await runLiveCli(['live', '--from-model', '.'], projectCopy(), {});
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('pgconn-lint: live --from-model: no server or PgBouncer of the model has a URL whose value is known (point at the production values with --env-file, or name one with --url)\n');
  });
});

describe('bounded time against a host that accepts the connection and never answers', () => {
  let server: Server;
  const sockets: Socket[] = [];
  let closed = 0;
  let port = 0;
  beforeAll(async () => {
    // resume(): read (and drop) what the client sends, so its close is seen.
    server = createServer((s) => {
      s.resume();
      sockets.push(s);
      s.on('close', () => closed++);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  test('--connect-timeout 1: one line, exit 2, the connection closed', async () => {
    const before = closed;
    const accepted = sockets.length;
    const r = await runLiveCli(['live', '--connect-timeout', '1', '--url', `postgresql://app:Pw8Silent@127.0.0.1:${port}/app`, '.'], projectCopy(), {});
    expect(r.code).toBe(2);
    expect(r.ms).toBeLessThan(3000);
    expect(r.stderr).toContain(`pgconn-lint live: postgresql://app@127.0.0.1:${port}/app (--url): no answer within the connect timeout of 1 s`);
    expect(r.stderr).not.toContain('Pw8Silent');
    for (let i = 0; i < 20 && closed === before; i++) await new Promise((res) => setTimeout(res, 50));
    expect(sockets.length).toBe(accepted + 1);
    expect(closed).toBe(before + 1);
  }, 20_000);

  test(`the default connect timeout is ${DEFAULT_CONNECT_TIMEOUT_SECONDS} s`, async () => {
    expect(DEFAULT_CONNECT_TIMEOUT_SECONDS).toBe(5);
    const r = await runLiveCli(['live', '--url', `postgresql://app@127.0.0.1:${port}/app`, '.'], projectCopy(), {});
    expect(r.code).toBe(2);
    expect(r.ms).toBeGreaterThanOrEqual(4900);
    expect(r.ms).toBeLessThan(8000);
    expect(r.stderr).toContain('no answer within the connect timeout of 5 s');
  }, 20_000);

  test('two targets are read one after the other: never two connections at once', async () => {
    let open = 0;
    let most = 0;
    const s2 = createServer((s) => {
      s.resume();
      open++;
      most = Math.max(most, open);
      s.on('close', () => open--);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => s2.listen(0, '127.0.0.1', () => r()));
    const p2 = (s2.address() as { port: number }).port;
    const r = await runLiveCli(['live', '--connect-timeout', '1', '--url', `postgresql://a@127.0.0.1:${p2}/a`, '--url', `postgresql://b@127.0.0.1:${p2}/b`, '.'], projectCopy(), {});
    await new Promise<void>((res) => s2.close(() => res()));
    expect(r.code).toBe(2);
    expect(most).toBe(1);
    expect(r.stderr.match(/no answer within the connect timeout/g)).toHaveLength(2);
  }, 20_000);
});

test('a plain lint never loads node-postgres', () => {
  const main = resolve(__dirname, '../../dist/src/cli/main.js');
  const fixture = resolve(__dirname, '../../fixtures/projects/live-near-limit');
  const script = `
    const { createRequire } = await import('node:module');
    const { runCli } = await import(${JSON.stringify(main)});
    runCli([${JSON.stringify(fixture)}], { cwd: process.cwd(), stdout: () => {}, stderr: () => {}, isTTY: false, env: {} });
    const cache = createRequire(import.meta.url).cache;
    console.log(Object.keys(cache).filter((k) => /[\\\\/]node_modules[\\\\/]pg[\\\\/]/.test(k)).length);`;
  expect(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim()).toBe('0');
});
