/**
 * Issue 10: one parameter resolver. A setting given as a `-c` flag, by an image's environment or by
 * an operator is judged by every settings rule at its own location, with the version of the server
 * (or PgBouncer) it belongs to, and with the memory the manifests give that server.
 */
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyProject, numbers, runProject } from './support.js';

const at = (dir: string, ds: { ruleId: string | null; range: { file: string; line: number; column: number } }[]) =>
  ds.map((d) => `${d.ruleId} ${relative(dir, d.range.file)}:${d.range.line}:${d.range.column}`).sort();

describe('settings-flag-over-conf: -c max_connections=6 over a mounted conf with 100', () => {
  const run = runProject(copyProject('fixtures/projects/settings-flag-over-conf'));
  it('budget and reserved-connections agree: 6 − 3 = 3 slots, reported at the flag', () => {
    expect(numbers(run.budget)).toMatchObject({ servers: [{ name: 'db', maxConnections: 6, reserved: 3, available: 3 }] });
    expect(at(run.dir, run.diagnostics)).toEqual(['reserved-connections docker-compose.yml:7:73']);
    expect(run.diagnostics[0]!.message).toContain('Only 3 of max_connections 6 are left for ordinary users');
  });
});

describe('settings-flags-only: the three lines of a postgresql.conf, given as -c flags', () => {
  const run = runProject(copyProject('fixtures/projects/settings-flags-only'));
  it('gives the three warnings the same lines give in a postgresql.conf, at the flags', () => {
    expect(at(run.dir, run.diagnostics)).toEqual([
      'connection-memory docker-compose.yml:5:26',
      'idle-in-transaction-timeout docker-compose.yml:3:3',
      'low-shared-buffers docker-compose.yml:5:50',
    ]);
  });
});

describe('settings-image-versions: postgres:16 and edoburu/pgbouncer:1.22.1', () => {
  const run = runProject(copyProject('fixtures/projects/settings-image-versions'));
  it('judges the mounted files with the images\' versions, not the newest', () => {
    const ds = run.diagnostics.filter((d) => d.ruleId === 'unknown-setting');
    expect(at(run.dir, ds)).toEqual([
      'unknown-setting pgbouncer/pgbouncer.ini:13:1',
      'unknown-setting pgbouncer/pgbouncer.ini:15:1',
      'unknown-setting postgres/postgresql.conf:6:1',
    ]);
    expect(ds.map((d) => d.message).sort()).toEqual([
      'PgBouncer 1.22 has no setting "max_user_client_connections" (added in PgBouncer 1.24): it refuses to start with this file (a reload keeps the old configuration).',
      'PgBouncer 1.22 has no setting "transaction_timeout" (added in PgBouncer 1.25): it refuses to start with this file (a reload keeps the old configuration).',
      'PostgreSQL 16 has no parameter "transaction_timeout" (added in PostgreSQL 17): the server refuses to start with this file, and a reload applies none of its changes.',
    ]);
    expect(ds.find((d) => d.range.file.endsWith('.conf'))!.help).toBe('Remove the setting, or run a PostgreSQL version that has it (this one is 16, from its image postgres:16).');
  });
  it('records each version and who declares it in the model', () => {
    expect(run.result.model.parameters.servers.map((s) => [s.name, s.version.major, s.version.by, s.version.source])).toEqual([['db', 16, 'server', 'image postgres:16']]);
    expect(run.result.model.parameters.poolers.map((p) => [p.version.version, p.version.by])).toEqual([['1.22', 'server']]);
  });
});

describe('settings-memory-limits: deploy.resources.limits.memory 8G', () => {
  const run = runProject(copyProject('fixtures/projects/settings-memory-limits'));
  it('uses the container limit as the server RAM, and names it', () => {
    expect(at(run.dir, run.diagnostics)).toEqual(['connection-memory docker-compose.yml:5:26', 'low-shared-buffers docker-compose.yml:5:26']);
    const lsb = run.diagnostics.find((d) => d.ruleId === 'low-shared-buffers')!;
    expect(lsb.message).toBe(
      "shared_buffers is not set (built-in default 128MB) is 1.6% of 8GB (the memory limit of compose service db), under 15%: most reads miss PostgreSQL's cache and every connection competes for a small buffer pool.",
    );
    expect(lsb.help).toBe('Set shared_buffers to about 25% of RAM: shared_buffers = 2GB (needs a restart).');
    expect(lsb.related?.map((r) => `${relative(run.dir, r.range.file)}:${r.range.line}`)).toEqual(['docker-compose.yml:9']);
  });
});

describe('a version nobody declared', () => {
  it('says the finding depends on an assumed version', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'pgconn-lint-params-'));
    // old_snapshot_threshold was removed in PostgreSQL 17.
    writeFileSync(join(dir, 'postgresql.conf'), "max_connections = 100\nidle_in_transaction_session_timeout = '5min'\nold_snapshot_threshold = 60\n");
    const run = runProject(dir);
    const d = run.diagnostics.find((x) => x.ruleId === 'unknown-setting')!;
    expect(d.message).toMatch(/^PostgreSQL 18 \(assumed: no version is declared\) has no parameter "old_snapshot_threshold" \(removed in PostgreSQL 17\)/);
    expect(d.help).toContain('set database.version');
  });
});
