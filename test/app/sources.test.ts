import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appServerOf } from '../../src/sources/command/app-servers.js';
import { launchesOfArgv, launchesOfShell } from '../../src/sources/command/launch.js';
import { isParseError, parseConnectionString } from '../../src/sources/connection-url/parse.js';
import { jdbcPrepareThreshold } from '../../src/sources/connection-url/jdbc.js';
import { extractRailsDatabaseYml } from '../../src/sources/rails/database-yml.js';
import { extractPumaConfig } from '../../src/sources/rails/puma.js';
import { extractSidekiqConfig } from '../../src/sources/rails/sidekiq-yml.js';
import { expandErb } from '../../src/sources/ruby/erb.js';
import { parseProperties } from '../../src/sources/spring/properties.js';
import { canonicalName, envVarFor, extractSpringConfig, springPools } from '../../src/sources/spring/index.js';

const FIX = resolve(__dirname, '../../fixtures');

describe('PgJDBC URLs (org.postgresql.Driver#parseURL, pgjdbc 42.7.14)', () => {
  it('reads hosts, ports, database and parameters', () => {
    const p = parseConnectionString('jdbc:postgresql://db1:5433,db2/orders?user=app&password=s3cret&prepareThreshold=0&ApplicationName=orders%20api');
    if (isParseError(p)) throw new Error(p.error);
    expect(p.scheme).toBe('jdbc');
    expect(p.hosts.map((h) => `${h.host}:${h.port}`)).toEqual(['db1:5433', 'db2:5432']);
    expect([p.database, p.user, p.applicationName, p.hasPassword]).toEqual(['orders', 'app', 'orders api', true]);
    expect(p.redacted).toBe('jdbc:postgresql://db1:5433,db2/orders?user=app&password=***&prepareThreshold=0&ApplicationName=orders%20api');
    expect(jdbcPrepareThreshold(p)).toEqual({ value: 0, written: true });
  });
  it('defaults: localhost:5432, database = user, prepareThreshold 5', () => {
    const a = parseConnectionString('jdbc:postgresql:orders');
    const b = parseConnectionString('jdbc:postgresql://db/?user=app');
    const c = parseConnectionString('jdbc:postgresql://[::1]:6432/app');
    if (isParseError(a) || isParseError(b) || isParseError(c)) throw new Error('parse');
    expect([a.hosts[0]!.host, a.hosts[0]!.port, a.database]).toEqual(['localhost', 5432, 'orders']);
    expect(b.database).toBe('app');
    expect([c.hosts[0]!.host, c.hosts[0]!.port]).toEqual(['::1', 6432]);
    expect(jdbcPrepareThreshold(a)).toEqual({ value: 5, written: false });
  });
  it('refuses what PgJDBC refuses', () => {
    for (const bad of ['jdbc:postgresql://db', 'jdbc:postgresql://db/a/b', 'jdbc:postgresql:/db', 'JDBC:postgresql://db/app', 'jdbc:postgresql://db:99999/app']) {
      expect(isParseError(parseConnectionString(bad)), bad).toBe(true);
    }
  });
});

describe('ERB and the restricted Ruby reader', () => {
  const value = (code: string) => expandErb(`x: <%= ${code} %>`, '/f.yml').tags[0]!.value;
  it('reads ENV.fetch with a block or a default, ENV[] || x, .to_i, Integer()', () => {
    expect(value('ENV.fetch("RAILS_MAX_THREADS") { 5 }')).toEqual({ kind: 'env', envVar: 'RAILS_MAX_THREADS', overrides: [], fallback: { kind: 'int', value: 5 }, required: false });
    expect(value("ENV.fetch('DB_POOL', 10).to_i")).toMatchObject({ kind: 'env', envVar: 'DB_POOL', fallback: { kind: 'int', value: 10 } });
    expect(value('ENV["POOL"] || 7')).toMatchObject({ kind: 'env', envVar: 'POOL', fallback: { kind: 'int', value: 7 } });
    expect(value('Integer(ENV.fetch("A") { ENV.fetch("B") { "3" } })')).toMatchObject({ kind: 'env', envVar: 'B', overrides: ['A'], fallback: { kind: 'int', value: 3 } });
    expect(value('ENV.fetch("REQUIRED")')).toMatchObject({ kind: 'env', envVar: 'REQUIRED', required: true });
  });
  it('says why anything else is unknown', () => {
    expect(value('Rails.application.credentials.db_pool')).toEqual({ kind: 'unknown', reason: '`Rails.application.credentials.db_pool` is Ruby code pgconn-lint does not evaluate' });
  });
  it('keeps every other position in place', () => {
    const text = 'a: 1\npool: <%= ENV.fetch("X") { 5 } %>\nb: 2\n';
    const r = expandErb(text, '/f.yml');
    expect(r.text.length).toBe(text.length);
    expect(r.text.split('\n')[2]).toBe('b: 2');
    expect(r.tags[0]!.range).toMatchObject({ line: 2, column: 7 });
  });
});

describe('config/database.yml', () => {
  it('reads the Rails template: merge keys, ERB pool, environments, defaults', () => {
    const file = join(FIX, 'projects/rails-puma-sidekiq/config/database.yml');
    const r = extractRailsDatabaseYml(readFileSync(file, 'utf8'), file, join(FIX, 'projects/rails-puma-sidekiq'));
    expect(r.problems).toEqual([]);
    expect(r.pools.map((p) => p.environment!.name)).toEqual(['default', 'development', 'test', 'production']);
    const prod = r.pools.find((p) => p.environment!.name === 'production')!;
    expect(prod.id).toBe('config/database.yml:15:1');
    expect(prod.peak.terms[0]!.value).toMatchObject({ value: 5, provenance: { kind: 'env', envVar: 'RAILS_MAX_THREADS', fallback: 5 }, range: { line: 5, column: 9 } });
    expect(prod.connectionString).toMatchObject({ provenance: { kind: 'default' }, envOverrides: ['PRIMARY_DATABASE_URL', 'DATABASE_URL'] });
    expect(prod.preparedStatements).toMatchObject({ value: true, provenance: { kind: 'default' } });
    expect(prod.acquireTimeoutMs?.value).toBe(5000);
    expect(prod.environment?.judgedByDefault).toBe(true);
    expect(prod.connectionOptions?.database?.value).toBe('app_production');
  });
  it('three-tier configurations are one pool each; other adapters are skipped', () => {
    const text = 'production:\n  primary:\n    adapter: postgresql\n    max_connections: 8\n  cache:\n    adapter: postgresql\n    database: cache\n  queue:\n    adapter: sqlite3\n';
    const r = extractRailsDatabaseYml(text, '/r/config/database.yml', '/r');
    expect(r.pools.map((p) => [p.construct, p.peak.terms[0]!.name, p.peak.terms[0]!.value.value, p.connectionString?.envOverrides])).toEqual([
      ['database.yml production.primary', 'max_connections', 8, ['PRIMARY_DATABASE_URL', 'DATABASE_URL']],
      ['database.yml production.cache', 'pool', 5, ['CACHE_DATABASE_URL']],
    ]);
  });
  it('bad ERB and broken YAML are located problems, never a crash', () => {
    for (const [name, line, message] of [
      ['bad-erb-database.yml', 3, /does not parse/],
      ['broken-yaml-database.yml', 3, /Invalid YAML/],
    ] as const) {
      const file = join(FIX, 'rails-sources', name);
      const r = extractRailsDatabaseYml(readFileSync(file, 'utf8'), file, FIX);
      expect(r.problems.length, name).toBeGreaterThan(0);
      expect(r.problems[0]!.message).toMatch(message);
      expect(r.problems[0]!.range.line).toBe(line);
    }
  });
  it('a huge file stays bounded', () => {
    const text = `production:\n  adapter: postgresql\n${Array.from({ length: 3000 }, (_, i) => `  k${i}: <%= ENV.fetch("V${i}") { ${i} } %>`).join('\n')}\n`;
    const t = Date.now();
    const r = extractRailsDatabaseYml(text, '/r/config/database.yml', '/r');
    expect(Date.now() - t).toBeLessThan(10_000);
    expect(r.problems.some((p) => /More than 1000 ERB output tags/.test(p.message))).toBe(true);
  });
});

describe('config/puma.rb and config/sidekiq.yml', () => {
  it('reads workers and threads through local variables', () => {
    const file = join(FIX, 'projects/rails-puma-sidekiq/config/puma.rb');
    const r = extractPumaConfig(readFileSync(file, 'utf8'), file);
    expect(r.problems).toEqual([]);
    expect(r.processes).toMatchObject({ value: 2, provenance: { kind: 'env', envVar: 'WEB_CONCURRENCY', fallback: 2 } });
    expect(r.threads).toMatchObject({ value: 5, provenance: { kind: 'env', envVar: 'RAILS_MAX_THREADS', fallback: 5 } });
  });
  it('takes the largest value of branches it cannot evaluate; :auto is per CPU', () => {
    const r = extractPumaConfig('if ENV["RAILS_ENV"] == "production"\n  workers 4\nelse\n  workers 1\nend\nthreads 2, 8\n', '/r/config/puma.rb');
    expect(r.processes).toMatchObject({ value: 4, alternatives: [4, 1] });
    expect(r.threads?.value).toBe(8);
    expect(extractPumaConfig('workers :auto\n', '/p.rb').processes).toMatchObject({ value: undefined, cpuMultiple: 1 });
  });
  it('a Ruby syntax error is a located problem', () => {
    const r = extractPumaConfig('threads 1, 5\nworkers (\n', '/r/config/puma.rb');
    expect(r.problems[0]).toMatchObject({ severity: 'error', range: { line: 2 } });
  });
  it('sidekiq.yml: symbol keys, environment sections, ERB', () => {
    const r = extractSidekiqConfig(':concurrency: <%= ENV.fetch("SIDEKIQ_CONCURRENCY") { 7 } %>\nproduction:\n  :concurrency: 20\n', '/r/config/sidekiq.yml');
    expect(r.threads).toMatchObject({ value: 7, provenance: { kind: 'env', envVar: 'SIDEKIQ_CONCURRENCY' } });
    expect(r.byEnvironment).toEqual([{ environment: 'production', threads: expect.objectContaining({ value: 20 }) }]);
  });
});

describe('Spring Boot configuration', () => {
  it('java.util.Properties grammar: separators, continuations, escapes, comments', () => {
    const r = parseProperties('# c\n! c\na.b = 1\nc:2\nd 3\nlong = x\\\n    y\nesc=\\u0041\\tB\nhash=a#b\n', '/a.properties');
    expect(r.entries.map((e) => [e.key, e.value])).toEqual([['a.b', '1'], ['c', '2'], ['d', '3'], ['long', 'xy'], ['esc', 'A\tB'], ['hash', 'a#b']]);
    expect(parseProperties('x=\\u00G1\n', '/a.properties').problems[0]!.severity).toBe('error');
  });
  it('relaxed binding names', () => {
    expect(canonicalName('spring.datasource.hikari.maximumPoolSize')).toBe(canonicalName('spring.datasource.hikari.maximum-pool-size'));
    expect(envVarFor('spring.datasource.hikari.maximum-pool-size')).toBe('SPRING_DATASOURCE_HIKARI_MAXIMUMPOOLSIZE');
  });
  it('profiles, placeholders, Hikari defaults', () => {
    const base = extractSpringConfig('spring:\n  datasource:\n    url: jdbc:postgresql://${DB_HOST:localhost}:5432/app\n  profiles:\n    active: prod\n---\nspring:\n  config:\n    activate:\n      on-profile: prod\n  datasource:\n    hikari:\n      maximumPoolSize: 25\n', '/m/src/main/resources/application.yml');
    const { pools, roots } = springPools([base], '/m');
    expect(roots).toEqual([{ dir: '/m', language: 'java', framework: 'spring-boot', file: '/m/src/main/resources/application.yml' }]);
    const byName = Object.fromEntries(pools.map((p) => [p.environment!.name, p]));
    expect(byName.default!.peak.terms[0]!.value).toMatchObject({ value: 10, provenance: { kind: 'default' }, envOverrides: ['SPRING_DATASOURCE_HIKARI_MAXIMUMPOOLSIZE'] });
    expect(byName.prod!.peak.terms[0]!.value.value).toBe(25);
    expect(byName.prod!.environment!.judgedByDefault).toBe(true);
    expect(byName.default!.connectionString?.template).toEqual(['jdbc:postgresql://', { envVar: 'DB_HOST', fallback: 'localhost' }, ':5432/app']);
    expect(byName.default!.acquireTimeoutMs?.value).toBe(30_000);
  });
});

describe('app-server command lines', () => {
  const p = (argv: string) => {
    const l = launchesOfShell(argv).at(-1);
    return l?.kind === 'app-server' ? l : undefined;
  };
  it('gunicorn, uvicorn, celery, puma, sidekiq through wrappers', () => {
    expect(p('poetry run gunicorn -w 4 --threads 2 app.wsgi')!.process).toMatchObject({ server: 'gunicorn', processes: { value: 4 }, threads: { value: 2 }, concurrency: 'threads', setOnCommandLine: ['processes', 'threads'] });
    expect(p('gunicorn -k uvicorn.workers.UvicornWorker app:app')!.process).toMatchObject({ processes: { value: 1, provenance: { kind: 'env', envVar: 'WEB_CONCURRENCY' } }, concurrency: 'async' });
    expect(p('python -m uvicorn main:app --workers=3')!.process).toMatchObject({ server: 'uvicorn', processes: { value: 3 } });
    expect(p('celery -A proj worker --pool threads -c 16')!.process).toMatchObject({ server: 'celery', processes: { value: 1 }, threads: { value: 16 }, concurrency: 'threads' });
    expect(p('celery -A proj worker --autoscale=10,3')!.process).toMatchObject({ processes: { value: 10 }, concurrency: 'prefork' });
    expect(p('RAILS_ENV=production bundle exec puma -t 2:8 -w 3')).toMatchObject({ env: { RAILS_ENV: 'production' }, process: { server: 'puma', processes: { value: 3 }, threads: { value: 8 } } });
    expect(p('bundle exec sidekiq -c 12 -e production')!.process).toMatchObject({ server: 'sidekiq', threads: { value: 12 }, environment: 'production' });
    expect(p('./bin/thrust ./bin/rails server')!.process).toMatchObject({ server: 'puma', defaultConfigFiles: ['config/puma.rb'] });
    expect(p('gunicorn -w ${WEB_WORKERS:-5} app:app')!.process.processes).toEqual({ value: 5, provenance: { kind: 'env', envVar: 'WEB_WORKERS', fallback: 5 } });
  });
  it('migrations are jobs that exit', () => {
    expect(p('python manage.py migrate')!.oneShot).toBe('runs manage.py migrate, which exits');
    expect(launchesOfArgv(['bin/rails', 'db:migrate']).at(-1)).toMatchObject({ kind: 'app-server', oneShot: 'runs the db:migrate task, which exits' });
    expect(appServerOf('node', ['x.js'])).toBeUndefined();
  });
});
