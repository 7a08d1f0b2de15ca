/**
 * Start-up (issue 11): TypeScript is loaded on first use. A warm run with the facts cache may parse
 * nothing, so `ts` is a stand-in until a property other than `version` or an enum is read; its
 * enums are TypeScript's own, and once loaded every export is TypeScript's (src/sources/js/typescript.cjs).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SHIM = resolve(__dirname, '../../src/sources/js/typescript.cjs');
/** What the shim loads: the parser the build cut from TypeScript (npm test builds first; D60). */
const LOADED = resolve(__dirname, '../../dist/vendor/typescript-parser.cjs');
const tmp = mkdtempSync(join(tmpdir(), 'pgconn-lint-ts-lazy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs `script` in a fresh Node with the shim as `ts` and `loaded()` telling whether TypeScript (the file it loads, `LOADED`) was loaded. */
function run(script: string, env: Record<string, string> = {}): string {
  const code = `const ts = require(${JSON.stringify(SHIM)}); const LOADED = ${JSON.stringify(LOADED)}; const loaded = () => Object.keys(require.cache).includes(LOADED); ${script}`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: { ...process.env, TMPDIR: tmp, PGCONN_LINT_NO_CACHE: '', ...env } });
  expect(r.stderr).toBe('');
  return r.stdout.trim();
}

describe('the TypeScript loader', () => {
  it('loads TypeScript at once the first time (no shape yet), and writes the shape', () => {
    expect(run('console.log(loaded())')).toBe('true');
    const dir = readdirSync(tmp).find((n) => n.startsWith('pgconn-lint-cache-'))!;
    expect(readdirSync(join(tmp, dir)).some((n) => n.endsWith('.shape.json'))).toBe(true);
  });

  it('then does not load it for version and enums, which are TypeScript’s own', () => {
    const out = run(`
      const v = ts.version, sk = ts.SyntaxKind, st = ts.ScriptTarget.Latest, before = loaded();
      const real = require('typescript');
      const same = ['SyntaxKind', 'ScriptTarget', 'ScriptKind', 'JSDocParsingMode', 'NodeFlags', 'ModifierFlags', 'TokenFlags', 'LanguageVariant'].every((e) => JSON.stringify(Object.entries(ts[e]).sort()) === JSON.stringify(Object.entries(real[e]).sort()));
      console.log(JSON.stringify({ before, v: v === real.version, sk: sk.Identifier === real.SyntaxKind.Identifier && sk[real.SyntaxKind.Identifier] === 'Identifier', st: st === real.ScriptTarget.Latest, same }));`);
    expect(JSON.parse(out)).toEqual({ before: false, v: true, sk: true, st: true, same: true });
  });

  it('loads TypeScript on first use of anything else, and then every export is TypeScript’s', () => {
    const out = run(`
      const sf = ts.createSourceFile('a.ts', 'const x = 1;', ts.ScriptTarget.Latest);
      const real = require(LOADED);
      const names = Object.getOwnPropertyNames(real);
      const same = names.every((k) => ts[k] === real[k]);
      console.log(JSON.stringify({ loaded: loaded(), kind: sf.kind === real.SyntaxKind.SourceFile, same, count: names.length === Object.getOwnPropertyNames(ts).length }));`);
    expect(JSON.parse(out)).toEqual({ loaded: true, kind: true, same: true, count: true });
  });

  it('keeps at most 16 entries of each kind in its cache directory, dropping the oldest when it writes one', () => {
    const own = mkdtempSync(join(tmpdir(), 'pgconn-lint-ts-prune-'));
    try {
      const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
      const dir = join(own, `pgconn-lint-cache-${uid}`);
      mkdirSync(dir, { mode: 0o700 });
      const old = new Date(Date.now() - 86_400_000);
      for (let i = 0; i < 20; i++) {
        for (const ext of ['v8cache', 'shape.json']) {
          const f = join(dir, `typescript-old${i}.${ext}`);
          writeFileSync(f, 'x', { mode: 0o600 });
          utimesSync(f, old, old);
        }
      }
      writeFileSync(join(dir, 'typescript-stale.v8cache.1.tmp'), 'x', { mode: 0o600 });
      utimesSync(join(dir, 'typescript-stale.v8cache.1.tmp'), old, old);
      writeFileSync(join(dir, 'unrelated.txt'), 'x');
      // No shape for this install yet: TypeScript is loaded, its shape written, its code cache at exit.
      run('console.log(loaded())', { TMPDIR: own });
      const names = readdirSync(dir);
      expect(names.filter((n) => n.endsWith('.v8cache')).length).toBe(16);
      expect(names.filter((n) => n.endsWith('.shape.json')).length).toBe(16);
      expect(names.filter((n) => !n.startsWith('typescript-old') && n.startsWith('typescript-')).length).toBe(2);
      expect(names).toContain('unrelated.txt');
      expect(names.some((n) => n.endsWith('.tmp'))).toBe(false);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('keeps a code cache the next run accepts, also after a run that set --expose-gc (src/core/gc.ts)', () => {
    const own = mkdtempSync(join(tmpdir(), 'pgconn-lint-ts-gc-'));
    // Each run loads TypeScript, sets --expose-gc late as collectGarbage does, and says whether
    // V8 rejected the code cache it was given (a rejected cache is rewritten at exit: ~0.25 s).
    const spy = `const vm = require('node:vm'); const S = vm.Script; let rejected = 'none';
      vm.Script = class extends S { constructor(src, o) { super(src, o); if (o && o.cachedData) rejected = String(this.cachedDataRejected); } };`;
    const script = `${spy} const ts2 = require(${JSON.stringify(SHIM)}); ts2.createSourceFile('a.ts', '1', 99); require('node:v8').setFlagsFromString('--expose-gc'); console.log(rejected);`;
    const once = () => spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, TMPDIR: own, PGCONN_LINT_NO_CACHE: '' } }).stdout.trim();
    try {
      once();
      once();
      expect([once(), once()]).toEqual(['false', 'false']);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('loads TypeScript at once with PGCONN_LINT_NO_CACHE', () => {
    expect(run('console.log(loaded())', { PGCONN_LINT_NO_CACHE: '1' })).toBe('true');
  });
});
