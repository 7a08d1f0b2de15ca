/** `pgconn-lint budget` and `--print-model` through the CLI entry point (in process). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import type { BudgetJson } from '../../src/report/budget/json.js';
import { bar } from '../../src/report/budget/text.js';
import { copyProject } from './support.js';

function cli(args: string[], cwd: string, isTTY = false, env: Record<string, string> = {}, columns?: number) {
  let stdout = '';
  let stderr = '';
  const code = runCli(args, { cwd, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY, env, ...(columns ? { columns } : {}) });
  return { code, stdout, stderr };
}

describe('pgconn-lint budget', () => {
  const over = copyProject('fixtures/projects/compose-replicas-over-budget');
  const clean = copyProject('fixtures/projects/clean-well-sized');

  it('prints a table per server with a bar, and exits 1 when a server is over', () => {
    const r = cli(['budget', '.'], over);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('PostgreSQL db  (compose, docker-compose.yml:4)');
    // Not a terminal: 80 columns, so the line wraps.
    expect(r.stdout.replace(/\n +/g, ' ')).toContain('max_connections 100 (-c max_connections) − 3 reserved = 97 available · headroom 10');
    expect(r.stdout).toMatch(/api\s+service\s+6 {2}6 replicas\s+20 {2}max 20\s+120/);
    expect(r.stdout).toContain('█'.repeat(40) + ' 140 / 97  OVER by 43');
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  it('fits 80 columns when not on a terminal; wider with COLUMNS or the terminal width', () => {
    const wide = (t: string) => t.split('\n').filter((l) => [...l].length > 80);
    const narrow = cli(['budget', '.'], over);
    expect(wide(narrow.stdout)).toEqual([]);
    expect(narrow.stdout).toContain('    headroom 10');
    const env = cli(['budget', '.'], over, false, { COLUMNS: '200' });
    expect(env.stdout).toContain('max_connections 100 (-c max_connections) − 3 reserved = 97 available · headroom 10');
    const tty = cli(['budget', '.'], over, true, { NO_COLOR: '1' }, 160);
    expect(tty.stdout).toContain('97 available · headroom 10\n');
  });

  it('lays a client table wider than the output out narrow, one block per client', () => {
    const r = cli(['budget', '.'], over, false, { COLUMNS: '50' });
    expect(r.stdout).toContain('  api (service)\n      instances    6  6 replicas\n      per instance 20  max 20\n      total        120\n');
    expect(r.stdout).toContain('  demand 140\n');
    // Only a word that cannot be cut (a path) may stand out.
    expect(r.stdout.split('\n').filter((l) => [...l].length > 50 && / \S/.test(l.trim()))).toEqual([]);
  });

  it('in 80 columns, a long service name takes a line of its own in the narrow layout; a name longer than a line stays whole (issue 12)', () => {
    const name = 'customer-notification-dispatcher-worker-eu-west';
    const longer = `${name}-primary-region-with-a-very-long-name`;
    const dir = mkdtempSync(join(tmpdir(), 'pgconn-lint-budget-names-'));
    mkdirSync(join(dir, '.git'));
    const service = (n: string, replicas: number) => `  ${n}:\n    build: .\n    environment:\n      DATABASE_URL: postgres://app@postgres:5432/app\n    deploy:\n      replicas: ${replicas}\n`;
    writeFileSync(join(dir, 'package.json'), '{ "name": "app", "dependencies": { "pg": "8.23.1" } }\n');
    writeFileSync(join(dir, 'db.js'), "import { Pool } from 'pg';\nexport const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10, connectionTimeoutMillis: 5000 });\n");
    writeFileSync(join(dir, 'compose.yaml'), `services:\n  postgres:\n    image: postgres:16\n    command: postgres -c max_connections=50\n${service(name, 6)}${service('api', 2)}`);
    const r = cli(['budget', '.'], dir);
    expect(r.stdout.split('\n').filter((l) => [...l].length > 80)).toEqual([]);
    expect(r.stdout).toContain(`  ${name} (service)\n      instances    6  6 replicas\n      per instance 10  max 10\n      total        60\n`);
    writeFileSync(join(dir, 'compose.yaml'), `services:\n  postgres:\n    image: postgres:16\n    command: postgres -c max_connections=50\n${service(longer, 6)}${service('api', 2)}`);
    const l = cli(['budget', '.'], dir);
    expect(l.stdout.split('\n').filter((x) => [...x].length > 80)).toEqual([`  ${longer}`]);
    expect(l.stdout).toContain(`  ${longer}\n      (service)\n      instances    6  6 replicas\n`);
  });

  it('colours the verdict on a TTY', () => {
    expect(cli(['budget', '.'], over, true).stdout).toContain('\u001b[31m');
  });

  it('exits 0 when everything fits', () => {
    const r = cli(['budget'], clean);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Pooler pgbouncer  (pgbouncer 1.23.1, transaction mode → postgres)');
  });

  it('writes the documented JSON shape', () => {
    const r = cli(['budget', '--format', 'json', '.'], clean);
    const j = JSON.parse(r.stdout) as BudgetJson;
    expect(j.version).toBe(1);
    expect(Object.keys(j.servers[0]!)).toEqual(expect.arrayContaining(['name', 'maxConnections', 'reserved', 'available', 'demand', 'status', 'clients']));
    expect(Object.keys(j.servers[0]!.clients[0]!)).toEqual(expect.arrayContaining(['name', 'kind', 'instances', 'perInstance', 'total']));
    expect(Object.keys(j.poolers[0]!)).toEqual(expect.arrayContaining(['name', 'mode', 'instances', 'maxClientConn', 'clientDemand', 'serverConnections']));
  });

  it('draws the topology as Mermaid with the numbers on the edges', () => {
    const r = cli(['budget', '-f', 'mermaid'], clean);
    expect(r.stdout).toBe(
      [
        '```mermaid',
        'flowchart LR',
        '  s1[("postgres<br/>max_connections 120<br/>117 available<br/>demand 30 · ok")]',
        '  p1{{"pgbouncer<br/>pgbouncer transaction ×1<br/>max_client_conn 500 · ok"}}',
        '  c1["api ×4"]',
        '  c1 -->|"4 × 10 = 40"| p1',
        '  p1 -->|"1 × 30 = 30"| s1',
        '```',
        '',
      ].join('\n'),
    );
  });

  it('rejects a lint format', () => {
    const r = cli(['budget', '-f', 'sarif'], clean);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown budget format "sarif"; available: text, json, mermaid');
  });

  it('--print-model adds the deployment model with provenance', () => {
    const r = cli(['--print-model', '.'], over);
    const j = JSON.parse(r.stdout) as { version: number; pools: unknown[]; deployment: { servers: Array<{ maxConnections: { value: number; provenance: unknown; location: { file: string; line: number } } }>; budgets: unknown } };
    expect(j.version).toBe(1);
    expect(j.pools).toHaveLength(2);
    expect(j.deployment.servers[0]!.maxConnections).toMatchObject({ value: 100, provenance: { kind: 'literal' }, location: { file: 'docker-compose.yml', line: 6 } });
    expect(j.deployment.budgets).toBeDefined();
  });
});

describe('budget bar', () => {
  it('uses eighth blocks', () => {
    expect(bar(0, 10, 4)).toBe('░░░░');
    expect(bar(5, 10, 4)).toBe('██░░');
    expect(bar(3, 10, 4)).toBe('█▎░░');
    expect(bar(47, 100, 4)).toBe('█▉░░');
    expect(bar(20, 10, 4)).toBe('████');
  });
});
