/**
 * `pgconn-lint live` against real PostgreSQL servers (Debian's 15, the npm package's 18): known
 * numbers of connections with known application_names, one session idle in a transaction, a
 * max_connections (20) that differs from the fixture's postgresql.conf (100), a role without
 * pg_monitor, the server filled to its limit (SQLSTATE 53300), and every password form redacted.
 * Outside CI these skip when the binaries are missing (with a note); with CI=true they run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PG15_BIN, PG18_BIN, requireBinary, serverPrograms, startRealPostgres, type RealPostgres } from '../support/real-postgres.js';
import { missingProgramsNote } from '../support/skip-note.js';
import { Clients, findings, LOW_THRESHOLDS, projectCopy, runLiveCli, sleep } from './support.js';

const servers: Array<[string, string, number]> = [
  ['PostgreSQL 15', PG15_BIN, 15],
  ['PostgreSQL 18', PG18_BIN, 18],
];

for (const [label, bin, major] of servers) {
  const programs = serverPrograms(bin);
  describe.skipIf(!programs.every(requireBinary))(`${label}: pgconn-lint live`, missingProgramsNote(programs), () => {
    let srv: RealPostgres;
    let project: string;
    const clients = new Clients();
    let inTransaction: pg.Client;
    const tcp = (user: string, database: string, app?: string): pg.ClientConfig => ({ host: '127.0.0.1', port: srv.port, user, database, ...(app ? { application_name: app } : {}) });
    const url = (user: string, db = 'postgres') => `postgresql://${user}@127.0.0.1:${srv.port}/${db}`;
    /** What pgconn-lint leaves behind: it must close its connection on every path. */
    const leftovers = async () => (await srv.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgconn-lint'"))[0]![0];
    const limitText = () => `max_connections 20 − superuser_reserved_connections 3${major >= 16 ? ' − reserved_connections 0' : ''}`;

    beforeAll(async () => {
      srv = await startRealPostgres(bin, { tcp: true, maxConnections: 20 });
      await srv.query('CREATE ROLE app LOGIN; CREATE ROLE worker LOGIN; CREATE ROLE plain LOGIN; CREATE ROLE mon LOGIN; GRANT pg_monitor TO mon');
      await srv.query('CREATE DATABASE app');
      project = projectCopy(LOW_THRESHOLDS);
      // 8 sessions of api (application_name api, as its URL sets), one of them idle in a transaction;
      // 2 of worker (no application_name: matched by user and database) over the Unix socket;
      // 1 of user app with another application_name (matched to api by user and database);
      // 1 that matches no client of the model.
      for (let i = 0; i < 7; i++) await clients.open(tcp('app', 'app', 'api'));
      inTransaction = await clients.open(tcp('app', 'app', 'api'));
      await inTransaction.query('BEGIN');
      await inTransaction.query("SELECT 'alice@example.com' AS email, 42 AS n");
      for (let i = 0; i < 2; i++) await clients.open({ host: srv.socketDir, port: srv.port, user: 'worker', database: 'app' });
      await clients.open(tcp('app', 'app', 'adhoc'));
      await clients.open(tcp('plain', 'postgres', 'psql'));
      // Past the test thresholds: 1 s idle in a transaction, 1.2 s idle.
      await sleep(1500);
    }, 120_000);
    afterAll(async () => {
      await clients.closeAll();
      await srv?.stop();
    }, 60_000);

    test('the server is the expected major version', () => {
      expect(srv.major).toBe(major);
    });

    test('as a superuser: exact counts, the session idle in a transaction, drift, and who holds more than the model allows', async () => {
      const r = await runLiveCli(['live', '--format', 'json', '--url', url('postgres'), '.'], project);
      expect(r.code).toBe(0);
      const target = url('postgres');
      const got = findings(r.stdout).map((f) => `${f.ruleId} @ ${f.filePath.replace(project, '.')}:${f.line}: ${f.message}`);
      const pid = inTransaction.processID;
      const expected = [
        `live-idle-connections @ ${target}:1: 7 connections of application api have been idle for more than 1 s (longest 1 s): each holds a server slot and its memory while doing nothing, the mark of a pool larger than its load or of clients that are never released.`,
        `live-idle-connections @ ${target}:1: 2 connections of user worker (no application_name) have been idle for more than 1 s (longest 1 s): each holds a server slot and its memory while doing nothing, the mark of a pool larger than its load or of clients that are never released.`,
        `live-idle-connections @ ${target}:1: 1 connection of application adhoc has been idle for more than 1 s (longest 1 s): each holds a server slot and its memory while doing nothing, the mark of a pool larger than its load or of clients that are never released.`,
        `live-idle-connections @ ${target}:1: 1 connection of application psql has been idle for more than 1 s (longest 1 s): each holds a server slot and its memory while doing nothing, the mark of a pool larger than its load or of clients that are never released.`,
        `live-idle-in-transaction @ ${target}:1: pid ${pid} (user app, application api, client 127.0.0.1, database app) has been idle in transaction for 1 s (threshold 1 s): it holds its connection, its locks and its snapshot until the client ends the transaction.`,
        `live-over-model @ ${target}:1: api holds 9 connections on server db (the only server of the repository), its sessions matched by application_name (8) and user and database (1); the model allows 2 replicas × max 3 = 6: more instances run than the manifests say, or connections leak.`,
        `live-over-model @ ${target}:1: 1 session on server db (the only server of the repository) matches no client of the model (1 × application_name "psql"): the model does not know who opens them, so its budget for this server is short by at least 1.`,
        // Then the repository's files, by path.
        `live-config-drift @ ./postgres/postgresql.conf:2: max_connections is 20 on the running server ${target}, but the repository says 100 for server db (the only server of the repository): every finding and budget computed from the files is about a server that is not the one running.`,
      ];
      if (major !== 15) expected.splice(expected.length - 1, 0, `live-config-drift @ ./docker-compose.yml:4: ${target} runs PostgreSQL ${/PostgreSQL ([^,\s]+)/.exec(r.stderr)?.[1]}, but the repository says PostgreSQL 15 (image postgres:15.14): settings and findings were judged for another version.`);
      // "longest" is whole seconds of a wait of about 1.5 s.
      expect(got.map((m) => m.replace(/longest \d+ s/, 'longest 1 s').replace(/for \d+ s \(threshold/, 'for 1 s (threshold'))).toEqual(expected);
      expect(r.stderr).toContain(`12 client connections besides this check's; 17 available (${limitText()})`);
      expect(r.stderr).toContain('is server db of the repository: the only server of the repository');
      expect(r.stderr).toContain('9 × api: matched by application_name (8) and user and database (1); model allows 6 (2 replicas × max 3)');
      expect(r.stderr).toContain('2 × worker: matched by user and database; model allows 2 (1 container (compose default) × max 2)');
      expect(r.stderr).toContain('1 × application_name "psql": matches no client of the model');
      // The query text is not read without --show-queries.
      expect(r.stdout).not.toContain('alice');
      expect(await leftovers()).toBe('0');
    }, 60_000);

    test('the pid list of idle sessions and the terminate statement are text, never run', async () => {
      const r = await runLiveCli(['live', '--format', 'json', '--url', url('postgres'), '.'], project);
      const idle = findings(r.stdout).find((f) => f.ruleId === 'live-idle-connections' && f.message.includes('application api'))!;
      const pids = (await srv.query("SELECT pid FROM pg_stat_activity WHERE application_name = 'api' AND state = 'idle' ORDER BY pid")).map((x) => x[0]).join(', ');
      expect(idle.suggestion).toContain(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid IN (${pids}) AND state = 'idle';`);
      expect((await srv.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'api'"))[0]![0]).toBe('8');
    }, 60_000);

    test('--show-queries shows the query of a session idle in a transaction, literals masked', async () => {
      const r = await runLiveCli(['live', '--format', 'json', '--show-queries', '--url', url('postgres'), '.'], project);
      const f = findings(r.stdout).find((x) => x.ruleId === 'live-idle-in-transaction')!;
      expect(f.suggestion).toContain("Its last query (literals masked): SELECT '…' AS email, 42 AS n");
      expect(r.stdout).not.toContain('alice');
    }, 60_000);

    test('a role without pg_monitor: what it could not see is reported, not taken as fine', async () => {
      // The psql sessions of the previous test's queries end asynchronously on the server: let them go.
      await sleep(300);
      const r = await runLiveCli(['live', '--format', 'json', '--url', url('plain'), '.'], project);
      const got = findings(r.stdout).map((f) => `${f.ruleId}: ${f.message}`);
      expect(got).toContain(`live-limited-visibility: Role plain is neither a superuser nor a member of pg_monitor (pg_read_all_stats): 11 sessions of other roles on ${url('plain')} show no state, client address or duration, so sessions idle in a transaction or idle for long among them could not be seen — the live findings cover only what this role sees.`);
      expect(got.filter((m) => m.startsWith('live-idle-in-transaction'))).toEqual([]);
      // Its own session is visible; user, database and application_name of the others still are, so the model join works.
      expect(got.filter((m) => m.startsWith('live-idle-connections'))).toHaveLength(1);
      expect(got.some((m) => m.startsWith('live-over-model: api holds 9 connections'))).toBe(true);
      expect(r.stderr).toContain("12 client connections besides this check's, 11 of them not visible to plain");
      // With pg_monitor, everything is visible.
      const m = await runLiveCli(['live', '--format', 'json', '--url', url('mon'), '.'], project);
      const mine = findings(m.stdout).map((f) => f.ruleId);
      expect(mine).not.toContain('live-limited-visibility');
      expect(mine).toContain('live-idle-in-transaction');
    }, 60_000);

    test('--server names the model server; a name that matches none is refused with the known names', async () => {
      const r = await runLiveCli(['live', '--server', 'db', '--url', url('postgres'), '.'], project);
      expect(r.stderr).toContain('is server db of the repository: --server db');
      const bad = await runLiveCli(['live', '--server', 'dbb', '--url', url('postgres'), '.'], project);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toBe('pgconn-lint: --server dbb: no server or PgBouncer of the repository has that name (did you mean db?)\n');
    }, 60_000);

    test('host and port name the model server; with none matching and several servers, the model checks are skipped with a note', async () => {
      const dir = projectCopy();
      writeFileSync(join(dir, 'pgconn-lint.config.json'), JSON.stringify({ deployment: { servers: [{ name: 'staging', hosts: ['127.0.0.1'], port: srv.port, maxConnections: 20 }] } }));
      const r = await runLiveCli(['live', '--format', 'json', '--url', url('postgres'), '.'], dir);
      expect(r.stderr).toContain(`is server staging of the repository: host and port 127.0.0.1:${srv.port} are an endpoint of server staging`);
      writeFileSync(join(dir, 'pgconn-lint.config.json'), JSON.stringify({ deployment: { servers: [{ name: 'staging', hosts: ['10.0.0.7'], port: 5432 }] } }));
      const none = await runLiveCli(['live', '--format', 'json', '--url', url('postgres'), '.'], dir);
      expect(none.stderr).toContain(`matches no server of the repository (127.0.0.1:${srv.port} is not an endpoint of any of the 2 servers of the repository (db, staging): say which with --server): the drift and model checks are skipped`);
      expect(findings(none.stdout).map((f) => f.ruleId).filter((id) => id === 'live-config-drift' || id === 'live-over-model')).toEqual([]);
    }, 60_000);

    test('budget --live shows the current usage beside the modelled peak', async () => {
      // Wide enough not to wrap (stylish and budget wrap at COLUMNS, else 80, when not on a TTY).
      const r = await runLiveCli(['budget', '--live', '--url', url('postgres'), '.'], project, { COLUMNS: '1000' });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`  ████████████████████████████▎░░░░░░░░░░░ 12 / 17  now: client connections on ${url('postgres')} (${limitText()}; the only server of the repository)`);
      const j = await runLiveCli(['budget', '--live', '--format', 'json', '--url', url('postgres'), '.'], project);
      const server = (JSON.parse(j.stdout) as { servers: Array<{ name: string; demand: number; live: unknown[]; clients: Array<{ name: string; total: number; now: number }> }> }).servers[0]!;
      expect(server.demand).toBe(9);
      expect(server.live).toEqual([{ target: url('postgres'), matchedBy: 'the only server of the repository', used: 12, limit: 17, limitSource: limitText(), byClient: { api: 9, worker: 2 }, unmatched: 1 }]);
      expect(server.clients.map((c) => [c.name, c.total, c.now])).toEqual([['api', 6, 9], ['worker', 2, 2], ['pgbouncer', 1, 0]]);
      expect(r.stdout).toContain('  (no client of the model)');
      expect(r.stdout).toMatch(/ demand +9 +12\n/);
    }, 60_000);

    test('every password form stays out of every output format', async () => {
      const secrets = ['Pw1UrlSecret', 'Pw2ConninfoSecret', 'Pw3EnvSecret', 'Pw4PgpasswordSecret', 'Pw5RefusedSecret', 'Pw6QuotedSecret'];
      const env = { DB_URL: `postgresql://app:${secrets[2]}@127.0.0.1:${srv.port}/app`, PGPASSWORD: secrets[3] };
      const targets = [
        '--url', `postgresql://app:${secrets[0]}@127.0.0.1:${srv.port}/app?application_name=x`,
        '--url', `host=127.0.0.1 port=${srv.port} user=worker password=${secrets[1]} dbname=app`,
        '--url', `host=127.0.0.1 port=${srv.port} user=plain password='${secrets[5]} x' dbname=app`,
        '--url-env', 'DB_URL',
        '--url', `postgresql://mon@127.0.0.1:${srv.port}/app`,
        '--url', `postgresql://app:${secrets[4]}@127.0.0.1:1/app`,
      ];
      for (const format of ['stylish', 'json', 'sarif', 'github']) {
        const r = await runLiveCli(['live', '--format', format, '--show-queries', ...targets, '.'], project, env);
        expect(r.code).toBe(2); // the last target cannot be reached
        expect(r.stderr).toContain(`postgresql://app@127.0.0.1:1/app (--url #5): cannot reach 127.0.0.1:1 (ECONNREFUSED)`);
        for (const s of secrets) {
          expect(r.stdout).not.toContain(s);
          expect(r.stderr).not.toContain(s);
        }
      }
      const b = await runLiveCli(['budget', '--live', '--format', 'json', ...targets, '.'], project, env);
      for (const s of secrets) expect(b.stdout + b.stderr).not.toContain(s);
      expect(await leftovers()).toBe('0');
    }, 120_000);

    test('filled to the limit: SQLSTATE 53300 is explained (exit 2), and a superuser sees the full server (exit 1)', async () => {
      await clients.closeAll();
      await sleep(300);
      const fill = new Clients();
      try {
        for (let i = 0; i < 17; i++) await fill.open(tcp('app', 'app', 'api'));
        await expect(fill.open(tcp('app', 'app', 'api'))).rejects.toMatchObject({ code: '53300' });
        const refused = await runLiveCli(['live', '--url', url('app', 'app'), '.'], project);
        expect(refused.code).toBe(2);
        expect(refused.stdout).toBe('');
        expect(refused.stderr).toMatch(/the server refused the connection: .+ \(SQLSTATE 53300\)\.\nEvery connection slot this role may use is taken/);
        expect(refused.stderr).toContain('superuser_reserved_connections keeps slots for superusers');
        expect(refused.stderr).toContain("PgBouncer's admin console");
        const full = await runLiveCli(['live', '--format', 'json', '--url', url('postgres'), '.'], project);
        expect(full.code).toBe(1);
        const usage = findings(full.stdout).filter((f) => f.ruleId === 'live-connection-usage');
        expect(usage).toEqual([
          {
            ruleId: 'live-connection-usage',
            filePath: url('postgres'),
            line: 1,
            severity: 2,
            message: `17 connections in use, 17 available (${limitText()}): the server is refusing new non-superuser connections with "sorry, too many clients already".`,
            suggestion: 'Most held by: 17 × user app, application api, client 127.0.0.1. Find which of them holds more than it should (live-over-model names them against the model), lower its pool or put a pooler in front.',
          },
        ]);
        expect(findings(full.stdout).find((f) => f.ruleId === 'live-over-model')?.message).toContain('api holds 17 connections');
        // The severity is the user's to set.
        const asWarning = await runLiveCli(['live', '--rule', 'live-connection-usage:warn', '--url', url('postgres'), '.'], project);
        expect(asWarning.code).toBe(0);
        expect(await leftovers()).toBe('0');
      } finally {
        await fill.closeAll();
      }
    }, 120_000);
  });
}
