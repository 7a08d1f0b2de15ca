/**
 * Small sources that hold, between them, a node of every kind of syntax tree the analysed code
 * is likely to have, each made the way TypeScript's parser makes it. src/sources/js/parse.ts
 * parses them once and keeps their trees for the whole run, so that V8 keeps the maps ("hidden
 * classes") of TypeScript's nodes alive (docs/decisions.md D58).
 *
 * Why: V8 holds a map through its parent's transitions weakly, and a map that no live object
 * uses dies at a full collection; optimized code that embeds a dead map is thrown away ("marking
 * dependent code for deoptimization, reason: weak objects", `node --trace-deopt`). TypeScript gives
 * each kind of node its shape by adding that kind's properties in its factory function, so a
 * kind's map lives only as long as some node of that kind does. A cold run drops each part's
 * trees and collects before the next part (src/facts/build.ts): without a tree kept, every node
 * map died at each collection, and TurboFan compiled the parser's and the analyses' functions
 * again for the next part's new maps (297 such deoptimizations and 673 compilations at 50,000
 * files; 39 and 466 with these trees kept).
 *
 * The texts must parse without a syntax error (test/js-pools/node-shapes.test.ts), and they are
 * never analysed: nothing but parse.ts sees them.
 */

/** TypeScript (the TSX sample below holds JSX, where a `<T>x` assertion cannot be written). */
const TS_SAMPLE = [
  "import def, { named as alias, type Other } from './a';",
  "import * as ns from 'b';",
  "import type { OnlyType } from 'c';",
  "import eq = require('d');",
  "import './side-effect';",
  "export * from 'e';",
  "export * as nsOut from 'f';",
  'export { alias as renamed, def };',
  "export type { Other } from './a';",
  "declare module 'g' { export const q: number; }",
  'declare global { interface Window { x: number } }',
  'declare const declared: string;',
  'declare function declaredFn(a: number): void;',
  "const { a, b: [c, ...d] = [], ...rest } = ns as unknown as any, [e, , f = 1] = [1, 2, 3];",
  'let n = 0x1f + 0o17 + 0b101 + 1_000 + 1.5e-3 + .5, big = 10n;',
  'var s = `t${n}u${`v${big}`}w`, re = /a[b-c]+\\/(?<g>d)*$/giu, tag = String.raw`x${n}`;',
  "const o = { a, [c]: 1, ...rest, m() {}, async am() {}, *g() {}, get p() { return 1; }, set p(v) {}, 'q-r': 2, 3: 4 };",
  'n += 1; n -= 1; n *= 2; n /= 2; n %= 3; n **= 2; n <<= 1; n >>= 1; n >>>= 1; n &= 1; n |= 1; n ^= 1; n &&= 1; n ||= 1; n ??= 1;',
  'n = n++ + ++n - n-- - --n, !n, ~n, -n, +n, typeof n, void n, n in o, n instanceof Object;',
  'n = n + n - n * n / n % n ** n << n >> n >>> n & n | n ^ n, delete o.a, f(...rest), [...rest], `plain`;',
  'const t = o?.a?.[c]?.(d)!, u = <number>n, w = (n as unknown as number)!, x = [1, 2] as const satisfies readonly number[];',
  'const cond = n > 1 && n < 2 || n >= 3 && n <= 4 ? (n == 1, n != 2, n === 3, n !== 4) : n ?? null;',
  'const arrow = async <T,>(p?: T, ...more: T[]): Promise<void> => { await p; };',
  'const fnExpr = function named(this: unknown) { return new.target; };',
  'const cls = class Inner extends Object {};',
  'const dyn = import(\'h\');',
  'const meta = import.meta.url;',
  '@dec() @dec2 export class K<T extends object = {}, const U = 1> extends Base<T> implements I, J {',
  '  #priv = 1;',
  '  static s?: string;',
  '  declare d: number;',
  '  private readonly r!: number;',
  '  protected p = 2;',
  '  public override o = 3;',
  '  accessor acc = 4;',
  '  static { init(); }',
  '  [key: string]: unknown;',
  '  constructor(public x: number, private y?: string) { super(); this.#priv++; }',
  '  get g(): number { return this.#priv; }',
  '  set g(v) { this.#priv = v; }',
  '  static async *gen(): AsyncGenerator<number> { yield* other(); yield 1; }',
  '  m<V>(this: K<T>, @param() v: V): asserts v is V {}',
  '  over(a: string): void;',
  '  over(a: number): void;',
  '  over(a: any) {}',
  '  #privMethod() { return #priv in this; }',
  '}',
  'export abstract class Q { abstract f(): void; protected abstract z: number; }',
  'export default function* gen2({ a: [b2, ...c2] = [], d: { e: e2 } }: any, f2 = () => {}): Generator<number> { yield 1; return; }',
  'export async function withUsing() { using u1 = res(); await using u2 = res(); for await (const y of []) {} }',
  'export enum E { A = 1 << 2, B = A | 3, C = "c" }',
  'export const enum CE { X }',
  'namespace N.M { export type T = keyof typeof K; }',
  'module LegacyNs { export let z = 1; }',
  'export interface I { (x: number): void; new (): I; readonly m?: () => void; [k: string]: unknown; method<T>(): T; get acc(): number; set acc(v: number); }',
  'interface J extends I, Other {}',
  'type U<T> = T extends (infer R extends string)[] ? R : T extends `${infer P}-x` ? P : never;',
  'type M<T> = { readonly [K in keyof T as `get${string & K}`]-?: T[K] } & { +readonly [K in "a" | "b"]+?: K };',
  'type Tup = [a: string, b?: number, ...rest: boolean[]] | readonly [1, 2] | [string, number?, ...boolean[]];',
  'type Fn = (a: number, ...b: string[]) => void; type Ctor = abstract new () => object; type G = typeof import("i");',
  'type Lit = "s" | 1 | -1 | true | null | undefined | void | unknown | never | any | object | symbol | bigint | this;',
  'type Pred = (x: unknown) => x is string; type Ass = (x: unknown) => asserts x; type Uniq = unique symbol;',
  'type Idx = Tup[number]; type Arr = string[][]; type Paren = (string | number)[]; type Q2 = typeof o.a;',
  'label: for (let i = 0, j = 1; i < j; i++, j--) { if (i) continue label; else if (j) break label; else break; }',
  'for (const k in o) {} for (const v of [1]) {} for (;;) { break; } while (false) {} do {} while (false);',
  'switch (n) { case 1: case 2: { break; } default: ; }',
  'try { throw new Error("e"); } catch (err) { console.error(err); } finally { debugger; }',
  'try {} catch {}',
  'if (n) n; else {}',
  'export = ns;',
  '',
].join('\n');

/** TSX: JSX elements, fragments, attributes and spreads, in a component. */
const TSX_SAMPLE = [
  "import React, { useState } from 'react';",
  'export function Component<T,>({ items, ...props }: { items: T[] }) {',
  '  const [state, setState] = useState(0);',
  '  return (',
  '    <>',
  '      <div className="a" hidden data-x={state} {...props} key="k">',
  '        text {state > 0 ? <span>{state}</span> : null}',
  '        <ns:tag attr="v" />',
  '        <Member.Sub onClick={() => setState(state + 1)} />',
  '        {items.map((i) => <li>{String(i)}</li>)}',
  '      </div>',
  '    </>',
  '  );',
  '}',
  '',
].join('\n');

/** The samples: a file name (its extension gives the script kind) and its text. */
export const NODE_SHAPE_SAMPLES: ReadonlyArray<{ file: string; text: string }> = [
  { file: 'node-shapes.ts', text: TS_SAMPLE },
  { file: 'node-shapes.tsx', text: TSX_SAMPLE },
];
