/**
 * uWSGI's process model (issue 14): the `[uwsgi]` section of an ini file (core/ini.c grammar), the
 * command line (`-p/--processes/--workers`, `--threads`, `--gevent`, `--ini`, a lone `.ini`
 * argument) and `UWSGI_*` environment variables, merged as the model does for gunicorn.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_RULES } from '../../rules/index.js';
import { loadConfig } from '../../src/engine/config.js';
import { discover } from '../../src/discovery/discover.js';
import { buildProjectFacts } from '../../src/facts/build.js';
import { buildCodePaths } from '../../src/model/code-paths.js';
import { buildDeploymentModel } from '../../src/model/deployment/build.js';
import { appServerOf } from '../../src/sources/command/app-servers.js';
import { extractUwsgiIni, isUwsgiIni } from '../../src/sources/python/uwsgi.js';
import { tempProject } from '../support/lint-helpers.js';

function modelOf(dir: string) {
  const discovery = discover({ cwd: dir, paths: [dir], ignorePatterns: [], noGitignore: true });
  const facts = buildProjectFacts(discovery);
  const config = loadConfig({ cwd: dir, rules: ALL_RULES });
  return buildDeploymentModel(facts, config.settings, buildCodePaths(facts, config.settings));
}

const DJANGO = {
  'manage.py': 'import os\n',
  'mysite/settings.py': 'import os\n\nDATABASES = {\n    "default": {\n        "ENGINE": "django.db.backends.postgresql",\n        "HOST": os.environ.get("DB_HOST", "db"),\n        "NAME": "app",\n    }\n}\n',
};

describe('uWSGI ini files', () => {
  it('reads processes/workers, threads and gevent of the [uwsgi] section only; comments, other sections and $(VAR)', () => {
    const text = '# comment\n[uwsgi]\n; processes = 9\nworkers = 3\nthreads=$(THREADS)\nmaster = true\n\n[other]\nprocesses = 16\n';
    expect(isUwsgiIni(text)).toBe(true);
    expect(isUwsgiIni('[pgbouncer]\nlisten_port = 6432\n')).toBe(false);
    const c = extractUwsgiIni(text, '/r/uwsgi.ini');
    expect(c.server).toBe('uwsgi');
    expect(c.processes).toEqual({ value: 3, provenance: { kind: 'literal' }, range: { file: '/r/uwsgi.ini', line: 4, column: 1, endLine: 4, endColumn: 12 } });
    expect(c.threads?.provenance).toEqual({ kind: 'env', envVar: 'THREADS' });
    expect(c.concurrency).toBeUndefined();
    expect(extractUwsgiIni('[uwsgi]\nprocesses = 4\nthreads = 2\n', 'f').concurrency?.value).toBe('threads');
    expect(extractUwsgiIni('[uwsgi]\nprocesses = 4\ngevent = 100\n', 'f').concurrency).toMatchObject({ value: 'greenlets', source: 'gevent = 100' });
    expect(extractUwsgiIni('[uwsgi]\nprocesses = %(cores)\n', 'f').processes?.provenance).toEqual({ kind: 'unknown', reason: 'processes = %(cores) refers to another option (uWSGI %(…) placeholder), not read' });
    expect(extractUwsgiIni('[uwsgi]\nworkers = 2\n[web]\nworkers = 8\n', 'f', 'web').processes?.value).toBe(8);
  });

  it('the command line: -p/--processes/--workers, --threads, --gevent, --ini and a lone .ini argument; UWSGI_PROCESSES/UWSGI_THREADS by default', () => {
    const p = (args: string[]) => appServerOf('uwsgi', args)!.process;
    expect(p(['--http', ':8000', '--module', 'app.wsgi', '-p', '4', '--threads', '2'])).toMatchObject({ server: 'uwsgi', processes: { value: 4 }, threads: { value: 2 }, concurrency: 'threads', setOnCommandLine: ['processes', 'threads'] });
    expect(p(['--workers=3'])).toMatchObject({ processes: { value: 3 }, concurrency: 'sync' });
    expect(p(['--ini', 'etc/uwsgi.ini']).configFile).toBe('etc/uwsgi.ini');
    expect(p(['--ini', 'etc/uwsgi.ini:uwsgi']).configFile).toBe('etc/uwsgi.ini');
    expect(p(['--ini', 'etc/uwsgi.ini:prod'])).toMatchObject({ processes: { value: undefined, provenance: { kind: 'unknown', reason: '--ini etc/uwsgi.ini:prod reads the [prod] section, which is not read' } } });
    expect(p(['--ini', 'etc/uwsgi.ini:prod']).configFile).toBeUndefined();
    expect(p(['/code/etc/uwsgi.ini']).configFile).toBe('/code/etc/uwsgi.ini');
    expect(p(['--gevent', '100', '--module', 'app.wsgi']).concurrency).toBe('greenlets');
    expect(p(['--module', 'app.wsgi']).processes).toEqual({ value: 1, provenance: { kind: 'env', envVar: 'UWSGI_PROCESSES', fallback: 1 } });
    expect(p(['--module', 'app.wsgi']).threads).toEqual({ value: 1, provenance: { kind: 'env', envVar: 'UWSGI_THREADS', fallback: 1 } });
  });
});

describe('uWSGI in the deployment model', () => {
  it('wagtail/bakerydemo style: Dockerfile CMD ["uwsgi", "/code/etc/uwsgi.ini"], workers 2, threads 4, Django: 2 replicas × 2 × 1 per thread × 4 = 16', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgconn-uwsgi-'));
    cpSync(resolve(__dirname, '../../fixtures/projects/python-uwsgi-bakerydemo'), dir, { recursive: true });
    const m = modelOf(dir);
    const e = m.edges.find((x) => x.appPool)!;
    expect(e.perInstance.source).toBe('workers 2 × 1 per thread × threads 4');
    expect(e.total.value).toBe(16);
    expect(e.perProcess?.bound).toBe('per-thread-per-alias');
    expect(m.services.find((s) => s.name === 'app')!.process?.describe).toBe('uwsgi (CMD, etc/uwsgi.ini)');
  });

  it('the command line beats the file; UWSGI_PROCESSES from the service environment fills an option neither sets', () => {
    const ini = '[uwsgi]\nthreads = 2\n';
    const compose = (cmd: string, env = '') => `services:\n  db:\n    image: postgres:16\n  web:\n    build: .\n    command: ${cmd}\n    environment:\n      DB_HOST: db${env}\n`;
    const a = modelOf(tempProject({ ...DJANGO, 'uwsgi.ini': ini, Dockerfile: 'FROM python:3.12\nCOPY . .\n', 'docker-compose.yml': compose('uwsgi --ini uwsgi.ini --processes 3 --threads 5') }));
    expect(a.edges.find((x) => x.appPool)!.perInstance.source).toBe('workers 3 × 1 per thread × threads 5');
    const b = modelOf(tempProject({ ...DJANGO, 'uwsgi.ini': ini, Dockerfile: 'FROM python:3.12\nCOPY . .\n', 'docker-compose.yml': compose('uwsgi --ini uwsgi.ini', '\n      UWSGI_PROCESSES: "6"') }));
    const eb = b.edges.find((x) => x.appPool)!;
    expect(eb.perInstance.value).toBe(12);
  });
});
