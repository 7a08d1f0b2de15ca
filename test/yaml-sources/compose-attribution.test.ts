/** Compose facts the service attribution reads (issue 10.3): build target/args, working_dir, restart, depends_on conditions, client programs. */
import { describe, expect, it } from 'vitest';
import { extractCompose } from '../../src/sources/yaml/compose.js';

const compose = (text: string) => extractCompose(text, '/repo/docker-compose.yml', new Map([['APP', 'api']]));

describe('compose facts for attribution', () => {
  it('reads build.target, build.args (map and list, interpolated, unresolved left out), working_dir, restart', () => {
    const f = compose(`services:
  a:
    build:
      context: .
      target: runner
      args:
        APP_NAME: \${APP}
        OTHER: \${MISSING}
    working_dir: /srv/app
    restart: "no"
  b:
    build:
      context: ./b
      args: ["X=1", "Y"]
`);
    expect(f.problems).toEqual([]);
    const [a, b] = f.services;
    expect(a!.build).toMatchObject({ target: { value: 'runner' }, args: { APP_NAME: 'api' } });
    expect(a!.workingDir?.value).toBe('/srv/app');
    expect(a!.restart?.value).toBe('no');
    expect(b!.build!.args).toEqual({ X: '1' });
  });

  it('depends_on service_completed_successfully, and a postgres image running a client program is no server', () => {
    const f = compose(`services:
  db: { image: postgres:16 }
  init:
    image: postgres:16
    command: ["sh", "-c", "until pg_isready -h db; do sleep 1; done && psql -h db -c 'select 1'"]
  tuned:
    image: postgres:16
    command: ["postgres", "-c", "max_connections=50"]
  wrapped:
    image: postgres:16
    command: ["sh", "-c", "psql -h db -f x.sql && node server.js"]
  app:
    image: node:20
    depends_on:
      init: { condition: service_completed_successfully }
      db: { condition: service_healthy }
`);
    const by = Object.fromEntries(f.services.map((s) => [s.name, s]));
    expect(by.init!.postgresClient?.value).toBe('pg_isready');
    expect(by.init!.postgres).toBeUndefined();
    expect(by.db!.postgres).toBeDefined();
    expect(by.tuned!.postgres).toBeDefined();
    expect(by.wrapped!.postgresClient).toBeUndefined(); // runs more than client programs
    expect(by.app!.dependsOnCompleted.map((d) => d.value)).toEqual(['init']);
  });
});
