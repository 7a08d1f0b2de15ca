/** What a command line starts (src/sources/command/launch.ts): one case per form the attribution follows. */
import { describe, expect, it } from 'vitest';
import { isOneShotScriptName, launchesOfArgv, launchesOfShell } from '../../src/sources/command/launch.js';

const main = (argv: string[] | string) => (typeof argv === 'string' ? launchesOfShell(argv) : launchesOfArgv(argv)).at(-1);

describe('launches of a command line', () => {
  it.each([
    [['node', 'apps/api/dist/main.js'], { kind: 'file', path: 'apps/api/dist/main.js', runner: 'node' }],
    [['node', '-r', 'dotenv/config', '--enable-source-maps', 'dist/main.js'], { kind: 'file', path: 'dist/main.js' }],
    [['tini', '--', 'docker-entrypoint.sh', 'node', 'server.js'], { kind: 'file', path: 'server.js' }],
    [['npm', 'run', 'start', '-w', 'api'], { kind: 'script', script: 'start', workspace: 'api', tool: 'npm' }],
    [['npm', '--workspace=@acme/api', 'start'], { kind: 'script', script: 'start', workspace: '@acme/api' }],
    [['pnpm', '--filter', 'api', 'start'], { kind: 'script', script: 'start', workspace: 'api', tool: 'pnpm' }],
    [['pnpm', '-F', 'api', 'run', 'start:prod'], { kind: 'script', script: 'start:prod', workspace: 'api' }],
    [['yarn', 'workspace', 'api', 'start'], { kind: 'script', script: 'start', workspace: 'api', tool: 'yarn' }],
    [['yarn', 'start:prod'], { kind: 'script', script: 'start:prod', tool: 'yarn' }],
    [['turbo', 'run', 'start', '--filter=api'], { kind: 'script', script: 'start', workspace: 'api', tool: 'turbo' }],
    [['nx', 'run', 'api:serve:production'], { kind: 'script', script: 'serve', workspace: 'api', tool: 'nx' }],
    [['nest', 'start', 'api'], { kind: 'framework', tool: 'nest', app: 'api' }],
    [['nginx', '-g', 'daemon off;'], { kind: 'static', tool: 'nginx' }],
    [['psql', '-h', 'db', '-c', 'CREATE DATABASE x'], { kind: 'pg-client', program: 'psql' }],
    [['npx', 'typeorm-ts-node-commonjs', 'migration:run', '-d', 'src/data-source.ts'], { kind: 'migration', tool: 'typeorm-ts-node-commonjs', files: ['src/data-source.ts'] }],
    [['node', 'node_modules/.bin/knex', 'migrate:latest'], { kind: 'migration', tool: 'knex', files: [], defaultFiles: ['knexfile'] }],
    [['./start.sh'], { kind: 'other', program: './start.sh' }],
  ])('%j', (argv, expected) => expect(main(argv as string[])).toMatchObject(expected));

  it('reads sh -c scripts: cd steps, && chains, the last command is the one that keeps running', () => {
    expect(launchesOfArgv(['sh', '-c', 'npx prisma migrate deploy && cd apps/api && exec node dist/main.js'])).toEqual([
      { kind: 'migration', cd: [], tool: 'prisma', files: [], defaultFiles: [] },
      { kind: 'file', cd: ['apps/api'], path: 'dist/main.js', runner: 'node' },
    ]);
    expect(main('NODE_ENV=production cross-env PORT=3000 node dist/index.js')).toMatchObject({ kind: 'file', path: 'dist/index.js' });
    expect(main('./wait-for-it.sh db:5432 -- npm start')).toMatchObject({ kind: 'script', script: 'start' });
    expect(main("bash -c 'node a.js; node b.js'")).toMatchObject({ kind: 'file', path: 'b.js' });
    expect(launchesOfShell('')).toEqual([]);
  });

  it('names one-shot scripts', () => {
    for (const n of ['migrate', 'db:migrate', 'migration:run', 'typeorm:migrate', 'seed', 'prisma.seed', 'perf', 'k6']) expect(isOneShotScriptName(n)).toBe(true);
    for (const n of ['start', 'start:prod', 'serve', 'dev', 'worker']) expect(isOneShotScriptName(n)).toBe(false);
  });
});
