/**
 * The bundled CLI's start (issue 11; scripts/bundle.mjs, docs/decisions.md D49, D56): a small CommonJS
 * entry starts git, then loads the CLI, dist/bundle/cli.cjs, compiled from V8's code cache
 * (src/core/code-cache.cjs). The built bundle (`npm test` builds first) runs in a fresh Node each
 * time, as the pgconn-lint command does.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isAscii } from 'node:buffer';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitWith } from '../support/git-repo.js';

const ROOT = resolve(__dirname, '../..');
const ENTRY = join(ROOT, 'dist/bundle/pgconn-lint.cjs');
const CLI = join(ROOT, 'dist/bundle/cli.cjs');
const scratch = mkdtempSync(join(tmpdir(), 'pgconn-lint-bundle-start-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Says, for each compile of cli.cjs given a code cache, whether V8 rejected it (the module V8's vm.Script is replaced in this process only). */
const SPY = join(scratch, 'spy.mjs');
writeFileSync(
  SPY,
  `import vm from 'node:vm';
const S = vm.Script;
vm.Script = class extends S {
  constructor(src, o) {
    super(src, o);
    if (o && o.cachedData && String(o.filename).endsWith('cli.cjs')) process.stderr.write('cli code cache rejected: ' + this.cachedDataRejected + '\\n');
  }
};
`,
);

function run(args: string[], cwd: string, env: Record<string, string>): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', SPY, ENTRY, ...args], { cwd, encoding: 'utf8', env: { ...process.env, PGCONN_LINT_NO_CACHE: '', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the bundled CLI', () => {
  it('is one ASCII script (read as Latin-1), beside an entry of a few KB', () => {
    expect(isAscii(readFileSync(CLI))).toBe(true);
    expect(statSync(ENTRY).size).toBeLessThan(64 * 1024);
  });

  it("is the package's bin, run by Node as a CommonJS main module (D56), and exits 2 when the CLI cannot be loaded", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(join(ROOT, pkg.bin['pgconn-lint']!)).toBe(ENTRY);
    // A CommonJS main module is process.mainModule; an ES module main leaves it undefined.
    const probe = join(scratch, 'main-probe.cjs');
    writeFileSync(probe, "process.on('exit', () => process.stderr.write('main: ' + (process.mainModule ? process.mainModule.filename : 'none') + '\\n'));\n");
    const r = spawnSync(process.execPath, ['-r', probe, ENTRY, '--version'], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, `main: ${ENTRY}\n`]);
    // The entry alone, without cli.cjs beside it: an internal failure, said on one line.
    const alone = mkdtempSync(join(scratch, 'alone-'));
    cpSync(ENTRY, join(alone, 'pgconn-lint.cjs'));
    const broken = spawnSync(process.execPath, [join(alone, 'pgconn-lint.cjs'), '--version'], { encoding: 'utf8', env: { ...process.env, PGCONN_LINT_NO_CACHE: '1' } });
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/^pgconn-lint: internal error: Cannot find module .*cli\.cjs/);
    expect(broken.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('is compiled from the code cache its first run wrote, which later runs accept', () => {
    const own = mkdtempSync(join(scratch, 'tmp-'));
    const project = join(ROOT, 'fixtures/projects/too-many-clients-guide');
    const first = run([project], ROOT, { TMPDIR: own });
    expect(first.stderr).not.toContain('cli code cache rejected');
    const cacheDir = readdirSync(own).find((d) => d.startsWith('pgconn-lint-cache-'))!;
    const written = readdirSync(join(own, cacheDir)).filter((f) => f.startsWith('cli-') && f.endsWith('.v8cache'));
    expect(written).toHaveLength(1);
    const before = statSync(join(own, cacheDir, written[0]!));
    for (const args of [[project], ['--version'], ['--format', 'json', project]]) {
      const r = run(args, ROOT, { TMPDIR: own });
      expect(r.stderr).toContain('cli code cache rejected: false');
      expect(r.code).toBe(args[0] === '--version' ? 0 : first.code);
    }
    // Accepted, so never written again.
    const after = statSync(join(own, cacheDir, written[0]!));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('with PGCONN_LINT_NO_CACHE, neither reads nor writes a code cache', () => {
    const own = mkdtempSync(join(scratch, 'tmp-'));
    for (let i = 0; i < 2; i++) expect(run(['--version'], ROOT, { TMPDIR: own, PGCONN_LINT_NO_CACHE: '1' }).stderr).toBe('');
    expect(readdirSync(own).flatMap((d) => readdirSync(join(own, d))).filter((f) => f.startsWith('cli-'))).toEqual([]);
  });

  it('with --cache, takes the git status its entry started: one status per run (src/facts/git-early.ts)', () => {
    // The entry and the CLI are two copies of git-early.ts; the snapshot crosses through a
    // process-wide symbol. Were it lost, the facts cache would run git status again itself.
    const bin = join(scratch, 'bin');
    mkdirSync(bin, { recursive: true });
    const log = join(scratch, 'git.log');
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    writeFileSync(join(bin, 'git'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${realGit}' "$@"\n`);
    chmodSync(join(bin, 'git'), 0o755);
    const dir = join(scratch, 'repo');
    cpSync(join(ROOT, 'fixtures/projects/too-many-clients-guide'), dir, { recursive: true });
    const git = gitWith(scratch);
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'init');
    const env = { PATH: `${bin}:${process.env['PATH']}`, HOME: scratch, GIT_CONFIG_NOSYSTEM: '1' };
    const statuses = () => readFileSync(log, 'utf8').split('\n').filter((l) => / status /.test(` ${l} `)).length;
    const cold = run(['--cache', '.'], dir, env);
    expect(statuses()).toBe(1);
    const warm = run(['--cache', '.'], dir, env);
    expect(statuses()).toBe(2);
    expect(warm.stdout).toBe(cold.stdout);
    expect(warm.code).toBe(cold.code);
  });

  it('exits as soon as its output is written (D60), with all of it and the exit code: a report larger than a pipe holds', () => {
    const dir = join(scratch, 'many-findings');
    mkdirSync(join(dir, 'src'), { recursive: true });
    // 400 files, each a pool whose client is not released when the query throws: a JSON report far past 64 KiB.
    for (let i = 0; i < 400; i++) writeFileSync(join(dir, 'src', `job${i}.js`), `import { Pool } from 'pg';\nconst pool = new Pool({ max: 2 });\nexport async function job${i}() {\n  const client = await pool.connect();\n  await client.query('select ${i}');\n  client.release();\n}\n`);
    const r = spawnSync(process.execPath, [ENTRY, '--format', 'json', '.'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, PGCONN_LINT_NO_CACHE: '1' } });
    expect(r.stdout.length).toBeGreaterThan(64 * 1024);
    const files = JSON.parse(r.stdout) as Array<{ filePath: string; messages: Array<{ ruleId: string }> }>;
    expect(files.filter((f) => f.messages.some((m) => m.ruleId === 'release-in-finally')).length).toBe(400);
    expect(r.status).toBe(1);
  });
});
