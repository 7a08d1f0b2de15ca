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
  it('has its CHANGELOG section, and README pins the pre-commit rev to its tag', () => {
    expect(read('CHANGELOG.md')).toMatch(new RegExp(`^## \\[${version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'));
    expect(read('README.md')).toContain(`rev: v${version}`);
  });
  it('is tagged v<version> in a clone that has the tags', (ctx) => {
    if (!existsSync(join(REPO_ROOT, '.git'))) ctx.skip('not a git checkout');
    const tags = execFileSync('git', ['tag', '--list', 'v*'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    if (tags.length === 0) ctx.skip('this clone has no tags (a shallow or single-branch clone)');
    expect(tags).toContain(`v${version}`);
    expect(tags).toContain('v0');
  });
});
