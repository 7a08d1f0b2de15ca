/**
 * What the cache tests do to a git repository and ask of pgconn-lint (test/cache/): git with a
 * fixed identity, the CLI in-process, what a warm run would do with the report, and the waits and
 * ages the cache's racy rule needs.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { loadConfig } from '../../src/engine/config.js';
import { lint } from '../../src/engine/lint.js';
import type { CacheStats } from '../../src/facts/cache.js';
import { ALL_RULES } from '../../rules/index.js';

/** git in `dir`, with an identity and no system or user config (HOME is `home`); throws on failure. */
export function gitWith(home: string): (dir: string, ...args: string[]) => string {
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1', HOME: home };
  return (dir, ...args) => {
    const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8', env });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
}

/** The CLI in this process, in `dir`, as a non-TTY with no environment. */
export function cli(dir: string, args: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runCli(args, { cwd: dir, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env: {} });
  return { code, stdout, stderr };
}

/** What a warm run does with the cache now (a lint of `.` with the report's reuse allowed, as the CLI asks). */
export function reuseStats(dir: string, cacheFile: string): CacheStats {
  let stats: CacheStats | undefined;
  const config = loadConfig({ cwd: dir, rules: ALL_RULES });
  lint({ cwd: dir, paths: ['.'], ignorePatterns: [], config, rules: ALL_RULES, cache: { file: cacheFile, strategy: 'metadata' }, cacheStats: (s) => (stats = s), reuseReport: true });
  return stats!;
}

/** Waits until the directories are older than 2 s (the walk is kept only then: the racy rule). */
export function settle(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2_100);
}

/** Every file and directory under `dir` an hour old (`.git` and links themselves left alone). */
export function age(dir: string): void {
  const old = new Date(Date.now() - 3600_000);
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === '.git' || e.isSymbolicLink()) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      utimesSync(p, old, old);
    }
  };
  walk(dir);
}

/**
 * The shop of report.test.ts, copied to `scratch/name`: a compose project whose worker's pool size
 * comes from an env_file, with two code files that hold no database code (`api/src/plain.ts`,
 * `api/src/other.ts`).
 */
export function shop(scratch: string, name: string): string {
  const dir = join(scratch, name);
  cpSync(resolve(__dirname, '../../fixtures/projects/compose-replicas-over-budget'), dir, { recursive: true });
  writeFileSync(join(dir, 'api/src/plain.ts'), 'export const greeting = "hello";\n');
  writeFileSync(join(dir, 'api/src/other.ts'), 'export const other = 2;\n');
  const queue = join(dir, 'worker/src/queue.js');
  writeFileSync(queue, readFileSync(queue, 'utf8').replace('connectionTimeoutMillis: 5000 }', 'connectionTimeoutMillis: 5000, max: Number(process.env.PG_POOL_MAX || 10) }'));
  appendFileSync(join(dir, 'worker/worker.env'), 'PG_POOL_MAX=4\n');
  return dir;
}

/** `dir` made a repository with every file committed, older than the racy window, then settled. */
export function commitAll(git: (dir: string, ...args: string[]) => string, dir: string): void {
  age(dir);
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'init');
  settle();
}

export const FORMATS = ['stylish', 'json', 'sarif', 'github'];

/** In every format, for the whole repository and as the pre-commit hook names `named`: a warm run prints what a cold run prints. */
export function expectWarmSameAsCold(dir: string, cacheFile: string, named: string, label: string, formats = FORMATS): void {
  for (const format of formats) {
    for (const target of ['.', named]) {
      const cold = cli(dir, ['--format', format, target]);
      const warm = cli(dir, ['--format', format, '--cache', '--cache-location', cacheFile, target]);
      const what = `${label}: ${format}, ${target}`;
      expect(warm.stdout, what).toBe(cold.stdout);
      expect(warm.stderr, `${what}: stderr`).toBe(cold.stderr);
      expect(warm.code, `${what}: exit code`).toBe(cold.code);
    }
  }
}
