import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { classifyYamlFile, extractPm2, extractServerless, interpolate } from '../../src/sources/yaml/index.js';
import { REPO_ROOT } from '../support/paths.js';

const fx = join(REPO_ROOT, 'fixtures', 'yaml-sources');
const read = (p: string) => readFileSync(join(fx, p), 'utf8');

describe('PM2 ecosystem.config.js, read statically', () => {
  const f = extractPm2(read('pm2/ecosystem.config.js'), join(fx, 'pm2/ecosystem.config.js'));
  const app = (n: string) => f.apps.find((a) => a.name?.value === n)!;
  test('module.exports with a const binding and an object spread', () => {
    expect(f.format).toBe('js');
    expect(f.problems).toEqual([]);
    expect(app('api').instances).toMatchObject({ value: 4, provenance: { kind: 'literal' } });
    expect(app('api').instances.range?.line).toBe(3); // where the constant is written
    expect(app('api').execMode.value).toBe('cluster'); // from ...shared
    expect(app('api').env[0]).toMatchObject({ name: 'NODE_ENV', value: 'production' });
  });
  test('-1 = CPUs − 1 and 0 = CPUs (PM2 lib/God.js); resolved with a configured CPU count', () => {
    expect(app('worker').instances.value).toBeUndefined();
    expect((app('worker').instances.provenance as { note: string }).note).toContain('CPU cores -1');
    const with4 = extractPm2(read('pm2/ecosystem.config.js'), 'ecosystem.config.js', { cpuCount: 4 });
    expect(with4.apps.map((a) => a.instances.value)).toEqual([4, 3, 4, undefined, undefined]);
    expect(app('worker').execMode.value).toBe('cluster'); // instances -1 with a .js script
    expect(app('cron').execMode.value).toBe('fork'); // a .sh script runs under bash
    expect(app('worker').envByName['production']?.[0]).toMatchObject({ name: 'DB_POOL_MAX', value: '10' });
  });
  test('process.env fallbacks and run-time expressions are unknown, not guessed', () => {
    expect(app('dyn').instances).toMatchObject({ value: undefined, provenance: { kind: 'env', envVar: 'WEB_CONCURRENCY', fallback: 2 } });
    expect(app('calc').instances.provenance.kind).toBe('unknown');
    expect(app('dyn').env[0]).toMatchObject({ name: 'DB_PASSWORD', secret: true });
  });
  test('export default in .mjs', () => {
    const m = extractPm2(read('pm2/ecosystem.config.mjs'), join(fx, 'pm2/ecosystem.config.mjs'));
    expect(m.apps[0]).toMatchObject({ name: { value: 'esm' }, execMode: { value: 'cluster' } });
  });
  test('a .json that is not an expression gives a located problem', () => {
    const bad = extractPm2('{ apps: [ { name: "x", } \n', 'process.json');
    expect(bad.apps).toEqual([]);
    expect(bad.problems[0]?.range.line).toBeGreaterThanOrEqual(1);
    expect(bad.problems[0]?.message).toMatch(/Syntax error/);
  });
});

describe('serverless.yml and vercel.json', () => {
  test('serverless functions: handler → module/export, reserved and provisioned concurrency, env variables', () => {
    const f = extractServerless(read('serverless/serverless.yml'), join(fx, 'serverless/serverless.yml'));
    expect(f.problems).toEqual([]);
    expect(f.service?.value).toBe('orders');
    const fn = (n: string) => f.functions.find((x) => x.name === n)!;
    expect(fn('api')).toMatchObject({ handlerModule: 'src/handlers/api', handlerExport: 'main', maxConcurrency: { value: 50 }, provisionedConcurrency: { value: 5 }, memoryMb: { value: 512 } });
    expect(fn('cron').maxConcurrency).toMatchObject({ value: undefined, provenance: { kind: 'unknown' } });
    expect((fn('cron').maxConcurrency.provenance as { reason: string }).reason).toContain('account');
    expect(fn('burst').reservedConcurrency).toMatchObject({ value: 20, provenance: { kind: 'env', envVar: 'BURST_CONCURRENCY', fallback: 20 } });
    expect(fn('staged').maxConcurrency.value).toBeUndefined();
    expect(f.providerEnvironment.find((e) => e.name === 'DATABASE_URL')?.unresolved).toEqual(['${env:DATABASE_URL}']);
  });
  test('vercel.json: memory and maxDuration; concurrency stated as unknown', () => {
    const f = extractServerless(read('serverless/vercel.json'), join(fx, 'serverless/vercel.json'));
    expect(f.framework).toBe('vercel');
    expect(f.functions.map((x) => [x.name, x.memoryMb?.value, x.timeoutSeconds?.value])).toEqual([
      ['api/**/*.ts', 1024, 30],
      ['app/api/route.ts', undefined, 10],
    ]);
    expect((f.functions[0]!.maxConcurrency.provenance as { reason: string }).reason).toMatch(/no concurrency limit/);
  });
});

describe('classifyYamlFile', () => {
  test.each([
    ['docker-compose.yml', 'services: {}', 'compose'],
    ['docker-compose.prod.yaml', '', 'compose'],
    ['compose.yaml', '', 'compose'],
    ['deploy/stack.yml', 'version: "3"\nservices:\n  a: {}\n', 'compose'],
    ['k8s/app.yaml', '# c\n---\napiVersion: v1\nkind: Service\n', 'kubernetes'],
    ['chart/values.yaml', 'replicaCount: 2\n', 'helm-values'],
    ['chart/templates/deploy.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n', 'other'],
    ['ecosystem.config.js', 'module.exports = {}', 'pm2'],
    ['ecosystem.config.cjs', '', 'pm2'],
    ['process.json', '{ apps: [{ script: "a.js" }] }', 'pm2'],
    ['ecosystem.json', '[{"script": "a.js"}]', 'pm2'],
    ['package.json', '{"name": "x"}', 'other'],
    ['serverless.yml', '', 'serverless'],
    ['vercel.json', '{}', 'serverless'],
    ['netlify.toml', '[functions]', 'other'],
    ['.github/workflows/ci.yml', 'on: push\njobs: {}\n', 'other'],
  ] as const)('%s → %s', (path, text, kind) => {
    expect(classifyYamlFile(path, text)).toBe(kind);
  });
});

describe('compose interpolation', () => {
  const env = new Map([
    ['SET', 'v'],
    ['EMPTY', ''],
  ]);
  test.each([
    ['${SET}', 'v', []],
    ['$SET/x', 'v/x', []],
    ['${SET:-d}', 'v', []],
    ['${EMPTY:-d}', 'd', []],
    ['${EMPTY-d}', '', []],
    ['${UNSET-d}', 'd', []],
    ['${UNSET:-${SET}}', 'v', []],
    ['${UNSET:-${ALSO_UNSET:-deep}}', 'deep', []],
    ['${UNSET}', '${UNSET}', ['UNSET']],
    ['${UNSET:?need it}', '${UNSET:?need it}', ['UNSET']],
    ['${EMPTY:?need it}', '${EMPTY:?need it}', ['EMPTY']],
    ['${EMPTY?need it}', '', []],
    ['${SET:+alt}', 'alt', []],
    ['${EMPTY:+alt}', '', []],
    ['$$SET and $${SET}', '$SET and ${SET}', []],
    ['cost: 5$', 'cost: 5$', []],
    ['${SET/a/b}', '${SET/a/b}', ['${SET/a/b}']],
  ] as const)('%s → %s', (input, value, unresolved) => {
    const r = interpolate(input, env);
    expect(r.value).toBe(value);
    expect(r.unresolved).toEqual(unresolved);
  });
  test('a missing required variable is listed', () => {
    expect(interpolate('${X:?err}', new Map()).missingRequired).toEqual(['X']);
  });
});
