/**
 * A syntax tree nothing holds any more dies in the young generation (docs/decisions.md D53).
 * `bindParents` records each file's node order for `walk`; kept in a WeakMap keyed by the
 * SourceFile, V8 11's scavenger kept the order (every node of the tree) alive while the key was
 * young, so every dropped tree was copied and promoted until a full collection.
 *
 * In a fresh Node: 200 small trees (a 4,600-character file, ~185 KB of tree each) parsed and
 * dropped, then two scavenges; the old space's growth as a share of the trees' bytes. Small trees,
 * so that a scavenge in the middle of a parse promotes little: 1.4–1.6 % measured, with two busy
 * loops beside six runs at once as much. With the WeakMap, 118 % (every tree promoted). An earlier
 * form of this test (20 trees of 174,000 characters, under three trees' worth) failed once in CI
 * under load: a scavenge in a large parse promotes that whole parse's nodes so far.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runInFreshNode } from '../support/fresh-node.js';

const PARSE = pathToFileURL(resolve(__dirname, '../../dist/src/sources/js/parse.js')).href;

describe('a dropped syntax tree', () => {
  it('is not promoted to the old generation by the scavenges after it', () => {
    const out = runInFreshNode(`
      import v8 from 'node:v8';
      import vm from 'node:vm';
      const { parseJsFile } = await import(${JSON.stringify(PARSE)});
      v8.setFlagsFromString('--expose-gc');
      const gc = vm.runInNewContext('gc');
      const text = "import { Pool } from 'pg';\\nexport const pool = new Pool({ max: 5 });\\nexport function f(a: number) { return a + 1; }\\n".repeat(40);
      parseJsFile(text, 'warm-up.ts');
      const old = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_used_size;
      gc();
      const before = old();
      for (let i = 0; i < 200; i++) parseJsFile(text, 'f' + i + '.ts');
      gc({ type: 'minor' });
      gc({ type: 'minor' });
      console.log(JSON.stringify({ chars: 200 * text.length, grew: old() - before }));
    `);
    const { chars, grew } = JSON.parse(out) as { chars: number; grew: number };
    // A tree takes ~25 bytes per character (src/facts/build.ts TREE_BYTES_PER_CHAR).
    expect(grew / (25 * chars)).toBeLessThan(0.25);
  });
});
