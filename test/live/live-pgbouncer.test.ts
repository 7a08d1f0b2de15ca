/**
 * `pgconn-lint live` against Debian's PgBouncer in front of a real PostgreSQL 15: its admin
 * console is read with SHOW commands over the simple query protocol; a pool of one server
 * connection held by a transaction makes a second client wait (cl_waiting, maxwait); the running
 * max_client_conn and version differ from the fixture's pgbouncer.ini and image tag.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeSandbox, PGBOUNCER_BIN, SANDBOX_ADMIN, startPgbouncer, type RunningPgbouncer, type Sandbox } from '../support/real-pgbouncer.js';
import { PG15_BIN, requireBinary, serverPrograms, startRealPostgres, type RealPostgres } from '../support/real-postgres.js';
import { missingProgramsNote } from '../support/skip-note.js';
import { Clients, FIXTURE, findings, projectCopy, runLiveCli, sleep } from './support.js';

const programs = [...serverPrograms(PG15_BIN), PGBOUNCER_BIN];

describe.skipIf(!programs.every(requireBinary))('PgBouncer: pgconn-lint live reads the admin console', missingProgramsNote(programs), () => {
  let srv: RealPostgres;
  let sb: Sandbox;
  let bouncer: RunningPgbouncer;
  let project: string;
  const clients = new Clients();
  const admin = () => `postgresql://${SANDBOX_ADMIN}@${encodeURIComponent(sb.sockDir)}:${sb.port}/pgbouncer`;

  beforeAll(async () => {
    srv = await startRealPostgres(PG15_BIN, { maxConnections: 20 });
    await srv.query('CREATE ROLE reports LOGIN');
    await srv.query('CREATE DATABASE app');
    // The fixture's pgbouncer.ini, pointed at the test server, with another max_client_conn (100, not 500).
    const ini = readFileSync(join(FIXTURE, 'pgbouncer/pgbouncer.ini'), 'utf8')
      .replace('host=db port=5432', `host=${srv.socketDir} port=${srv.port}`)
      .replace('max_client_conn = 500', 'max_client_conn = 100');
    sb = makeSandbox([{ rel: 'pgbouncer.ini', text: ini }], 'pgbouncer.ini');
    // auth_type trust still needs the user in auth_file.
    writeFileSync(join(sb.dir, 'sandbox-userlist.txt'), `"${SANDBOX_ADMIN}" ""\n"reports" ""\n`);
    bouncer = await startPgbouncer(sb);
    project = projectCopy();
    // The pool has one server connection: a transaction holds it, a second client waits.
    const holder = await clients.open({ host: sb.sockDir, port: sb.port, user: 'reports', database: 'reports' });
    await holder.query('BEGIN');
    await holder.query('SELECT 1');
    const waiter = await clients.open({ host: sb.sockDir, port: sb.port, user: 'reports', database: 'reports' });
    void waiter.query('SELECT 2').catch(() => undefined);
    await sleep(1500);
  }, 120_000);
  afterAll(async () => {
    await clients.closeAll();
    await bouncer?.stop();
    sb?.cleanup();
    await srv?.stop();
  }, 60_000);

  test('waiting clients, drift against pgbouncer.ini and the version the model assumed', async () => {
    const r = await runLiveCli(['live', '--format', 'json', '--url', admin(), '.'], project);
    expect(r.stderr).not.toContain('refused');
    expect(r.code).toBe(0);
    const got = findings(r.stdout).map((f) => `${f.ruleId} @ ${f.filePath.replace(project, '.')}:${f.line}: ${f.message.replace(/longest wait \d+(\.\d)? s/, 'longest wait N s')}`);
    expect(got).toEqual([
      `live-pgbouncer-saturation @ ${admin()}:1: Pool reports/reports of ${admin()}: 1 client is waiting for a server connection (longest wait N s), 1 of its server connections busy (pool_size 1): the pool is too small for its clients, or its server connections are held too long.`,
      `live-config-drift @ ./docker-compose.yml:12: ${admin()} runs PgBouncer 1.18.0, but the repository says PgBouncer 1.23 (image tag 1.23.1): settings and findings were judged for another version.`,
      `live-config-drift @ ./pgbouncer/pgbouncer.ini:8: max_client_conn is 100 on the running PgBouncer ${admin()}, but the repository says 500 for PgBouncer pgbouncer (the only PgBouncer of the repository).`,
    ]);
    expect(r.stderr).toContain(`${admin()} (--url): PgBouncer 1.18.0, 1 pools, 2 clients besides this check`);
    expect(r.stderr).toContain('is pooler pgbouncer of the repository: the only PgBouncer of the repository');
    // Nothing was left open: the admin console lists only the test's two clients.
    const after = await runLiveCli(['live', '--format', 'json', '--url', admin(), '.'], project);
    expect(after.stderr).toContain('2 clients besides this check');
  }, 60_000);

  test('budget --live puts the clients PgBouncer holds now under its modelled bar', async () => {
    const r = await runLiveCli(['budget', '--live', '--url', admin(), '.'], project, { COLUMNS: '1000' });
    expect(r.stdout).toContain(`  ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░ 0 / 500  500 free\n  ▊░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░ 2 / 100  now: clients on ${admin()}, 1 server connection (max_client_conn 100 (SHOW CONFIG); the only PgBouncer of the repository)`);
  }, 60_000);

  test('a PgBouncer named as a PostgreSQL database is refused with the reason', async () => {
    const r = await runLiveCli(['live', '--url', `postgresql://reports@${encodeURIComponent(sb.sockDir)}:${sb.port}/reports`, '.'], project);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('this is a PgBouncer, which refuses the read-only startup options; name the PostgreSQL server itself, or PgBouncer\'s admin console (database pgbouncer)');
  }, 60_000);
});
