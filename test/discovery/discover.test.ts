import { describe, expect, it } from 'vitest';
import { join, relative } from 'node:path';
import { mkdirSync, symlinkSync } from 'node:fs';
import { discover, classifyByName } from '../../src/discovery/discover.js';
import { tempProject } from '../support/lint-helpers.js';

const BOUNCER = '[pgbouncer]\nlisten_port = 6432\n';

function found(dir: string, paths: string[] = [], ignorePatterns: string[] = []) {
  const r = discover({ cwd: dir, paths, ignorePatterns });
  return r.candidates.map((c) => `${relative(dir, c.path)}:${c.kind}`).sort();
}

describe('discovery', () => {
  it('classifies config files by name', () => {
    expect(classifyByName('/x/postgresql.conf')).toBe('postgresql-conf');
    expect(classifyByName('/x/postgresql.auto.conf')).toBe('postgresql-conf');
    expect(classifyByName('/x/customPostgresql.conf')).toBe('postgresql-conf');
    expect(classifyByName('/x/postgresql.conf.j2')).toBe('postgresql-conf');
    expect(classifyByName('/x/pgbouncer.ini')).toBe('pgbouncer-ini');
    expect(classifyByName('/x/pooler.ini')).toBe('maybe-ini');
    expect(classifyByName('/x/app.conf')).toBeNull();
  });

  it('honours .gitignore (nested too), skips node_modules/dist/build/.git, and --ignore-pattern', () => {
    const dir = tempProject({
      '.gitignore': 'secret/\n*.local.ini\n',
      'db/postgresql.conf': 'max_connections = 100\n',
      'db/.gitignore': 'old.conf\n',
      'db/old.conf': '',
      'db/postgres-old.conf': '',
      'secret/pgbouncer.ini': BOUNCER,
      'a/dev.local.ini': BOUNCER,
      'node_modules/pkg/pgbouncer.ini': BOUNCER,
      'dist/postgresql.conf': '',
      'build/postgresql.conf': '',
      'infra/pooler.ini': BOUNCER,
      'vendor/postgresql.conf': '',
    });
    mkdirSync(join(dir, '.git'));
    expect(found(dir)).toEqual(['db/postgres-old.conf:postgresql-conf', 'db/postgresql.conf:postgresql-conf', 'infra/pooler.ini:maybe-ini', 'vendor/postgresql.conf:postgresql-conf']);
    expect(found(dir, [], ['vendor/', 'db/postgres-*.conf'])).toEqual(['db/postgresql.conf:postgresql-conf', 'infra/pooler.ini:maybe-ini']);
  });

  it('always lints files named on the command line, even ignored ones', () => {
    const dir = tempProject({ '.gitignore': 'secret/\n', 'secret/pgbouncer.ini': BOUNCER, 'conf/main.conf': '' });
    expect(found(dir, ['secret/pgbouncer.ini', 'conf/main.conf'])).toEqual(['conf/main.conf:postgresql-conf', 'secret/pgbouncer.ini:pgbouncer-ini']);
  });

  it('--no-gitignore reads files .gitignore excludes', () => {
    const dir = tempProject({ '.gitignore': 'secret/\n', 'secret/pgbouncer.ini': BOUNCER });
    mkdirSync(join(dir, '.git'));
    expect(found(dir)).toEqual([]);
    const r = discover({ cwd: dir, paths: [], ignorePatterns: [], noGitignore: true });
    expect(r.candidates.map((c) => relative(dir, c.path))).toEqual(['secret/pgbouncer.ini']);
  });
});

describe('symbolic links inside the tree (issue 15)', () => {
  const POOL = "import { Pool } from 'pg';\nexport const pool = new Pool({ max: 5 });\n";

  it('a link to another directory of the tree (.cursor/skills/x → ../../.agents/skills/x) is read once, silently', () => {
    const dir = tempProject({ '.agents/skills/x/db.ts': POOL, '.agents/skills/x/.env': 'DATABASE_URL=postgres://db/app\n', 'src/app.ts': 'export {};\n' });
    mkdirSync(join(dir, '.cursor', 'skills'), { recursive: true });
    symlinkSync('../../.agents/skills/x', join(dir, '.cursor', 'skills', 'x'));
    // A file link too (CLAUDE.md → AGENTS.md style), to a file pgconn-lint reads.
    symlinkSync('.agents/skills/x/.env', join(dir, '.env'));
    const r = discover({ cwd: dir, paths: [], ignorePatterns: [] });
    expect(r.notes).toEqual([]);
    expect(r.candidates.map((c) => `${relative(dir, c.path)}:${c.kind}`).sort()).toEqual(['.agents/skills/x/.env:env', '.agents/skills/x/db.ts:js', 'src/app.ts:js']);
  });

  it('"loop" is said only of a real loop (a link to a directory that contains it)', () => {
    const dir = tempProject({ 'a/b/db.ts': POOL, 'a/c/other.ts': POOL });
    symlinkSync('..', join(dir, 'a', 'b', 'up'));
    symlinkSync('../c', join(dir, 'a', 'b', 'sibling'));
    symlinkSync('../missing', join(dir, 'a', 'b', 'dangling'));
    const r = discover({ cwd: dir, paths: [], ignorePatterns: [] });
    expect(r.notes.map((n) => n.message)).toEqual(['Symbolic link loop: a/b/up points to a directory that contains it; skipped.']);
    expect(r.candidates.map((c) => relative(dir, c.path)).sort()).toEqual(['a/b/db.ts', 'a/c/other.ts']);
  });
});
