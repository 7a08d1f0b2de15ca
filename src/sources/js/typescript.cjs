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
const v8 = require('node:v8');
const { isAscii } = require('node:buffer');

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
 * Each TypeScript install (another checkout, a temporary install) has its own key, so the
 * directory keeps only the most recently written entries: at most KEEP of each kind, and no
 * temporary file older than an hour. Run when an entry is written (a cache miss), never on a hit.
 */
const KEEP = 16;
function prune(dir) {
  try {
    const now = Date.now();
    const entries = [];
    for (const name of fs.readdirSync(dir)) {
      if (!name.startsWith('typescript-')) continue;
      const p = path.join(dir, name);
      const st = fs.lstatSync(p);
      if (!st.isFile()) continue;
      if (name.endsWith('.tmp')) {
        if (now - st.mtimeMs > 3600_000) fs.unlinkSync(p);
        continue;
      }
      entries.push({ p, kind: name.endsWith('.v8cache') ? 'v8' : 'shape', mtime: st.mtimeMs });
    }
    for (const kind of ['v8', 'shape']) {
      const list = entries.filter((e) => e.kind === kind).sort((a, b) => b.mtime - a.mtime);
      for (const e of list.slice(KEEP)) fs.unlinkSync(e.p);
    }
  } catch {
    // pruning is housekeeping: a failure leaves files behind, nothing else
  }
}

/**
 * TypeScript's source as a string. It is pure ASCII, and ASCII decoded as Latin-1 is the same
 * string as decoded as UTF-8, only cheaper (~30 ms of a cold run); any other byte is decoded as UTF-8.
 */
function readSource(file) {
  const bytes = fs.readFileSync(file);
  return typeof isAscii === 'function' && isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

function loadWithCodeCache(file) {
  const source = readSource(file);
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
  // V8 rejects a code cache made under other flags. The cache is written at exit, and the CLI may
  // have set --expose-gc by then (src/core/gc.ts), so the flag is set before compiling too: else
  // every run rejected the cache and wrote it again (~0.25 s of CPU per run that parses).
  try {
    v8.setFlagsFromString('--expose-gc');
  } catch {
    // without it the cache may only be rejected, as before
  }
  // The CLI may have changed a V8 flag at run time (src/core/gc.ts `capYoungGeneration`): the cache
  // is then read and made under the default, so that every process agrees on one.
  const withDefaultFlags = globalThis[Symbol.for('pgconn-lint.with-default-v8-flags')] ?? ((run) => run());
  const script = withDefaultFlags(() => new vm.Script(Module.wrap(source), { filename: file, cachedData }));
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
        fs.writeFileSync(tmp, withDefaultFlags(() => script.createCachedData()), { mode: 0o600 });
        fs.renameSync(tmp, cacheFile);
        prune(dir);
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

/**
 * Loading TypeScript costs ~0.3 s of CPU, and a warm run with the facts cache (docs/cache.md)
 * often parses nothing. So `ts` is loaded on first use: the object exported here has, until then,
 * one getter per export of TypeScript that loads it and puts TypeScript's own properties (its
 * getters, so the bindings stay live) in their place. The names of the exports, `version` and
 * the enums modules read when they load (`ENUMS`: plain objects of numbers) are known without loading
 * TypeScript from a small "shape" file beside the code cache, written the first time TypeScript
 * is loaded, keyed by the TypeScript file, its size, mtime and package version, and Node's version.
 * Without a shape file (the first run, PGCONN_LINT_NO_CACHE=1, an unusable cache directory)
 * TypeScript is loaded at once, as before.
 */
/** TypeScript's enums (plain objects of numbers and names) that modules read when they load. */
const ENUMS = ['SyntaxKind', 'ScriptTarget', 'ScriptKind', 'JSDocParsingMode', 'NodeFlags', 'ModifierFlags', 'TokenFlags', 'LanguageVariant'];

function shapeFile() {
  const file = require.resolve('typescript');
  const st = fs.statSync(file);
  const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(file), '..', 'package.json'), 'utf8'));
  const dir = cacheDir();
  if (dir === undefined || typeof pkg.version !== 'string') return undefined;
  return path.join(dir, `typescript-${fnv1a(`${file}\0${st.size}\0${st.mtimeMs}\0${pkg.version}\0${process.version}`)}.shape.json`);
}

function readShape(file) {
  try {
    const shape = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (shape === null || typeof shape !== 'object' || typeof shape.version !== 'string' || !Array.isArray(shape.keys) || shape.enums === null || typeof shape.enums !== 'object') return undefined;
    if (!shape.keys.every((k) => typeof k === 'string')) return undefined;
    for (const name of ENUMS) {
      const e = shape.enums[name];
      if (e === null || typeof e !== 'object' || !Object.values(e).every((v) => typeof v === 'number' || typeof v === 'string')) return undefined;
    }
    return shape;
  } catch {
    return undefined;
  }
}

function writeShape(file, real) {
  try {
    const enums = {};
    for (const name of ENUMS) enums[name] = { ...real[name] };
    const shape = { version: real.version, keys: Object.getOwnPropertyNames(real), enums };
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(shape), { mode: 0o600 });
    fs.renameSync(tmp, file);
    prune(path.dirname(file));
  } catch {
    // without a shape file TypeScript is loaded at start, as before
  }
}

function lazy() {
  let file;
  try {
    file = process.env.PGCONN_LINT_NO_CACHE ? undefined : shapeFile();
  } catch {
    file = undefined;
  }
  const shape = file === undefined ? undefined : readShape(file);
  if (shape === undefined) {
    const real = load();
    if (file !== undefined) writeShape(file, real);
    return real;
  }
  // The shim's prototype is a proxy that loads TypeScript when a property the shim does not have
  // yet is read or written; loading puts TypeScript's own properties on the shim and drops the
  // proxy, so every later access is a plain property read. (One getter per export, ~2,250
  // closures, cost ~25 ms of every start; the proxy costs nothing until it is used.)
  const keys = new Set(shape.keys);
  let loaded = false;
  let shim;
  const materialize = () => {
    if (loaded) return;
    loaded = true;
    const real = load();
    Object.setPrototypeOf(shim, Object.getPrototypeOf(real));
    for (const k of Object.getOwnPropertyNames(real)) Object.defineProperty(shim, k, Object.getOwnPropertyDescriptor(real, k));
    // Another TypeScript under the same key (cannot happen short of editing node_modules in place): rewrite the shape.
    if (real.version !== shape.version) writeShape(file, real);
  };
  const isExport = (k) => typeof k === 'string' && keys.has(k);
  shim = Object.create(
    new Proxy(Object.create(null), {
      get(_t, k, receiver) {
        // Not one of TypeScript's exports (a symbol, `__esModule`, `toString`): what an object has.
        if (!isExport(k)) return Reflect.get(Object.prototype, k, receiver);
        materialize();
        return shim[k];
      },
      set(_t, k, v, receiver) {
        if (isExport(k)) {
          materialize();
          shim[k] = v;
          return true;
        }
        return Reflect.defineProperty(receiver, k, { value: v, writable: true, enumerable: true, configurable: true });
      },
      has(_t, k) {
        return isExport(k) || k in Object.prototype;
      },
    }),
  );
  // Read without loading TypeScript: plain values, the same as TypeScript's (checked by the shape's key).
  Object.defineProperty(shim, 'version', { value: shape.version, enumerable: true, configurable: true, writable: true });
  for (const name of ENUMS) Object.defineProperty(shim, name, { value: Object.freeze({ ...shape.enums[name] }), enumerable: true, configurable: true, writable: true });
  return shim;
}

module.exports = lazy();
