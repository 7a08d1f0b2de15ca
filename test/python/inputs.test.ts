/**
 * Hostile and unusual Python input: a tree without Python (or without database code) never starts
 * the parser; huge files are capped; Python 2 code, syntax errors and a virtualenv are handled
 * without a crash; settings with alternatives keep every alternative.
 */
import { describe, expect, it } from 'vitest';
import { MAX_CODE_FILE_CHARS } from '../../src/core/limits.js';
import { parserStats } from '../../src/sources/tree-sitter/runtime.js';
import { lintPaths, tempProject, testConfig } from '../support/lint-helpers.js';

const lint = (files: Record<string, string>) => {
  const dir = tempProject(files);
  return { dir, result: lintPaths(dir, ['.'], testConfig([])) };
};

describe('Python inputs', () => {
  it('starts no parser for a tree without Python database code (the pre-filter)', () => {
    const before = parserStats.workersStarted;
    const { result } = lint({ 'src/index.ts': 'export const x = 1;\n', 'tools/gen.py': 'import json\nprint(json.dumps({}))\n' });
    expect(parserStats.workersStarted).toBe(before);
    expect(result.facts.python).toEqual([]);
  });

  it('caps a huge Python file with a located warning instead of parsing it', () => {
    const big = `from sqlalchemy import create_engine\n${'x = 1\n'.repeat(Math.ceil(MAX_CODE_FILE_CHARS / 6) + 10)}`;
    const { result } = lint({ 'gen/models.py': big });
    const p = result.facts.problems.find((x) => x.range.file.endsWith('models.py'));
    expect(p?.severity).toBe('warning');
    expect(p?.message).toMatch(/over the 2097152-character limit for code files \(sqlalchemy\): not parsed, its pools are unknown/);
    expect(result.facts.app.pools).toEqual([]);
  });

  it('reads Python 2 code without failing and still finds its pools', () => {
    const { result } = lint({
      'legacy/db.py': 'import psycopg2\nfrom psycopg2 import pool\nprint "starting"\nconn_pool = pool.ThreadedConnectionPool(1, 5, "dbname=app host=db")\ntry:\n    pass\nexcept Exception, e:\n    print e\n',
    });
    expect(result.facts.app.pools.map((p) => `${p.construct} ${p.peak.explanation}`)).toEqual(['ThreadedConnectionPool maxconn 5']);
    expect(result.facts.problems.filter((p) => (p.severity ?? 'error') === 'error')).toEqual([]);
  });

  it('reports every syntax error as a located warning and keeps reading', () => {
    const { result } = lint({ 'app/db.py': 'from sqlalchemy import create_engine\nx = (1,\nengine = create_engine("postgresql://db/app", pool_size=4)\n' });
    expect(result.facts.problems.every((p) => p.severity === 'warning' && p.range.line >= 1)).toBe(true);
    expect(result.facts.problems.length).toBeGreaterThan(0);
  });

  it('never reads a virtualenv (pyvenv.cfg) or site-packages', () => {
    const { result } = lint({
      '.venv/pyvenv.cfg': 'home = /usr/bin\n',
      '.venv/lib/python3.12/site-packages/sqlalchemy/engine/create.py': 'def create_engine(url, **kw):\n    pass\nengine = create_engine("postgresql://x")\n',
      'env2/pyvenv.cfg': 'home = /usr/bin\n',
      'env2/lib/foo.py': 'import sqlalchemy\n',
      'app.py': 'import os\n',
    });
    expect(result.discovery?.candidates.map((c) => c.path.split('/').pop())).toEqual(['app.py']);
  });

  it('keeps both alternatives of DATABASES set under if/else, and skips the sqlite one', () => {
    const { result } = lint({
      'mysite/settings.py':
        'import os\nimport dj_database_url\nif "DATABASE_URL" in os.environ:\n    DATABASES = {"default": dj_database_url.config(conn_max_age=500)}\nelse:\n    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n',
    });
    expect(result.facts.app.pools.map((p) => `${p.construct} ${p.use} ${p.connectionString?.provenance.kind}`)).toEqual(['DATABASES["default"] per-thread-per-alias env']);
  });

  it('reads the parts of a URL a pydantic-settings computed field builds (PostgresDsn.build)', () => {
    const { result } = lint({
      'app/core/config.py':
        'from pydantic import PostgresDsn, computed_field\nfrom pydantic_core import MultiHostUrl\nfrom pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n    POSTGRES_SERVER: str\n    POSTGRES_PORT: int = 5432\n    POSTGRES_USER: str\n    POSTGRES_DB: str = ""\n\n    @computed_field\n    @property\n    def SQLALCHEMY_DATABASE_URI(self) -> PostgresDsn:\n        return MultiHostUrl.build(scheme="postgresql+psycopg", username=self.POSTGRES_USER, host=self.POSTGRES_SERVER, port=self.POSTGRES_PORT, path=self.POSTGRES_DB)\n\n\nsettings = Settings()\n',
      'app/core/db.py': 'from sqlmodel import create_engine\n\nfrom app.core.config import settings\n\nengine = create_engine(str(settings.SQLALCHEMY_DATABASE_URI))\n',
    });
    const [p] = result.facts.app.pools;
    expect(p?.connectionString).toBeUndefined();
    const show = (v: { value: unknown; provenance: { kind: string; envVar?: string } } | undefined) => (v ? `${JSON.stringify(v.value)} ${v.provenance.kind} ${v.provenance.envVar ?? ''}`.trim() : '-');
    expect(show(p?.connectionOptions?.host)).toBe('undefined env POSTGRES_SERVER');
    expect(show(p?.connectionOptions?.port)).toBe('5432 env POSTGRES_PORT');
    expect(show(p?.connectionOptions?.database)).toBe('"" env POSTGRES_DB');
    expect(show(p?.connectionOptions?.user)).toBe('undefined env POSTGRES_USER');
  });
});
