// V8's code cache for a CommonJS file on Node 20 (issue 11, start-up): TypeScript's 9 MB
// (src/sources/js/typescript.cjs) and the bundled CLI's 2 MB (dist/bundle/cli.cjs, loaded by the
// entry point, scripts/bundle.mjs). Node 22.1+ has module.enableCompileCache (src/cli/compile-cache.ts)
// and Node 20 has nothing for ES modules, so the file is compiled here as a `vm.Script` given
// the cache V8 made in an earlier run, as v8-compile-cache does: compiling from it skips parsing.
//
// The cache lives in a directory of the user's own under the OS temp dir (never one another user
// could have written: V8 would run the code it holds), keyed by the file's path, size and mtime,
// Node's version and a sample of the text. V8 checks the cache against the source's length, its
// own version and its flags, and rejects a stale one (then it is rewritten). Anything unexpected
// falls back to a plain require. PGCONN_LINT_NO_CACHE=1 neither reads nor writes a cache.
'use strict';

const Module = require('node:module');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');
const v8 = require('node:v8');
const { isAscii } = require('node:buffer');

/** `$TMPDIR/pgconn-lint-cache-<uid>`, made 0700; undefined when it is not ours alone. */
function cacheDir() {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const dir = path.join(os.tmpdir(), `pgconn-lint-cache-${uid ?? 'user'}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  // Never read code from a directory someone else could have written (a shared /tmp).
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (process.platform !== 'win32' && (st.mode & 0o022) !== 0)) return undefined;
  return dir;
}

/**
 * A short hex digest (FNV-1a; node:crypto would cost more to load than it saves) of `text`,
 * reading every `step`th character after the first 4,096. V8 only checks a cache against the
 * source's length, so the key also samples the content: npm gives every file the same mtime.
 */
function fnv1a(text, step = 1) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += i < 4096 ? 1 : step) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * Each install (another checkout, a temporary install) has its own keys, so the directory keeps
 * only the most recently written entries: at most KEEP of each kind per prefix, and no temporary
 * file older than an hour. Run when an entry is written (a cache miss), never on a hit. `kinds`
 * maps a file name's ending to its kind.
 */
const KEEP = 16;
function prune(dir, prefix, kinds = { '.v8cache': 'v8' }) {
  try {
    const now = Date.now();
    const entries = [];
    for (const name of fs.readdirSync(dir)) {
      if (!name.startsWith(`${prefix}-`)) continue;
      const p = path.join(dir, name);
      const st = fs.lstatSync(p);
      if (!st.isFile()) continue;
      if (name.endsWith('.tmp')) {
        if (now - st.mtimeMs > 3600_000) fs.unlinkSync(p);
        continue;
      }
      const ending = Object.keys(kinds).find((k) => name.endsWith(k));
      if (ending !== undefined) entries.push({ p, kind: kinds[ending], mtime: st.mtimeMs });
    }
    for (const kind of new Set(Object.values(kinds))) {
      const list = entries.filter((e) => e.kind === kind).sort((a, b) => b.mtime - a.mtime);
      for (const e of list.slice(KEEP)) fs.unlinkSync(e.p);
    }
  } catch {
    // pruning is housekeeping: a failure leaves files behind, nothing else
  }
}

/**
 * A file's text. ASCII decoded as Latin-1 is the same string as decoded as UTF-8, only cheaper
 * (TypeScript is pure ASCII, and the bundle is made so: scripts/bundle.mjs); any other byte is
 * decoded as UTF-8.
 */
function readSource(file) {
  const bytes = fs.readFileSync(file);
  return typeof isAscii === 'function' && isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/**
 * The CLI may have changed V8 flags at run time (src/core/v8-flags.ts), and V8
 * rejects a cache made under other flags: each cache is read and made under the default, through
 * the function v8-flags.ts leaves at this symbol (looked up at each use: it is set after the CLI loads).
 */
function withDefaultFlags(run) {
  const hook = globalThis[Symbol.for('pgconn-lint.with-default-v8-flags')];
  return typeof hook === 'function' ? hook(run) : run();
}

/**
 * `file` (CommonJS) loaded as `require` would, compiled from V8's code cache `<prefix>-<key>.v8cache`
 * when there is a usable one, which is written at exit when there was none or V8 rejected it
 * (at exit, so that it also holds the functions compiled during the run).
 */
function loadWithCodeCache(file, prefix) {
  const source = readSource(file);
  const st = fs.statSync(file);
  const key = fnv1a(`${file}\0${st.size}\0${st.mtimeMs}\0${process.version}\0${process.arch}`) + fnv1a(source, 61);
  const dir = cacheDir();
  const cacheFile = dir === undefined ? undefined : path.join(dir, `${prefix}-${key}.v8cache`);
  let cachedData;
  if (cacheFile !== undefined) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  // V8 rejects a code cache made under other flags. A cache is written at exit, and the CLI may have
  // set --expose-gc by then (src/core/gc.ts), so the flag is set before compiling too: else every
  // run would reject the cache and write it again (~0.25 s of CPU per run for TypeScript).
  try {
    v8.setFlagsFromString('--expose-gc');
  } catch {
    // without it the cache may only be rejected, as before
  }
  const script = withDefaultFlags(() => new vm.Script(Module.wrap(source), { filename: file, cachedData }));
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  // Registered before it runs, as Module._load does: a later require of the file gets this instance.
  require.cache[file] = mod;
  try {
    script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  } catch (err) {
    delete require.cache[file];
    throw err;
  }
  mod.loaded = true;
  if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected)) {
    process.once('exit', () => {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, withDefaultFlags(() => script.createCachedData()), { mode: 0o600 });
        fs.renameSync(tmp, cacheFile);
        prune(dir, prefix);
      } catch {
        // a cache that cannot be written is only slower
      }
    });
  }
  return mod.exports;
}

/** Whether Node's own compile cache is on (Node 22.1+, src/cli/compile-cache.ts): a plain require is then cached by Node. */
function nodeCompileCache() {
  return typeof Module.getCompileCacheDir === 'function' && Module.getCompileCacheDir() !== undefined;
}

/**
 * `file` as `require(file)` gives it, through the code cache when Node has no compile cache of its
 * own, the file was not loaded yet, and PGCONN_LINT_NO_CACHE is unset. `plainRequire` is the
 * caller's `require` (resolution from the caller's place).
 */
function requireCached(file, prefix, plainRequire) {
  if (require.cache[file] !== undefined || process.env.PGCONN_LINT_NO_CACHE || nodeCompileCache()) return plainRequire(file);
  try {
    return loadWithCodeCache(file, prefix);
  } catch {
    return plainRequire(file);
  }
}

module.exports = { cacheDir, fnv1a, prune, requireCached };
