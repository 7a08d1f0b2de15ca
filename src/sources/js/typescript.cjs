// TypeScript is a CommonJS package of 9 MB. Imported from ESM, Node first runs
// cjs-module-lexer over all of it to find named exports (~0.5 s per start);
// required from this CommonJS shim it is just loaded. Import `ts` from here.
// (Not `module.exports = require(...)`: the lexer would follow that re-export.)
//
// Compiling those 9 MB is another ~0.2 s of every run (Node 20 has no
// module.enableCompileCache, added in Node 22.1). So the shim loads it through
// V8's code cache (src/core/code-cache.cjs, shared with the bundled CLI).
//
// And what it loads is, when the build made it, dist/vendor/typescript-parser.cjs: the
// part of TypeScript's bundle the linter's uses reach, 1.9 MB (scripts/ts-parser.mjs,
// docs/decisions.md D60). The full package is loaded instead when that file is missing
// (src/ without a build), was cut from another TypeScript than the one installed, or
// when TypeScript is loaded already (`tsFile`).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
// The code cache (src/core/code-cache.cjs): the same path from src/ and from dist/src/.
const { cacheDir, fnv1a, prune, requireCached } = require('../../core/code-cache.cjs');
const { CUT_PARSER, ENUMS, useCut } = require('./typescript-file.cjs');

/** TypeScript's code cache and shape files: `typescript-<key>.v8cache`, `typescript-<key>.shape.json`. */
const PREFIX = 'typescript';
const KINDS = { '.v8cache': 'v8', '.shape.json': 'shape' };

/** TypeScript's installed version (its package.json), read once. */
let installed;
function installedVersion() {
  if (installed === undefined) {
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('typescript')), '..', 'package.json'), 'utf8'));
    installed = { version: typeof pkg.version === 'string' ? pkg.version : undefined };
  }
  return installed.version;
}

/**
 * The file to load: the parser cut from the installed TypeScript (typescript-file.cjs), else
 * TypeScript itself. Looked up once. TypeScript itself too when it is already loaded (in an
 * editor's ESLint, typescript-eslint's parser loads it before the plugin): the same module then,
 * not a second copy. Which of the two is loaded changes time and memory, never a result (the
 * trees are the same: test/js-pools/typescript-parser.test.ts).
 */
let chosen;
function tsFile() {
  if (chosen !== undefined) return chosen;
  chosen = require.resolve('typescript');
  if (require.cache[chosen]?.loaded === true) return chosen;
  try {
    const file = cutParserFile();
    if (file === undefined) return chosen;
    const fd = fs.openSync(file, 'r');
    let head;
    try {
      // The licence header, then the line that says which TypeScript the file was cut from.
      const buf = Buffer.alloc(2048);
      head = buf.toString('latin1', 0, fs.readSync(fd, buf, 0, buf.length, 0));
    } finally {
      fs.closeSync(fd);
    }
    if (useCut(head, installedVersion())) chosen = file;
  } catch {
    // no parser file: TypeScript itself
  }
  return chosen;
}

/**
 * Where the build put the cut parser: from this module's directory (src/sources/js/, dist/src/sources/js/
 * or dist/bundle/ in cli.cjs), the package's root is at most four directories up; in the ES module
 * bundle (the ESLint plugin: no __dirname) the package's root is found through its own package.json,
 * an export of the package (~3 ms: not the CLI's way).
 */
function cutParserFile() {
  if (typeof __dirname !== 'string') return path.join(path.dirname(require.resolve('pgconn-lint/package.json')), ...CUT_PARSER);
  for (let dir = __dirname, up = 0; up <= 4; up++, dir = path.dirname(dir)) {
    const file = path.join(dir, ...CUT_PARSER);
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

function load() {
  return requireCached(tsFile(), PREFIX, require);
}

/** The shape file of the TypeScript file loaded (`lazy`). */
function shapeFile() {
  const file = tsFile();
  const st = fs.statSync(file);
  const version = installedVersion();
  const dir = cacheDir();
  if (dir === undefined || version === undefined) return undefined;
  return path.join(dir, `typescript-${fnv1a(`${file}\0${st.size}\0${st.mtimeMs}\0${version}\0${process.version}`)}.shape.json`);
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
    prune(path.dirname(file), PREFIX, KINDS);
  } catch {
    // without a shape file TypeScript is loaded at start, as before
  }
}

/**
 * Loading TypeScript costs ~0.3 s of CPU, and a warm run with the facts cache (docs/cache.md)
 * often parses nothing. So `ts` is loaded on first use: the object exported here has, until then,
 * one getter per export of TypeScript that loads it and puts TypeScript's own properties (its
 * getters, so the bindings stay live) in their place. The names of the exports, `version` and
 * the enums modules read when they load (`ENUMS`: plain objects of numbers) are known without loading
 * TypeScript from a small "shape" file beside the code cache, written the first time TypeScript
 * is loaded, keyed by the file loaded (the cut parser or TypeScript), its size and mtime, TypeScript's
 * version and Node's.
 * Without a shape file (the first run, PGCONN_LINT_NO_CACHE=1, an unusable cache directory)
 * TypeScript is loaded at once, as before.
 */
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
  // The parsed shape's own objects, frozen in place: a copy of SyntaxKind's 756 entries cost ~2–7 ms of every start.
  for (const name of ENUMS) Object.defineProperty(shim, name, { value: Object.freeze(shape.enums[name]), enumerable: true, configurable: true, writable: true });
  return shim;
}

module.exports = lazy();
