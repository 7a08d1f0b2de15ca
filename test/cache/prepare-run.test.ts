/**
 * With --cache, the CLI's entry starts git's status before the modules load, and the run takes its
 * first step while git still runs: the facts cache opened and, when the report may be reused, the
 * walk's directories checked (src/cli/main.ts `prepareRun`, src/engine/lint.ts `prepareLint`). The
 * run proper then takes that cache (`FactsCache.open`). Whatever the state, it prints what a run
 * without that step prints, byte for byte, and the cache's notes once.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runCliAsync } from '../../src/cli/main.js';
import { loadConfig } from '../../src/engine/config.js';
import { lint, prepareLint, type LintOptions } from '../../src/engine/lint.js';
import { FactsCache } from '../../src/facts/cache.js';
import { startGitSnapshotEarly } from '../../src/facts/git-early.js';
import { ALL_RULES } from '../../rules/index.js';
import { cli, commitAll, gitWith, reuseStats, shop } from '../support/git-repo.js';

const scratch = mkdtempSync(join(tmpdir(), 'pgconn-lint-prepare-run-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());
const git = gitWith(scratch);

/** The CLI as bin.ts runs it with --cache: git started first, the run given its promise. */
async function cliAsTheEntryRuns(dir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const gitStarted = startGitSnapshotEarly(dir);
  const code = await runCliAsync(args, { cwd: dir, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env: {} }, gitStarted);
  return { code, stdout, stderr };
}

/** The run with the step taken ahead prints what the run without it prints; the two caches are kept apart. */
async function expectSameOutput(dir: string, args: (cache: string) => string[], label: string): Promise<void> {
  const opened = vi.spyOn(FactsCache, 'open');
  const name = dir.split('/').pop()!;
  const ahead = await cliAsTheEntryRuns(dir, args(join(scratch, `${name}-ahead.cache`)));
  // The step's cache is the run's: opened twice, the same instance both times.
  expect(opened.mock.results.length, `${label}: opened by the step and by the run`).toBe(2);
  expect(opened.mock.results[1]!.value, `${label}: the run takes the step's cache`).toBe(opened.mock.results[0]!.value);
  opened.mockRestore();
  const plain = cli(dir, args(join(scratch, `${name}-plain.cache`)));
  expect(ahead.stdout, label).toBe(plain.stdout);
  // (The notes name the cache file.)
  expect(ahead.stderr.replaceAll(`${name}-ahead.cache`, `${name}-plain.cache`), `${label}: stderr`).toBe(plain.stderr);
  expect(ahead.code, `${label}: exit code`).toBe(plain.code);
}

describe('the step taken while git runs', () => {
  it('leaves every output as it was, whether the report is reused or not', async () => {
    const dir = shop(scratch, 'shop');
    commitAll(git, dir);
    const plain = join(dir, 'api/src/plain.ts');
    const whole = (cache: string) => ['--format', 'json', '--cache', '--cache-location', cache, '.'];
    const hook = (cache: string) => ['--cache', '--cache-location', cache, plain];

    await expectSameOutput(dir, whole, 'first run');
    expect(reuseStats(dir, join(scratch, 'shop-ahead.cache')).reportReused, 'the report is reused from here').toBe(true);
    await expectSameOutput(dir, whole, 'unchanged');
    await expectSameOutput(dir, hook, 'unchanged, as the hook runs');

    appendFileSync(plain, '// a comment\n');
    git(dir, 'add', 'api/src/plain.ts');
    await expectSameOutput(dir, hook, 'plain file staged, as the hook runs');

    // A file git does not track, in a directory of the walk: only the directory's check sees it.
    writeFileSync(join(dir, 'api/src/extra.ts'), "import { Pool } from 'pg';\nexport const pool = new Pool({ max: 50 });\n");
    await expectSameOutput(dir, whole, 'an untracked file with a pool');
    await expectSameOutput(dir, hook, 'an untracked file with a pool, as the hook runs');

    // Runs that never reuse the report still take the opened cache.
    await expectSameOutput(dir, (cache) => ['--verbose', '--cache', '--cache-location', cache, '.'], '--verbose');
  });

  it("takes the index's part of the report's check once git has listed the index, and the run uses it", async () => {
    const dir = shop(scratch, 'indexed');
    commitAll(git, dir);
    const plain = join(dir, 'api/src/plain.ts');
    const hook = (cache: string) => ['--cache', '--cache-location', cache, plain];
    await expectSameOutput(dir, hook, 'first run');
    const withIndex = vi.spyOn(FactsCache.prototype, 'checkAheadWithIndex');
    // What the report's check found taken ahead, when it ran (a private field, read as the run reads it).
    const found: unknown[] = [];
    const reusable = FactsCache.prototype.reusableReport;
    vi.spyOn(FactsCache.prototype, 'reusableReport').mockImplementation(function (this: FactsCache, ...args: Parameters<FactsCache['reusableReport']>) {
      found.push((this as unknown as { aheadIndexed: unknown }).aheadIndexed);
      return reusable.apply(this, args);
    });
    appendFileSync(plain, '// a comment\n');
    git(dir, 'add', 'api/src/plain.ts');
    await expectSameOutput(dir, hook, 'plain file staged');
    expect(withIndex).toHaveBeenCalled();
    expect(found[0], 'the run found the step taken').toMatchObject({ reads: expect.any(Array), tracked: { known: true } });
    expect(reuseStats(dir, join(scratch, 'indexed-ahead.cache')).reportReused, 'and reused the report').toBe(true);
    // A file a finding may be in leaves the index (still on disk): the step's answer is the index's.
    git(dir, 'rm', '-q', '--cached', 'api/src/plain.ts');
    await expectSameOutput(dir, hook, 'a file taken out of the index');
    git(dir, 'add', 'api/src/plain.ts');
    await expectSameOutput(dir, hook, 'and put back');
  });

  it("says the cache's notes once", async () => {
    const dir = shop(scratch, 'notes');
    commitAll(git, dir);
    const corrupt = (cache: string) => {
      writeFileSync(cache, 'not a cache file\n');
      return ['--cache', '--cache-location', cache, '.'];
    };
    await expectSameOutput(dir, corrupt, 'a corrupt cache file');
    const { stderr } = await cliAsTheEntryRuns(dir, corrupt(join(scratch, 'notes-again.cache')));
    expect(stderr.split('is not valid').length - 1, stderr).toBe(1);
  });

  it('is left to the run with the same cache settings only, once', () => {
    const dir = shop(scratch, 'others');
    commitAll(git, dir);
    const config = loadConfig({ cwd: dir, rules: ALL_RULES });
    const options = (file: string): LintOptions => ({ cwd: dir, paths: ['.'], ignorePatterns: [], config, rules: ALL_RULES, cache: { file, strategy: 'metadata' }, reuseReport: true });
    const opened = vi.spyOn(FactsCache, 'open');
    prepareLint(options(join(scratch, 'others-a.cache')));
    lint(options(join(scratch, 'others-b.cache')));
    lint(options(join(scratch, 'others-a.cache')));
    const [step, other, later] = opened.mock.results.map((r) => r.value as FactsCache);
    expect(other).not.toBe(step);
    expect(later, 'dropped by the first open after the step').not.toBe(step);
  });
});
