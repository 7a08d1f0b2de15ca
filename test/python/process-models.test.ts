import { describe, expect, it } from 'vitest';
import { ALL_RULES } from '../../rules/index.js';
import { loadConfig } from '../../src/engine/config.js';
import { discover } from '../../src/discovery/discover.js';
import { buildProjectFacts } from '../../src/facts/build.js';
import { buildCodePaths } from '../../src/model/code-paths.js';
import { buildDeploymentModel } from '../../src/model/deployment/build.js';
import { tempProject } from '../support/lint-helpers.js';

/** The deployment model of a project of real Python files (issue 14: process models from every launcher). */
function model(files: Record<string, string>) {
  const dir = tempProject(files);
  const discovery = discover({ cwd: dir, paths: [dir], ignorePatterns: [], noGitignore: true });
  const facts = buildProjectFacts(discovery);
  const config = loadConfig({ cwd: dir, rules: ALL_RULES });
  return buildDeploymentModel(facts, config.settings, buildCodePaths(facts, config.settings));
}

const DJANGO = {
  'app/manage.py': 'import os\n',
  'app/mysite/settings.py': 'import os\n\nDATABASES = {\n    "default": {\n        "ENGINE": "django.db.backends.postgresql",\n        "HOST": os.environ.get("DB_HOST", "db"),\n        "NAME": "app",\n    }\n}\n',
};
const ENGINE = { 'app/pyproject.toml': '[project]\nname = "app"\n', 'app/app/db.py': 'import os\nfrom sqlalchemy import create_engine\n\nengine = create_engine(os.environ["DATABASE_URL"])\n' };

const k8s = (args: string, replicas = 3, env = '') => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: ${replicas}
  strategy: { rollingUpdate: { maxSurge: 0 } }
  template:
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1
          args: ${args}
          env:
            - { name: DB_HOST, value: db }
            - { name: DATABASE_URL, value: "postgresql://app@db:5432/app" }${env}
`;

describe('Python process models (gunicorn, uvicorn, Celery) from Kubernetes args, Dockerfile CMD and Procfile', () => {
  it('Kubernetes args: gunicorn -w 4 --threads 2 with Django, one connection per thread per alias: 3 × 4 × 2 = 24', () => {
    const m = model({ ...DJANGO, 'k8s/web.yaml': k8s('["gunicorn", "mysite.wsgi", "-w", "4", "--threads", "2"]') });
    const e = m.edges.find((x) => x.appPool)!;
    expect(e.total.value).toBe(24);
    expect(e.perInstance.source).toBe('workers 4 × 1 per thread × threads 2');
    expect(e.perProcess?.bound).toBe('per-thread-per-alias');
    expect(m.services.find((s) => s.name === 'web')!.process?.describe).toMatch(/^gunicorn -w 4 --threads 2 \(Kubernetes args/);
  });

  it('Kubernetes env WEB_CONCURRENCY from a Secret: the workers are unknown, not the fallback 1', () => {
    const secret = '\n            - name: WEB_CONCURRENCY\n              valueFrom: { secretKeyRef: { name: web, key: workers } }';
    const m = model({ ...ENGINE, 'k8s/web.yaml': k8s('["gunicorn", "app.main:app"]', 2, secret) });
    const e = m.edges.find((x) => x.appPool)!;
    expect(e.perInstance.value).toBeUndefined();
    expect(e.perInstance.source).toMatch(/^workers from WEB_CONCURRENCY \(set by /);
  });

  it('Dockerfile CMD: celery --pool threads -c 6, sync SQLAlchemy engine 5 + 10: one process, the threads bound it (6)', () => {
    const compose = 'services:\n  db:\n    image: postgres:16\n  worker:\n    build: ./app\n    environment:\n      DATABASE_URL: postgresql://app@db:5432/app\n';
    const m = model({ ...ENGINE, 'app/Dockerfile': 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nCMD ["celery", "-A", "app", "worker", "--pool", "threads", "-c", "6"]\n', 'compose.yaml': compose });
    const e = m.edges.find((x) => x.appPool)!;
    expect(e.perInstance.value).toBe(6);
    expect(e.perInstance.source).toBe('concurrency 6 (one connection per thread bounds it: pool 15)');
    expect(e.perProcess?.bound).toBe('threads');
  });

  it('Dockerfile CMD: celery --pool gevent -c 100: greenlets use the whole pool (15)', () => {
    const compose = 'services:\n  db:\n    image: postgres:16\n  worker:\n    build: ./app\n    environment:\n      DATABASE_URL: postgresql://app@db:5432/app\n';
    const m = model({ ...ENGINE, 'app/Dockerfile': 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nCMD celery -A app worker --pool gevent -c 100\n', 'compose.yaml': compose });
    const e = m.edges.find((x) => x.appPool)!;
    expect(e.perInstance.value).toBe(15);
    expect(e.perProcess?.bound).toBe('whole-pool');
    expect(e.perInstance.source).toContain('whole pool: greenlets worker');
  });

  it('Procfile with app.json formation: 2 standard-2x web dynos × WEB_CONCURRENCY 4 (Heroku Python buildpack) × 1 thread; release is not a service', () => {
    const appJson = JSON.stringify({ name: 'app', formation: { web: { quantity: 2, size: 'standard-2x' }, worker: { quantity: 1 } } }, null, 2);
    const m = model({ ...ENGINE, 'app/Procfile': 'release: python manage.py migrate\nweb: gunicorn app.main:app\n# a comment\nworker: celery -A app worker -c 3\n', 'app/app.json': appJson });
    expect(m.services.map((s) => `${s.kind} ${s.name} ${s.peakInstances.value}`).sort()).toEqual(['procfile web 2', 'procfile worker 1']);
    const web = m.edges.find((x) => x.appPool && m.services.find((s) => s.id === x.serviceId)!.name === 'web')!;
    expect(web.perInstance.value).toBe(4);
    expect(web.perInstance.source).toBe("workers 4 (WEB_CONCURRENCY in Heroku's Python buildpack default for standard-2x dynos (app.json formation size)) × threads 1 (default) (one connection per thread bounds it: pool 15)");
    expect(web.total.value).toBe(8);
    const worker = m.edges.find((x) => x.appPool && m.services.find((s) => s.id === x.serviceId)!.name === 'worker')!;
    expect(worker.total.value).toBe(3);
  });

  it('Procfile without app.json: dynos and WEB_CONCURRENCY unknown, with the reason', () => {
    const m = model({ ...ENGINE, 'app/Procfile': 'web: gunicorn app.main:app --threads 4\n' });
    const web = m.services.find((s) => s.name === 'web')!;
    expect(web.kind).toBe('procfile');
    expect(web.peakInstances.value).toBeUndefined();
    expect(web.peakInstances.source).toMatch(/^unknown web dynos \(set with heroku ps:scale/);
    const e = m.edges.find((x) => x.appPool)!;
    expect(e.perInstance.value).toBeUndefined();
    expect(e.perInstance.source).toMatch(/^workers from WEB_CONCURRENCY \(set by Heroku's Python buildpack, from the dyno size/);
  });

  it('a Procfile beside a compose file that runs the code adds no service (no double count)', () => {
    const compose = 'services:\n  db:\n    image: postgres:16\n  web:\n    build: ./app\n    command: gunicorn app.main:app -w 2\n    environment:\n      DATABASE_URL: postgresql://app@db:5432/app\n';
    const m = model({ ...ENGINE, 'app/Dockerfile': 'FROM python:3.12\nWORKDIR /app\nCOPY . .\n', 'app/Procfile': 'web: gunicorn app.main:app\n', 'compose.yaml': compose });
    expect(m.services.map((s) => s.kind)).not.toContain('procfile');
    expect(m.edges.find((x) => x.appPool)!.total.value).toBe(2);
  });
});
