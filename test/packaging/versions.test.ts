/**
 * Issue 12: the version in package.json, the plugin's package.json and its dependency range, the
 * CHANGELOG, README's pre-commit `rev:` and the release tag agree.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';

const read = (p: string) => readFileSync(join(REPO_ROOT, p), 'utf8');
const version = (JSON.parse(read('package.json')) as { version: string }).version;

describe(`version ${version}`, () => {
  it('is the plugin\'s version, and the plugin depends on a real range of it (not file:..)', () => {
    const plugin = JSON.parse(read('eslint-plugin/package.json')) as { version: string; dependencies: Record<string, string> };
    expect(plugin.version).toBe(version);
    expect(plugin.dependencies['pgconn-lint']).toBe(`^${version}`);
  });
  it('has its CHANGELOG section, the newest released one, and README pins the pre-commit rev to its tag', () => {
    expect(read('CHANGELOG.md')).toMatch(new RegExp(`^## \\[${version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'));
    // Sections after [Unreleased] are newest first: the first released one is this version.
    const released = [...read('CHANGELOG.md').matchAll(/^## \[(\d+\.\d+\.\d+[^\]]*)\] - \d{4}-\d{2}-\d{2}$/gm)].map((m) => m[1]);
    expect(released[0]).toBe(version);
    expect(read('README.md')).toContain(`rev: v${version}`);
  });
  it('is the version package-lock.json records for both packages (npm ci refuses a lock out of step)', () => {
    const lock = JSON.parse(read('package-lock.json')) as { version: string; packages: Record<string, { version?: string; dependencies?: Record<string, string> }> };
    expect([lock.version, lock.packages['']!.version, lock.packages['eslint-plugin']!.version]).toEqual([version, version, version]);
    expect(lock.packages['eslint-plugin']!.dependencies!['pgconn-lint']).toBe(`^${version}`);
  });
  it('is tagged v<version> in a clone that has the tags', (ctx) => {
    if (!existsSync(join(REPO_ROOT, '.git'))) ctx.skip('not a git checkout');
    const tags = execFileSync('git', ['tag', '--list', 'v*'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    if (tags.length === 0) ctx.skip('this clone has no tags (a shallow or single-branch clone)');
    expect(tags).toContain(`v${version}`);
    expect(tags).toContain('v0');
    // v<version> is the newest release tag, and v0 (the Action's `@v0`) is on the same commit.
    const semver = tags.filter((t) => /^v\d+\.\d+\.\d+$/.test(t)).map((t) => t.slice(1).split('.').map(Number));
    const newest = semver.sort((a, b) => b[0]! - a[0]! || b[1]! - a[1]! || b[2]! - a[2]!)[0]!.join('.');
    expect(newest).toBe(version);
    const commitOf = (tag: string) => execFileSync('git', ['rev-parse', `${tag}^{commit}`], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    expect(commitOf('v0')).toBe(commitOf(`v${version}`));
  });
});
