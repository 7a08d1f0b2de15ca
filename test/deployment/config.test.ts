import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_RULES } from '../../rules/index.js';
import { ConfigError, loadConfig } from '../../src/engine/config.js';
import { tempProject } from '../support/lint-helpers.js';

function load(yaml: string) {
  const dir = tempProject({ 'pgconn-lint.config.yaml': yaml });
  return { dir, config: loadConfig({ cwd: dir, rules: ALL_RULES }) };
}

function error(yaml: string): string {
  const dir = tempProject({ 'pgconn-lint.config.yaml': yaml });
  try {
    loadConfig({ cwd: dir, rules: ALL_RULES });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message.replace(dir + '/', '');
  }
  throw new Error('no error');
}

describe('config file: deployment section', () => {
  it('reads services, servers, poolers, headroom and cpus with positions', () => {
    const { dir, config } = load(`deployment:
  headroom: 20
  cpus: 4
  services:
    - name: api
      paths: [apps/api, packages/db]
      instances: 12
    - name: legacy
      instances: 2
      connectionsPerInstance: 30
      target: rds
  servers:
    - name: rds
      host: app.cluster-abc.eu-west-1.rds.amazonaws.com
      maxConnections: 405
      superuserReservedConnections: 3
      reservedConnections: 2
      memory: 16GB
      version: 16
      idleInTransactionSessionTimeout: 5min
  poolers:
    - name: proxy
      hosts: [app.proxy-abc.eu-west-1.rds.amazonaws.com]
      port: 5432
      mode: transaction
      maxClientConn: 1000
      poolSize: 50
      server: rds
      idleTransactionTimeout: 30
`);
    const d = config.settings.deployment!;
    expect(d.file).toBe(join(dir, 'pgconn-lint.config.yaml'));
    expect(d.headroom?.value).toBe(20);
    expect(d.cpus?.value).toBe(4);
    expect(d.services.map((s) => [s.name, s.paths?.value, s.instances?.value, s.connectionsPerInstance?.value, s.target?.value])).toEqual([
      ['api', ['apps/api', 'packages/db'], 12, undefined, undefined],
      ['legacy', undefined, 2, 30, 'rds'],
    ]);
    const rds = d.servers[0]!;
    expect(rds).toMatchObject({ name: 'rds', hosts: ['app.cluster-abc.eu-west-1.rds.amazonaws.com'] });
    expect([rds.maxConnections?.value, rds.superuserReservedConnections?.value, rds.reservedConnections?.value, rds.memoryBytes?.value, rds.version?.value, rds.idleInTransactionSessionTimeoutMs?.value]).toEqual([
      405,
      3,
      2,
      16 * 1024 ** 3,
      16,
      300_000,
    ]);
    expect(rds.maxConnections?.range.line).toBe(15);
    const proxy = d.poolers[0]!;
    expect([proxy.port, proxy.mode?.value, proxy.maxClientConn?.value, proxy.poolSize?.value, proxy.server?.value, proxy.idleTransactionTimeoutMs?.value]).toEqual([5432, 'transaction', 1000, 50, 'rds', 30_000]);
  });

  it('rejects unknown keys with their location and a suggestion', () => {
    expect(error('deployment:\n  headrom: 5\n')).toBe('pgconn-lint.config.yaml:2:3: unknown key "headrom" in "deployment" (did you mean "headroom"?); allowed: headroom, cpus, services, servers, poolers');
    expect(error('deployment:\n  servers:\n    - name: db\n      max_connections: 100\n')).toMatch(/^pgconn-lint\.config\.yaml:4:7: unknown key "max_connections" in "deployment\.servers".*allowed: name, host/);
    expect(error('deployment:\n  services:\n    - name: api\n      replicas: 3\n')).toMatch(/^pgconn-lint\.config\.yaml:4:7: unknown key "replicas" in "deployment\.services"/);
    expect(error('deployment:\n  poolers:\n    - name: p\n      pool_mode: transaction\n')).toMatch(/^pgconn-lint\.config\.yaml:4:7: unknown key "pool_mode" in "deployment\.poolers"/);
  });

  it('rejects wrong values and duplicate names', () => {
    expect(error('deployment:\n  headroom: -1\n')).toBe('pgconn-lint.config.yaml:2:3: deployment.headroom must be a whole number (0 or more)');
    expect(error('deployment:\n  servers:\n    - host: db\n')).toBe('pgconn-lint.config.yaml:3:7: each entry of deployment.servers needs a "name"');
    expect(error('deployment:\n  servers:\n    - name: db\n      maxConnections: many\n')).toMatch(/4:7: deployment\.servers\[\]\.maxConnections must be a whole number of at least 1/);
    expect(error('deployment:\n  poolers:\n    - name: p\n      mode: sessions\n')).toMatch(/mode must be "session", "transaction" or "statement"/);
    expect(error('deployment:\n  services:\n    - name: a\n    - name: a\n')).toMatch(/^pgconn-lint\.config\.yaml:4:7: deployment\.services: service "a" is declared twice/);
    expect(error('deployment: [1]\n')).toMatch(/"deployment" must be an object/);
  });
});

describe('a deployment.services name that matches no service (issue 12)', () => {
  it('is a located error with did-you-mean when the entry declares nothing of its own', async () => {
    const { runProject } = await import('./support.js');
    const dir = tempProject({
      'docker-compose.yml': 'services:\n  api:\n    image: node:20\n    deploy:\n      replicas: 2\n  db:\n    image: postgres:16\n',
      'pgconn-lint.config.json': '{ "deployment": { "services": [ { "name": "apii", "instances": 4 }, { "name": "billing", "connectionsPerInstance": 5, "target": "db" } ] } }',
    });
    const run = runProject(dir);
    const ds = run.diagnostics.filter((d) => d.ruleId === null && d.message.startsWith('deployment.services'));
    expect(ds.map((d) => [d.severity, d.message, d.range.line])).toEqual([
      ['error', 'deployment.services "apii" matches no service of the files (did you mean "api"?), and declares neither paths nor connectionsPerInstance: it changes nothing.', 1],
    ]);
  });
});
