#!/usr/bin/env node
// The I/O floor of the speed benchmark: walks a tree with the linter's skip rules and reads every
// file it would walk, doing nothing else. Prints { files, bytes, codeFiles, codeBytes } as JSON.
//
//   node bench/io-floor.mjs <dir>
//
// Skip rules, as in src/discovery/discover.ts: directories named node_modules, dist, build, .git
// are not entered; .gitignore files apply from the repository root (nearest ancestor with .git)
// down, each to its own directory, a deeper one's matching pattern over a shallower one's;
// symbolic links are followed, a directory reached twice (through a link loop) is read once;
// entries are visited in sorted order. Files are read as bytes (readFileSync without decoding):
// the cheapest way Node can read them.

import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ignore from 'ignore';

const IGNORED_DIRS = new Set(['node_modules', 'dist', 'build', '.git']);
const CODE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

const toPosix = (p) => (sep === '/' ? p : p.split(sep).join('/'));

function loadGitignore(dir) {
  const p = join(dir, '.gitignore');
  if (!existsSync(p)) return null;
  try {
    return ignore().add(readFileSync(p, 'utf8'));
  } catch {
    return null;
  }
}

function findRepoRoot(start) {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const up = dirname(dir);
    if (up === dir) return start;
    dir = up;
  }
}

/** `visit(path, bytes)`, when given, sees every file read (bench/parse-floor.mjs parses some of them). */
export function readTree(target, visit) {
  const start = resolve(target);
  const root = findRepoRoot(start);
  let files = 0;
  let bytes = 0;
  let codeFiles = 0;
  let codeBytes = 0;
  const visited = new Set();

  // The deepest .gitignore with a matching pattern decides (a `!` pattern re-includes), as git and discovery do.
  const ignored = (abs, isDir, layers) => {
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i];
      const rel = toPosix(relative(layer.dir, abs));
      if (rel === '' || rel.startsWith('..')) continue;
      const r = layer.ig.test(isDir ? `${rel}/` : rel);
      if (r.ignored) return true;
      if (r.unignored) return false;
    }
    return false;
  };

  const walk = (dir, layers, depth) => {
    let real;
    try {
      real = realpathSync(dir);
    } catch {
      return;
    }
    if (visited.has(real) || depth > 64) return;
    visited.add(real);
    const own = loadGitignore(dir);
    const here = own ? [...layers, { dir, ig: own }] : layers;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const abs = join(dir, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const st = statSync(abs);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue;
        }
      }
      if (isDir) {
        if (IGNORED_DIRS.has(e.name) || ignored(abs, true, here)) continue;
        walk(abs, here, depth + 1);
      } else if (isFile) {
        if (ignored(abs, false, here)) continue;
        let n = 0;
        try {
          const buf = readFileSync(abs);
          n = buf.length;
          if (visit) visit(abs, buf);
        } catch {
          continue;
        }
        files++;
        bytes += n;
        if (CODE.test(e.name)) {
          codeFiles++;
          codeBytes += n;
        }
      }
    }
  };

  // .gitignore files between the repository root and the target apply too.
  const layers = [];
  const chain = [];
  for (let d = dirname(start); d.startsWith(root) && d !== dirname(root); d = dirname(d)) {
    chain.unshift(d);
    if (d === root) break;
  }
  for (const d of chain) {
    const ig = loadGitignore(d);
    if (ig) layers.push({ dir: d, ig });
  }
  walk(start, layers, 0);
  return { files, bytes, codeFiles, codeBytes };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('Usage: node bench/io-floor.mjs <dir>\n');
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(readTree(dir)) + '\n');
}
