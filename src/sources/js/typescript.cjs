// TypeScript is a CommonJS package of 9 MB. Imported from ESM, Node first runs
// cjs-module-lexer over all of it to find named exports (~0.5 s per start);
// required from this CommonJS shim it is just loaded. Import `ts` from here.
// (Not `module.exports = require(...)`: the lexer would follow that re-export.)
//
// Compiling those 9 MB is another ~0.2 s of every run (Node 20 has no
// module.enableCompileCache, added in Node 22.1). So the shim keeps V8's code
// cache of typescript.js, as v8-compile-cache and Node 22's compile cache do: in
// a directory of the user's own under the OS temp dir, keyed by the TypeScript
// file, its size and mtime, and Node's version. V8 checks the cache against the
// source and its own version and flags, and rejects a stale one (then it is
// rewritten). Anything unexpected falls back to a plain require. Set
// PGCONN_LINT_NO_CACHE=1 to neither read nor write the cache.
'use strict';

const Module = require('node:module');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');

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

function loadWithCodeCache(file) {
  const source = fs.readFileSync(file, 'utf8');
  const st = fs.statSync(file);
  const key = fnv1a(`${file}\0${st.size}\0${st.mtimeMs}\0${process.version}\0${process.arch}`) + fnv1a(source, 61);
  const dir = cacheDir();
  const cacheFile = dir === undefined ? undefined : path.join(dir, `typescript-${key}.v8cache`);
  let cachedData;
  if (cacheFile !== undefined) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  // Registered before it runs, as Module._load does: a later require('typescript') gets this instance.
  require.cache[file] = mod;
  try {
    script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  } catch (err) {
    delete require.cache[file];
    throw err;
  }
  mod.loaded = true;
  if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected)) {
    // Written at exit, so the cache also holds the parser functions compiled during the run.
    process.once('exit', () => {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(tmp, cacheFile);
      } catch {
        // a cache that cannot be written is only slower
      }
    });
  }
  return mod.exports;
}

function load() {
  const file = require.resolve('typescript');
  // Node 22.1+ with its compile cache on (src/cli/compile-cache.ts): a plain require is cached by Node.
  const nodeCache = typeof Module.getCompileCacheDir === 'function' && Module.getCompileCacheDir() !== undefined;
  if (require.cache[file] !== undefined || process.env.PGCONN_LINT_NO_CACHE || nodeCache) return require('typescript');
  try {
    return loadWithCodeCache(file);
  } catch {
    return require('typescript');
  }
}

const ts = load();
module.exports = ts;
