#!/usr/bin/env node
// Checks out the repositories of manifest.json at their pinned commits, outside
// the project (default /tmp/rw/<owner>+<name>), for run.mjs to lint. Their code is
// never committed: the destination must not be inside this repository.
//
//   node bench/realworld/fetch.mjs [--repo owner/name|name] [--dest DIR] [--mirror DIR] [--force]
//
// Source of each repository, first found:
//   --mirror DIR   a folder of git directories named <owner>+<name> (a bare git dir,
//                  or one with repo/ or repo/.git inside, as snapshot tools leave them);
//   otherwise      `git fetch --depth 1` of the pinned commit from GitHub into
//                  DEST/.git-cache/<owner>+<name>.git.
// Blobs the source lacks (snapshots may omit files of 4 MiB and more) are left out
// and listed in DEST/<owner>+<name>/.pgconn-rw-missing.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const projectRoot = resolve(here, '..', '..');

function parseArgs(argv) {
  const args = { repos: [], dest: process.env.PGCONN_RW_DIR || '/tmp/rw', mirror: null, force: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--repo') args.repos.push(argv[++i]);
    else if (a === '--dest') args.dest = argv[++i];
    else if (a === '--mirror') args.mirror = argv[++i];
    else if (a === '--force') args.force = true;
    else if (a === '-h' || a === '--help') {
      console.log('usage: node bench/realworld/fetch.mjs [--repo owner/name] [--dest DIR] [--mirror DIR] [--force]');
      process.exit(0);
    } else {
      console.error(`unknown argument: ${a}`);
      process.exit(2);
    }
  }
  return args;
}

export function loadManifest() {
  return JSON.parse(readFileSync(join(here, 'manifest.json'), 'utf8'));
}

export function dirName(repo) {
  return repo.replace('/', '+');
}

export function selectRepos(manifest, wanted) {
  if (wanted.length === 0) return manifest.repositories;
  const out = [];
  for (const w of wanted) {
    const hit = manifest.repositories.filter(
      (r) => r.repo === w || r.repo.split('/')[1] === w || dirName(r.repo) === w,
    );
    if (hit.length === 0) {
      console.error(`no repository "${w}" in manifest.json`);
      process.exit(2);
    }
    out.push(...hit);
  }
  return out;
}

function git(gitDir, args, opts = {}) {
  return execFileSync('git', [`--git-dir=${gitDir}`, ...args], { maxBuffer: 1 << 30, ...opts });
}

function mirrorGitDir(mirror, repo) {
  const base = join(mirror, dirName(repo));
  for (const c of [join(base, 'repo', '.git'), join(base, 'repo'), base]) {
    if (existsSync(join(c, 'HEAD')) && existsSync(join(c, 'objects'))) return c;
  }
  return null;
}

function cloneGitDir(dest, repo, commit) {
  const gitDir = join(dest, '.git-cache', `${dirName(repo)}.git`);
  if (!existsSync(gitDir)) {
    mkdirSync(gitDir, { recursive: true });
    execFileSync('git', ['init', '--bare', '-q', gitDir]);
    git(gitDir, ['remote', 'add', 'origin', `https://github.com/${repo}.git`]);
  }
  const has = spawnSync('git', [`--git-dir=${gitDir}`, 'cat-file', '-e', `${commit}^{commit}`]);
  if (has.status !== 0) git(gitDir, ['fetch', '-q', '--depth', '1', 'origin', commit], { stdio: 'inherit' });
  return gitDir;
}

function exitCode(child) {
  return new Promise((res) => child.on('close', (code) => res(code)));
}

async function checkout(gitDir, commit, target) {
  const tree = git(gitDir, ['ls-tree', '-r', '-z', commit]).toString('utf8').split('\0').filter(Boolean);
  const blobs = [];
  for (const line of tree) {
    const tab = line.indexOf('\t');
    const [, type, sha] = line.slice(0, tab).split(' ');
    if (type === 'blob') blobs.push({ sha, path: line.slice(tab + 1) });
  }
  const check = git(gitDir, ['cat-file', '--batch-check'], { input: blobs.map((b) => b.sha).join('\n') + '\n' })
    .toString('utf8')
    .split('\n');
  const missing = blobs.filter((_, i) => check[i]?.endsWith(' missing')).map((b) => b.path);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const pathspec = ['.', ...missing.map((p) => `:(exclude,literal)${p}`)];
  // git archive | tar -x, without a shell (paths are passed as arguments).
  const archive = spawn('git', [`--git-dir=${gitDir}`, 'archive', '--format=tar', commit, '--', ...pathspec], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // git names absent blobs on stderr even when the pathspec excludes them: shown only on failure.
  let archiveErr = '';
  archive.stderr.on('data', (d) => (archiveErr += d));
  const untar = spawn('tar', ['-x', '-C', target], { stdio: ['pipe', 'inherit', 'inherit'] });
  archive.stdout.pipe(untar.stdin);
  const [a, t] = await Promise.all([exitCode(archive), exitCode(untar)]);
  if (a !== 0) throw new Error(`git archive exited with ${a}: ${archiveErr.trim()}`);
  if (t !== 0) throw new Error(`tar exited with ${t}`);
  // A git repository with that one commit, as a user's clone has: the linter asks git which
  // files are committed (plaintext-credentials). -f: every file came from the commit, even
  // ones its own .gitignore names.
  const work = ['-C', target, '-c', 'user.name=pgconn-lint bench', '-c', 'user.email=bench@invalid', '-c', 'core.autocrlf=false'];
  execFileSync('git', ['init', '-q', target]);
  execFileSync('git', [...work, 'add', '-A', '-f', '.'], { maxBuffer: 1 << 28 });
  execFileSync('git', [...work, 'commit', '-q', '--no-verify', '-m', `${commit} (checked out by pgconn-lint bench/realworld)`]);
  // Outside the commit, so they never count as files of the repository.
  const exclude = join(target, '.git', 'info', 'exclude');
  writeFileSync(exclude, '/.pgconn-rw-missing\n/.pgconn-rw-commit\n', { flag: 'a' });
  if (missing.length > 0) writeFileSync(join(target, '.pgconn-rw-missing'), missing.join('\n') + '\n');
  writeFileSync(join(target, '.pgconn-rw-commit'), commit + '\n');
  return missing.length;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const dest = resolve(args.dest);
  const rel = relative(projectRoot, dest);
  if (!rel.startsWith('..') && !isAbsolute(rel)) {
    console.error(`refusing to check out into ${dest}: it is inside this repository (their code is never committed)`);
    process.exit(2);
  }
  const manifest = loadManifest();
  for (const r of selectRepos(manifest, args.repos)) {
    const target = join(dest, dirName(r.repo));
    const stamp = join(target, '.pgconn-rw-commit');
    if (!args.force && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === r.commit) {
      console.log(`${r.repo}: already at ${r.commit.slice(0, 12)}`);
      continue;
    }
    try {
      const gitDir = (args.mirror && mirrorGitDir(args.mirror, r.repo)) || cloneGitDir(dest, r.repo, r.commit);
      const missing = await checkout(gitDir, r.commit, target);
      console.log(`${r.repo}: ${r.commit.slice(0, 12)} → ${target}${missing ? ` (${missing} blobs absent)` : ''}`);
    } catch (e) {
      console.error(`${r.repo}: not fetched: ${e.message.split('\n')[0]}`);
      process.exitCode = 1;
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
