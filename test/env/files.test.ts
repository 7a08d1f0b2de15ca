import { describe, expect, test } from 'vitest';
import type { TextFile } from '../../src/core/read-text.js';
import { classifyEnvFile, envFileEnvironment, loadEnvFiles } from '../../src/sources/env/files.js';

describe('envFileEnvironment / classifyEnvFile', () => {
  test.each([
    ['.env', { environment: 'default', local: false, template: false }],
    ['/app/.env.local', { environment: 'default', local: true, template: false }],
    ['.env.production', { environment: 'production', local: false, template: false }],
    ['.env.production.local', { environment: 'production', local: true, template: false }],
    ['.env.development', { environment: 'development', local: false, template: false }],
    ['.env.example', { environment: 'default', local: false, template: true }],
    ['.env.sample', { environment: 'default', local: false, template: true }],
    ['.env.template', { environment: 'default', local: false, template: true }],
    ['.env.dist', { environment: 'default', local: false, template: true }],
    ['.env.prod.example', { environment: 'prod', local: false, template: true }],
    ['.env.local.example', { environment: 'default', local: true, template: true }],
    ['.env.vault', null],
    ['.env.keys', null],
    ['env', null],
    ['db.env', null],
    ['.envrc', null],
  ])('%s', (name, expected) => {
    expect(classifyEnvFile(name)).toEqual(expected);
    expect(envFileEnvironment(name)).toBe(expected?.environment ?? null);
  });
});

describe('loadEnvFiles', () => {
  const files: Record<string, string> = {
    '/p/.env.production': 'DATABASE_URL=postgres://prod-host/app\n',
    '/p/.env.development': 'DATABASE_URL=postgres://localhost/app\n',
    '/p/.env.example': 'DATABASE_URL=\n',
    '/p/compose/db.env': 'POSTGRES_PASSWORD=x\n',
  };
  const read = (path: string): TextFile =>
    path in files
      ? { ok: true, path, text: files[path]!, hasBom: false, problems: [] }
      : { ok: false, path, problem: { message: 'File file not found.', range: { file: path, line: 1, column: 1, endLine: 1, endColumn: 1 } } };

  test('environments are kept apart, templates are marked, unreadable files are problems', () => {
    const out = loadEnvFiles([...Object.keys(files), '/p/.env'], read);
    expect(out.map((f) => [f.file, f.environment, f.template, f.entries.map((e) => e.value)])).toEqual([
      ['/p/.env.production', 'production', false, ['postgres://prod-host/app']],
      ['/p/.env.development', 'development', false, ['postgres://localhost/app']],
      ['/p/.env.example', 'default', true, ['']],
      ['/p/compose/db.env', 'default', false, ['x']],
      ['/p/.env', 'default', false, []],
    ]);
    expect(out[4]?.problems.map((p) => p.message)).toEqual(['File file not found.']);
  });
});
