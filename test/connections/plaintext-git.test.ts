/** plaintext-credentials judges only files git tracks (index: committed or staged), asking git once per run. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { gitTrackedFiles, isTracked } from '../../src/discovery/git-tracked.js';
import { allDiagnostics, lintPaths, tempProject, testConfig } from '../support/lint-helpers.js';
import { join, relative } from 'node:path';

function gitProject(files: Record<string, string>, add: string[]): string {
  const dir = tempProject(files);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, stdio: 'pipe' });
  git('init', '-q');
  if (add.length) git('add', '--', ...add);
  return dir;
}

describe('plaintext-credentials and git', () => {
  const files = {
    '.env': 'DATABASE_URL=postgres://app:TrackedPw1@db:5432/app\n',
    '.env.local': 'DATABASE_URL=postgres://app:UntrackedPw2@db:5432/app\n',
    'deploy/.env.production': 'DATABASE_URL=postgres://app:StagedPw3@db:5432/app\n',
    'test/.env': 'DATABASE_URL=postgres://app:TestPw4@db:5432/app\n',
  };

  it('reports tracked and staged files only, never test fixtures', () => {
    const dir = gitProject(files, ['.env', 'deploy/.env.production', 'test/.env']);
    const ds = allDiagnostics(lintPaths(dir, [dir], testConfig(['plaintext-credentials']))).filter((d) => d.ruleId === 'plaintext-credentials');
    expect(ds.map((d) => relative(dir, d.range.file)).sort()).toEqual(['.env', join('deploy', '.env.production')]);
    expect(ds[0]?.message).toContain('a file git tracks');
    for (const d of ds) expect(d.message).not.toMatch(/TrackedPw1|StagedPw3/);
  });

  it('outside a git repository every file counts as tracked', () => {
    const dir = tempProject(files);
    expect(gitTrackedFiles(dir).known).toBe(false);
    const ds = allDiagnostics(lintPaths(dir, [dir], testConfig(['plaintext-credentials']))).filter((d) => d.ruleId === 'plaintext-credentials');
    expect(ds).toHaveLength(3); // test/.env is allowed by the default globs
  });

  it('the allow option replaces the default globs', () => {
    const dir = tempProject(files);
    const config = testConfig(['plaintext-credentials']);
    config.rules['plaintext-credentials']!.options.allow = 'deploy/**';
    const ds = allDiagnostics(lintPaths(dir, [dir], config)).filter((d) => d.ruleId === 'plaintext-credentials');
    // test/.env stays silent: it is non-production code (codePaths.nonProduction), which the rule skips.
    expect(ds.map((d) => relative(dir, d.range.file)).sort()).toEqual(['.env', '.env.local']);
    // With every codePaths default dropped, the allow option alone decides.
    config.settings.codePaths = { nonProduction: ['!**'], base: dir };
    const all = allDiagnostics(lintPaths(dir, [dir], config)).filter((d) => d.ruleId === 'plaintext-credentials');
    expect(all.map((d) => relative(dir, d.range.file)).sort()).toEqual(['.env', '.env.local', join('test', '.env')]);
  });

  it('asks git only about the files given (issue 11), literally, and counts any other file as tracked', () => {
    const dir = gitProject({ 'a[1].env': 'X=1\n', 'a1.env': 'X=1\n', 'b.env': 'X=1\n', 'src/c.ts': 'export {};\n' }, [':(literal)a[1].env', 'src/c.ts']);
    const git = gitTrackedFiles(dir, [join(dir, 'a[1].env'), join(dir, 'a1.env'), join(dir, 'src/c.ts'), '/elsewhere/x.env']);
    expect(git.known).toBe(true);
    expect([...git.files].sort()).toEqual(['a[1].env', 'src/c.ts']);
    expect(isTracked(git, dir, join(dir, 'a[1].env'))).toBe(true);
    expect(isTracked(git, dir, join(dir, 'a1.env'))).toBe(false);
    // Not asked: unknown, so it counts as tracked (a linter that cannot tell must not stay silent).
    expect(isTracked(git, dir, join(dir, 'b.env'))).toBe(true);
    expect(gitTrackedFiles(dir, []).files.size).toBe(0);
  });

  it('an untracked code file with a connection literal is not judged, a tracked one is', () => {
    const dir = gitProject({ 'src/tracked.ts': "export const u = 'postgres://app:CodePw5@db:5432/app';\n", 'src/untracked.ts': "export const u = 'postgres://app:CodePw6@db:5432/app';\n" }, ['src/tracked.ts']);
    const ds = allDiagnostics(lintPaths(dir, [dir], testConfig(['plaintext-credentials']))).filter((d) => d.ruleId === 'plaintext-credentials');
    expect(ds.map((d) => relative(dir, d.range.file))).toEqual([join('src', 'tracked.ts')]);
  });
});
