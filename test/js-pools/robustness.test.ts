import { describe, expect, test } from 'vitest';
import { parseJsFile } from '../../src/sources/js/parse.js';
import { analyzeMem, modelOf } from './helpers.js';

describe('inputs that must not crash', () => {
  test('a syntax error is a located problem; the pool before it is still found', () => {
    const a = analyzeMem({ 'db.ts': `import { Pool } from 'pg';\nexport const pool = new Pool({ max: 3 });\nexport function broken( {\n` });
    expect(a.pools.map((p) => p.max.value)).toEqual([3]);
    expect(a.problems).toHaveLength(1);
    expect(a.problems[0]).toMatchObject({ message: expect.stringMatching(/^Syntax error: /), range: { file: '/repo/db.ts', line: 4 } });
  });

  test('a file with only a comment', () => {
    expect(parseJsFile('// import { Pool } from "pg"\n', 'a.js').problems).toEqual([]);
    const a = analyzeMem({ 'a.js': '/* new Pool() from "pg" */' });
    expect(a.pools).toEqual([]);
    expect(a.problems).toEqual([]);
  });

  test('a 5,000-line file', () => {
    const lines = [`import { Pool } from 'pg';`, `export const pool = new Pool({ max: 8 });`];
    for (let i = 0; i < 5000; i++) lines.push(`export async function q${i}(id: number) { return pool.query('select ${i} where id = $1', [id]); }`);
    const t = performance.now();
    const m = modelOf({ 'big.ts': lines.join('\n') });
    expect(m.pools.map((p) => p.max.value)).toEqual([8]);
    expect(performance.now() - t).toBeLessThan(10_000);
  });

  test('a 5,000-level nested expression: a warning, no crash', () => {
    const text = `import { Pool } from 'pg';\nconst x = ${'('.repeat(5000)}1${')'.repeat(5000)};\n`;
    const r = parseJsFile(text, 'deep.ts');
    // TypeScript's recursive parser overflows the stack well before 5,000 levels
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ severity: 'warning', message: expect.stringContaining('nested too deeply'), range: { line: 2 } });
    const a = analyzeMem({ 'deep.ts': text });
    expect(a.pools).toEqual([]);
    expect(a.problems).toHaveLength(1);
  });

  test('a 100,000-term flat expression and a deep option value are walked without recursion', () => {
    const text = `import { Pool } from 'pg';\nconst n = ${'1 + '.repeat(100_000)}1;\nexport const pool = new Pool({ max: n });\n`;
    const a = analyzeMem({ 'long.ts': text });
    expect(a.pools).toHaveLength(1);
    expect(a.pools[0]!.max.provenance.kind).toBe('unknown');
  });

  test('odd code around constructions', () => {
    const m = modelOf({
      'odd.ts': `import * as pg from 'pg';
const k = 'Pool';
export const a = new pg[k]();
export const b = new (pg as any).Pool({ max: undefined });
export const c = new pg.Pool(...[{ max: 1 }]);
export const d = new pg.Pool({ ['max']: 4, get idleTimeoutMillis() { return 1; } });
const self = { x: self };
export const e = new pg.Pool({ max: self.x });`,
    });
    // line 3: a computed member (`pg[k]`) is not followed
    expect(m.pools.map((p) => [p.range.line, p.max.value])).toEqual([
      [4, 10],
      [5, null],
      [6, 4],
      [8, null],
    ]);
  });
});
