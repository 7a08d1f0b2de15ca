/** plaintext-credentials judges only files git tracks (index: committed or staged), asking git once per run. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { gitTrackedFiles } from '../../src/discovery/git-tracked.js';
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
});
