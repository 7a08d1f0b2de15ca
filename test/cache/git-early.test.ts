/**
 * The CLI's entry point starts git before its modules load (`startGitSnapshotEarly`, bin.ts with
 * --cache): child processes of the main thread, awaited before the CLI runs. The facts cache then
 * takes that snapshot for the same root, and it is the snapshot a later `git status` gives; taken
 * before git ended, it is asked again synchronously, with the same answer.
 */
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startGitSnapshot, startGitSnapshotEarly, takeGitSnapshot, earlySnapshotTime, trackedAmong, trackedFromSnapshot } from '../../src/facts/git-changes.js';
import { earlyStatusArgs, GIT_CONFIG, git as gitAsTheCliDoes, STATUS_ARGS } from '../../src/facts/git-early.js';
import { cacheDir } from '../../src/core/code-cache.cjs';
import { gitWith } from '../support/git-repo.js';

const scratch = mkdtempSync(join(tmpdir(), 'pgconn-lint-git-early-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const git = gitWith(scratch);

function repo(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'src/a.ts'), 'export const a = 1;\n');
  writeFileSync(join(dir, 'src/b.ts'), 'export const b = 2;\n');
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'init');
  appendFileSync(join(dir, 'src/b.ts'), '// edited\n');
  return dir;
}

describe('the snapshot the entry point starts', () => {
  it('asks git for HEAD without counting the commits between the branch and its upstream', () => {
    const upstream = repo('upstream');
    git(upstream, 'commit', '-qam', 'two');
    const dir = join(scratch, 'behind');
    git(scratch, 'clone', '-q', upstream, dir);
    git(dir, 'reset', '-q', '--hard', 'HEAD~1');
    const head = git(dir, 'rev-parse', 'HEAD').trim();
    // What git gives when it counts; the CLI's status does not ask for it.
    expect(git(dir, 'status', '--porcelain=v2', '--branch')).toContain('# branch.ab +0 -1');
    const out = gitAsTheCliDoes(dir, STATUS_ARGS) ?? '';
    expect(out).toContain(`# branch.oid ${head}`);
    expect(out).toContain('# branch.ab +? -?');
    expect(takeGitSnapshot(dir)?.head).toBe(head);
  });

  it('is taken by the facts cache for the same root once awaited, and equals a later snapshot', async () => {
    const dir = repo('awaited');
    const before = Date.now();
    await startGitSnapshotEarly(join(dir, 'src'));
    expect(earlySnapshotTime(dir)).toBeGreaterThanOrEqual(before);
    const take = startGitSnapshot(dir);
    const snapshot = take?.();
    expect(snapshot).toEqual(takeGitSnapshot(dir));
    expect(snapshot?.changed).toEqual(['src/b.ts']);
    expect(snapshot?.index.has('src/a.ts')).toBe(true);
    // Taken once: the next cache of the run starts its own.
    expect(earlySnapshotTime(dir)).toBeUndefined();
  });

  it("hands over the index's paths once git ls-files ended, the very ones the snapshot then holds", async () => {
    const dir = repo('listed');
    const started = startGitSnapshotEarly(dir);
    const take = startGitSnapshot(dir);
    expect(take?.listedIndex, 'the index is offered when git started early').toBeDefined();
    // Before the listing ended: nothing yet (the CLI awaits `listed` first).
    expect(take!.listedIndex!()).toBeNull();
    await started.listed;
    const index = take!.listedIndex!();
    expect(index?.has('src/a.ts')).toBe(true);
    expect(index?.has('src/c.ts')).toBe(false);
    await started;
    const snapshot = take!();
    expect(snapshot?.index, 'the snapshot holds the same object').toBe(index);
    const fresh = takeGitSnapshot(dir);
    expect([snapshot?.head, snapshot?.changed]).toEqual([fresh?.head, fresh?.changed]);
    // Started without the entry (a worker thread): nothing offered ahead.
    expect(startGitSnapshot(dir)?.listedIndex).toBeUndefined();
  });

  it('taken before git ended, asks git again: the snapshot holds the new listing, not the early one', async () => {
    const dir = repo('listed-then-taken');
    const started = startGitSnapshotEarly(dir);
    const take = startGitSnapshot(dir);
    const snapshot = take!();
    await started;
    const early = take!.listedIndex!();
    expect(early?.has('src/a.ts')).toBe(true);
    expect(snapshot?.index).not.toBe(early);
    expect(snapshot).toEqual(takeGitSnapshot(dir));
  });

  it('taken before git ended, asks git again and gives the same snapshot', () => {
    const dir = repo('not-awaited');
    void startGitSnapshotEarly(dir);
    const snapshot = startGitSnapshot(dir)?.();
    expect(snapshot?.changed).toEqual(['src/b.ts']);
    expect(snapshot).toEqual(takeGitSnapshot(dir));
  });

  it('gives through its files what the pipes give, and leaves no file behind', async () => {
    const dir = repo('files');
    // Enough paths that `git ls-files` writes more than a pipe holds (64 KiB).
    mkdirSync(join(dir, 'many'), { recursive: true });
    for (let i = 0; i < 1500; i++) writeFileSync(join(dir, 'many', `a-file-with-a-rather-long-name-${i}.ts`), '');
    git(dir, 'add', 'many');
    git(dir, 'commit', '-qm', 'many');
    appendFileSync(join(dir, 'src/a.ts'), '// edited\n');
    const mine = () => readdirSync(cacheDir()!).filter((n) => n.startsWith(`git-${process.pid}-`));
    await startGitSnapshotEarly(dir);
    const viaFiles = startGitSnapshot(dir)?.();
    expect(mine()).toEqual([]);
    // PGCONN_LINT_NO_CACHE=1: no cache directory, so pipes.
    process.env['PGCONN_LINT_NO_CACHE'] = '1';
    try {
      await startGitSnapshotEarly(dir);
      const viaPipes = startGitSnapshot(dir)?.();
      expect(viaFiles).toEqual(viaPipes);
      expect(viaPipes?.index.has('many/a-file-with-a-rather-long-name-1499.ts')).toBe(true);
    } finally {
      delete process.env['PGCONN_LINT_NO_CACHE'];
    }
    expect(viaFiles?.changed).toEqual(['src/a.ts', 'src/b.ts']);
  });

  // Where git's stdout went: a `git` first on PATH that notes its shell's /proc/<pid>/fd/1, then runs git.
  it.runIf(process.platform === 'linux')('writes to an unlinked file of the cache directory, a pipe without one', async () => {
    const dir = repo('where');
    const bin = join(scratch, 'bin');
    const log = join(scratch, 'where.log');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'git'), `#!/bin/sh\nout=$(readlink /proc/$$/fd/1)\necho "$out" >> '${log}'\nPATH='${process.env['PATH']}' exec git "$@"\n`);
    chmodSync(join(bin, 'git'), 0o755);
    const path = process.env['PATH'];
    process.env['PATH'] = `${bin}${delimiter}${path}`;
    try {
      await startGitSnapshotEarly(dir);
      expect(startGitSnapshot(dir)?.()?.changed).toEqual(['src/b.ts']);
      const files = readFileSync(log, 'utf8').trim().split('\n');
      expect(files).toHaveLength(2);
      for (const f of files) expect(f).toMatch(new RegExp(`^${cacheDir()!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/git-${process.pid}-\\d+\\.out \\(deleted\\)$`));
      rmSync(log);
      process.env['PGCONN_LINT_NO_CACHE'] = '1';
      await startGitSnapshotEarly(dir);
      expect(startGitSnapshot(dir)?.()?.changed).toEqual(['src/b.ts']);
      // (libuv's pipes are socket pairs on Unix.)
      for (const f of readFileSync(log, 'utf8').trim().split('\n')) expect(f).toMatch(/^(pipe|socket):/);
    } finally {
      process.env['PATH'] = path;
      delete process.env['PGCONN_LINT_NO_CACHE'];
    }
  });

  // A `git` first on PATH that notes its arguments, then runs git.
  it.runIf(process.platform === 'linux')('asks the status not to preload the index on two processors, and the same of git elsewhere', async () => {
    expect(earlyStatusArgs(1)).toEqual(['-c', 'core.preloadIndex=false', ...STATUS_ARGS]);
    expect(earlyStatusArgs(2)).toEqual(['-c', 'core.preloadIndex=false', ...STATUS_ARGS]);
    expect(earlyStatusArgs(3)).toEqual(STATUS_ARGS);
    const dir = repo('preload');
    const bin = join(scratch, 'bin-args');
    const log = join(scratch, 'args.log');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'git'), `#!/bin/sh\necho "$*" >> '${log}'\nPATH='${process.env['PATH']}' exec git "$@"\n`);
    chmodSync(join(bin, 'git'), 0o755);
    const path = process.env['PATH'];
    process.env['PATH'] = `${bin}${delimiter}${path}`;
    try {
      await startGitSnapshotEarly(dir);
      const snapshot = startGitSnapshot(dir)?.();
      expect(snapshot?.changed).toEqual(['src/b.ts']);
      // The answer is the one the status without the setting gives.
      expect(snapshot).toEqual(takeGitSnapshot(dir));
      const status = readFileSync(log, 'utf8').split('\n').filter((l) => l.includes(' status '));
      expect(status[0]).toBe([...GIT_CONFIG, ...earlyStatusArgs(availableParallelism())].join(' '));
    } finally {
      process.env['PATH'] = path;
    }
  });

  it('outside a repository, starts nothing', async () => {
    const dir = join(scratch, 'plain');
    mkdirSync(dir, { recursive: true });
    await startGitSnapshotEarly(dir);
    expect(earlySnapshotTime(dir)).toBeUndefined();
  });
});

describe('trackedAmong (the stored report\'s paths, relative)', () => {
  it('answers as trackedFromSnapshot of the same paths made absolute, plain or not', () => {
    const dir = repo('among');
    const snapshot = takeGitSnapshot(dir)!;
    const rels = ['src/a.ts', 'src/b.ts', 'src/missing.ts', './src/a.ts', 'src/../src/b.ts', 'src//a.ts', 'src/a.ts/', '../among/src/a.ts', '../elsewhere/x.ts', '', '.', '/etc/passwd', 'src/./a.ts'];
    const among = trackedAmong(dir, snapshot, rels);
    const viaAbsolute = trackedFromSnapshot(dir, snapshot, rels.map((r) => resolve(dir, r)));
    expect(among).toEqual(viaAbsolute);
    expect([...among!.files].sort()).toEqual(['src/a.ts', 'src/b.ts']);
  });
});
