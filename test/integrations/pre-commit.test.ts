/**
 * The pre-commit hook (.pre-commit-hooks.yaml), run by Debian's pre-commit (`.ci/run`
 * installs it) exactly as a user's repository runs it: pre-commit clones this repository,
 * installs it as a `language: node` hook (npm install, npm pack → prepack builds dist/,
 * npm install -g of the tarball; pre_commit/languages/node.py) and calls `pgconn-lint`
 * with the staged files. Needs the npm registry, not GitHub.
 *
 * The hook repository is a snapshot of this working tree (tracked and untracked files, as
 * they are now), committed to a temporary git repository: `try-repo` on the working tree
 * itself would leave untracked files out of its shadow commit.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { requireBinary } from '../support/real-postgres.js';
import { missingProgramsNote } from '../support/skip-note.js';
import { copyWorkingTree, onPath } from './working-tree.js';

const PRE_COMMIT = onPath('pre-commit') ?? '/usr/bin/pre-commit';
const GIT = onPath('git') ?? '/usr/bin/git';
const have = requireBinary(PRE_COMMIT) && requireBinary(GIT);

const GOOD_BOUNCER = '[databases]\napp = host=db dbname=app\n[pgbouncer]\nlisten_addr = 127.0.0.1\nauth_type = scram-sha-256\n';
/** PgBouncer refuses to start with an unknown setting: line 6. */
const BAD_BOUNCER = GOOD_BOUNCER + 'server_pool_size = 20\n';

const temps: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}

/** The environment of a user's shell: no npm_* variables of `npm test`, no global git config, no colour. */
function userEnv(preCommitHome: string, gitConfig: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|vitest|node_options$|init_cwd$)/i.test(k)) env[k] = v;
  return {
    ...env,
    PRE_COMMIT_HOME: preCommitHome,
    PRE_COMMIT_COLOR: 'never',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: gitConfig,
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
  };
}

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): SpawnSyncReturns<string> & { output_: string } {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 540_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return Object.assign(r, { output_: `${r.stdout}${r.stderr}` });
}

function git(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): string {
  const r = sh(GIT, args, cwd, env);
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.output_}`);
  return r.stdout.trim();
}

/** Commits a copy of the working tree to a new repository; returns its path and commit. */
function snapshotHookRepository(env: NodeJS.ProcessEnv): { path: string; rev: string } {
  const path = join(tempDir('pgconn-lint-hookrepo-'), 'pgconn-lint');
  copyWorkingTree(path, GIT);
  git(path, env, 'init', '-q');
  git(path, env, 'add', '-A', '-f');
  git(path, env, 'commit', '-q', '--no-verify', '-m', 'snapshot');
  return { path, rev: git(path, env, 'rev-parse', 'HEAD') };
}

/** postgresql.conf reserves 3 slots; the include sets max_connections. */
const POSTGRESQL_CONF = "superuser_reserved_connections = 3\nidle_in_transaction_session_timeout = '5min'\ninclude 'conf.d/connections.conf'\n";

/** A user's repository: a committed legacy pgbouncer.ini with a problem, and the given files. */
function userRepository(env: NodeJS.ProcessEnv, files: Record<string, string>): string {
  const dir = tempDir('pgconn-lint-user-');
  git(dir, env, 'init', '-q');
  for (const [rel, text] of Object.entries({ 'legacy/pgbouncer.ini': BAD_BOUNCER, ...files })) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  git(dir, env, 'add', '-A');
  git(dir, env, 'commit', '-q', '--no-verify', '-m', 'initial');
  return dir;
}

describe.skipIf(!have)('pre-commit runs the pgconn-lint hook', missingProgramsNote([PRE_COMMIT, GIT]), () => {
  let env: NodeJS.ProcessEnv;
  let hook: { path: string; rev: string };

  beforeAll(() => {
    const base = tempDir('pgconn-lint-pre-commit-');
    const gitConfig = join(base, 'gitconfig');
    writeFileSync(gitConfig, '[init]\n\tdefaultBranch = main\n');
    env = userEnv(join(base, 'pre-commit-home'), gitConfig);
    hook = snapshotHookRepository(env);
  });
  afterAll(() => {
    for (const d of temps) rmSync(d, { recursive: true, force: true });
  });

  it('pre-commit accepts the hook manifest', () => {
    const r = sh(PRE_COMMIT, ['validate-manifest', join(REPO_ROOT, '.pre-commit-hooks.yaml')], REPO_ROOT, env);
    expect(r.status, r.output_).toBe(0);
  });

  it('pre-commit try-repo reports the finding in a staged pgbouncer.ini and fails', () => {
    const dir = userRepository(env, {});
    writeFileSync(join(dir, 'pgbouncer.ini'), BAD_BOUNCER);
    git(dir, env, 'add', 'pgbouncer.ini');
    const r = sh(PRE_COMMIT, ['try-repo', hook.path, 'pgconn-lint', '--files', 'pgbouncer.ini'], dir, env);
    expect(r.status, r.output_).toBe(1);
    expect(r.output_).toMatch(/^pgconn-lint\.+Failed$/m);
    expect(r.output_).toContain('error[unknown-setting]: PgBouncer 1.25 has no setting "server_pool_size"');
    expect(r.output_).toContain('--> pgbouncer.ini:6:1');
    // The committed legacy file is read (whole repository) but not reported: it was not named.
    expect(r.output_).not.toContain('legacy/pgbouncer.ini');
  }, 600_000);

  it('git commit is refused with the finding, and passes once the file is fixed', () => {
    const config = `repos:\n  - repo: ${hook.path}\n    rev: ${hook.rev}\n    hooks:\n      - id: pgconn-lint\n`;
    const dir = userRepository(env, { '.pre-commit-config.yaml': config, 'db/postgresql.conf': POSTGRESQL_CONF, 'db/conf.d/connections.conf': 'max_connections = 100\n' });
    const install = sh(PRE_COMMIT, ['install'], dir, env);
    expect(install.status, install.output_).toBe(0);

    writeFileSync(join(dir, 'pgbouncer.ini'), BAD_BOUNCER);
    git(dir, env, 'add', 'pgbouncer.ini');
    const refused = sh(GIT, ['commit', '-m', 'bad pool setting'], dir, env);
    expect(refused.status, refused.output_).not.toBe(0);
    expect(refused.output_).toMatch(/^pgconn-lint\.+Failed$/m);
    expect(refused.output_).toContain('error[unknown-setting]');
    expect(refused.output_).toContain('--> pgbouncer.ini:6:1');
    expect(refused.output_).not.toContain('legacy/pgbouncer.ini');
    expect(git(dir, env, 'rev-list', '--count', 'HEAD')).toBe('1');

    writeFileSync(join(dir, 'pgbouncer.ini'), GOOD_BOUNCER);
    git(dir, env, 'add', 'pgbouncer.ini');
    const passed = sh(GIT, ['commit', '-m', 'fixed'], dir, env);
    expect(passed.status, passed.output_).toBe(0);
    expect(passed.output_).toMatch(/^pgconn-lint\.+Passed$/m);
    expect(git(dir, env, 'rev-list', '--count', 'HEAD')).toBe('2');

    // Only the include is staged; the finding is judged with the postgresql.conf that reads it
    // and reported at the reserved slots there, the staged line being a related location.
    writeFileSync(join(dir, 'db/conf.d/connections.conf'), 'max_connections = 3\n');
    git(dir, env, 'add', 'db/conf.d/connections.conf');
    const context = sh(GIT, ['commit', '-m', 'fewer connections'], dir, env);
    expect(context.status, context.output_).not.toBe(0);
    expect(context.output_).toContain('error[reserved-connections]');
    expect(context.output_).toContain('--> db/postgresql.conf:1:');
    expect(context.output_).toContain('db/conf.d/connections.conf:1:');
    expect(git(dir, env, 'rev-list', '--count', 'HEAD')).toBe('2');
  }, 600_000);

  it('with a baseline, a commit is refused only for the findings it adds (issue 12)', () => {
    const config = `repos:\n  - repo: ${hook.path}\n    rev: ${hook.rev}\n    hooks:\n      - id: pgconn-lint\n`;
    const dir = userRepository(env, { '.pre-commit-config.yaml': config });
    // The legacy pgbouncer.ini's finding is recorded, as a user adopting pgconn-lint does.
    const suppress = sh(process.execPath, [join(REPO_ROOT, 'dist/src/cli/bin.js'), '--suppress-all'], dir, env);
    expect(suppress.stderr).toContain('1 finding recorded in pgconn-lint-suppressions.json');
    git(dir, env, 'add', 'pgconn-lint-suppressions.json');
    expect(sh(GIT, ['commit', '-m', 'baseline'], dir, env).status).toBe(0);
    expect(sh(PRE_COMMIT, ['install'], dir, env).status).toBe(0);

    // Lines moved in the legacy file: its recorded finding does not block the commit.
    writeFileSync(join(dir, 'legacy/pgbouncer.ini'), '; legacy pooler\n' + BAD_BOUNCER);
    git(dir, env, 'add', 'legacy/pgbouncer.ini');
    const moved = sh(GIT, ['commit', '-m', 'comment'], dir, env);
    expect(moved.status, moved.output_).toBe(0);
    expect(moved.output_).toMatch(/^pgconn-lint\.+Passed$/m);

    // One more finding of the rule in that file: refused, with all of them (a new one cannot be told from the old by position).
    writeFileSync(join(dir, 'legacy/pgbouncer.ini'), '; legacy pooler\n' + BAD_BOUNCER + 'server_pool_max = 5\n');
    git(dir, env, 'add', 'legacy/pgbouncer.ini');
    const added = sh(GIT, ['commit', '-m', 'another setting'], dir, env);
    expect(added.status, added.output_).not.toBe(0);
    expect(added.output_).toContain('--> legacy/pgbouncer.ini:7:1');
    expect(added.output_).toContain('--> legacy/pgbouncer.ini:8:1');
    git(dir, env, 'checkout', 'HEAD', '--', 'legacy/pgbouncer.ini');

    // Emptying the baseline re-judges every file (the hook runs on the staged baseline).
    writeFileSync(join(dir, 'pgconn-lint-suppressions.json'), '{}\n');
    git(dir, env, 'add', 'pgconn-lint-suppressions.json');
    const emptied = sh(GIT, ['commit', '-m', 'drop the baseline'], dir, env);
    expect(emptied.status, emptied.output_).not.toBe(0);
    expect(emptied.output_).toContain('--> legacy/pgbouncer.ini:7:1');
    expect(git(dir, env, 'rev-list', '--count', 'HEAD')).toBe('3');
  }, 600_000);
});
