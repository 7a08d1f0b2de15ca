import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { analyzeMem, ROOT } from './helpers.js';
import { resolveValue } from '../../src/sources/js/values.js';
import type { JsModule } from '../../src/sources/js/module.js';

/** Resolves the initializer of `const probe = …` in a.ts (importing from pg so that it is parsed). */
function probe(src: string, extra: Record<string, string> = {}) {
  const a = analyzeMem({ 'a.ts': `import 'pg';\n${src}`, ...extra });
  const m = a.modules.find((x) => x.file === `${ROOT}/a.ts`) as JsModule;
  let init: ts.Expression | undefined;
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === 'probe') init = n.initializer;
    ts.forEachChild(n, visit);
  };
  visit(m.sourceFile);
  const r = resolveValue(init!, m);
  return { value: r.value, provenance: r.provenance };
}

describe('resolveValue', () => {
  test.each([
    ['42', 42],
    ['1_000', 1000],
    ["'x'", 'x'],
    ['`plain`', 'plain'],
    ['-5', -5],
    ['30 * 1000', 30000],
    ['true', true],
    ['null', null],
    ["'a' + 'b'", 'ab'],
  ])('literal %s', (src, value) => {
    expect(probe(`const probe = ${src};`)).toEqual({ value, provenance: { kind: 'literal' } });
  });

  test('const bindings, object paths, spreads, template literals of constants', () => {
    expect(probe(`const N = 5;\nconst probe = N;`)).toMatchObject({ value: 5, provenance: { kind: 'constant', name: 'N' } });
    expect(probe(`const cfg = { db: { max: 7 } };\nconst probe = cfg.db.max;`)).toMatchObject({ value: 7, provenance: { kind: 'constant', name: 'cfg.db.max' } });
    expect(probe(`const base = { max: 3 };\nconst cfg = { ...base };\nconst probe = cfg['max'];`)).toMatchObject({ value: 3 });
    expect(probe('const H = "db";\nconst probe = `postgres://${H}/app`;')).toMatchObject({ value: 'postgres://db/app', provenance: { kind: 'constant' } });
    expect(probe(`const { a: { b } } = { a: { b: 9 } };\nconst probe = b;`)).toMatchObject({ value: 9 });
  });

  test('imported constants, one hop and through re-exports', () => {
    expect(probe(`import { MAX } from './consts';\nconst probe = MAX;`, { 'consts.ts': `export { MAX } from './deep';`, 'deep.ts': `export const MAX = 11;` })).toMatchObject({
      value: 11,
      provenance: { kind: 'constant', name: 'MAX', definedAt: { file: `${ROOT}/deep.ts`, line: 1 } },
    });
    expect(probe(`const c = require('./c.js');\nconst probe = c.max;`, { 'c.js': `module.exports = { max: 6 };` })).toMatchObject({ value: 6 });
  });

  test('environment variables with and without fallbacks', () => {
    expect(probe(`const probe = process.env.X;`)).toEqual({ value: undefined, provenance: { kind: 'env', envVar: 'X' } });
    expect(probe(`const probe = process.env['X'] ?? '5';`)).toEqual({ value: '5', provenance: { kind: 'env', envVar: 'X', fallback: '5' } });
    expect(probe(`const probe = Number(process.env.X ?? 10);`)).toEqual({ value: 10, provenance: { kind: 'env', envVar: 'X', fallback: 10 } });
    expect(probe(`const probe = parseInt(process.env.X || '10', 10);`)).toEqual({ value: 10, provenance: { kind: 'env', envVar: 'X', fallback: '10' } });
    expect(probe(`const probe = +process.env.X!;`)).toEqual({ value: undefined, provenance: { kind: 'env', envVar: 'X' } });
    expect(probe(`const probe = Number(process.env.X) || 10;`)).toEqual({ value: 10, provenance: { kind: 'env', envVar: 'X', fallback: 10 } });
    expect(probe(`const { env } = process;\nconst probe = env.X;`)).toEqual({ value: undefined, provenance: { kind: 'env', envVar: 'X' } });
    expect(probe(`import { env } from 'node:process';\nconst probe = env.X;`)).toEqual({ value: undefined, provenance: { kind: 'env', envVar: 'X' } });
    expect(probe(`const probe = Number(process.env.T ?? 30) * 1000;`)).toEqual({ value: 30000, provenance: { kind: 'env', envVar: 'T', fallback: 30 } });
  });

  test('unknowns: calls, parameters, reassigned lets, conditionals with different branches', () => {
    expect(probe(`declare function f(): number;\nconst probe = f();`).provenance).toMatchObject({ kind: 'unknown', reason: 'result of f()' });
    expect(probe(`function g(n: number) { return n; }\nconst probe = g(1);`).provenance.kind).toBe('unknown');
    expect(probe(`let n = 1;\nn = 2;\nconst probe = n;`).provenance).toMatchObject({ kind: 'unknown', reason: "n: 'n' is reassigned" });
    // two known numbers: the larger is the peak (issue 15); anything else stays unknown
    expect(probe(`declare const c: boolean;\nconst probe = c ? 1 : 2;`)).toEqual({ value: 2, provenance: { kind: 'literal' } });
    expect(probe(`declare const c: boolean;\nconst probe = c ? 'a' : 'b';`).provenance).toMatchObject({ kind: 'unknown', reason: 'conditional expression' });
    expect(probe(`declare const c: boolean;\nconst probe = c ? 3 : 3;`)).toEqual({ value: 3, provenance: { kind: 'literal' } });
    expect(probe('declare const h: string;\nconst probe = `postgres://${h}/db`;').provenance.kind).toBe('unknown');
  });

  test('a shadowed Number or process is not the global', () => {
    expect(probe(`const Number = (x: unknown) => 1;\nconst probe = Number('5');`).provenance.kind).toBe('unknown');
    expect(probe(`const process = { env: { X: '1' } };\nconst probe = process.env.X;`)).toMatchObject({ value: '1', provenance: { kind: 'constant' } });
  });
});
