/**
 * Memory of the code analysis (issue 11): `analyzeJsFilesInParts` drops each part's syntax trees
 * before the next part is built, and says how big that part is, so that src/facts/build.ts can
 * collect the dropped trees at the one moment nothing of them is reachable.
 */
import ts from 'typescript';
import { queryObjects } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { nodeShapeKeepers } from '../../src/sources/js/parse.js';
import { analyzeJsFilesInParts } from '../../src/sources/js/project.js';
import { memRead, ROOT } from './helpers.js';

/** Three parts: two pools on their own, and a pool with the module that imports it. */
const FILES: Record<string, string> = {
  'a/db.ts': `import { Pool } from 'pg';\nexport const pool = new Pool({ max: 4 });\n`,
  'a/users.ts': `import { pool } from './db.js';\nexport const all = () => pool.query('select 1');\n`,
  'b/db.ts': `import { Pool } from 'pg';\nexport const pool = new Pool({ max: 5 });\n`,
  'c/db.js': `const { Pool } = require('pg');\nmodule.exports = new Pool({ max: 6 });\n`,
};

/** Live TypeScript source files, counted after a full collection (what a collection would keep). */
function liveSourceFiles(): number {
  const SourceFile = (ts as unknown as { objectAllocator: { getSourceFileConstructor(): new (...a: never[]) => unknown } }).objectAllocator.getSourceFileConstructor();
  return queryObjects(SourceFile, { format: 'count' }) as number;
}

describe('the analysis in parts', () => {
  it('has no tree of an earlier part alive when the next part starts, and gives each part its size', () => {
    const paths = Object.keys(FILES).map((f) => `${ROOT}/${f}`);
    // The sample trees the first parse keeps for the process (docs/decisions.md D58) are no part's.
    nodeShapeKeepers();
    const before = liveSourceFiles();
    const sizes: number[] = [];
    const alive: number[] = [];
    const parts: string[][] = [];
    analyzeJsFilesInParts(
      paths,
      { repoRoot: ROOT, readFile: memRead(FILES) },
      () => undefined,
      (part) => parts.push(part.files.map((f) => f.slice(ROOT.length + 1)).sort()),
      () => {
        throw new Error('no part loads a file outside it');
      },
      (chars) => {
        sizes.push(chars);
        alive.push(liveSourceFiles() - before);
      },
    );
    expect(parts).toEqual([['a/db.ts', 'a/users.ts'], ['b/db.ts'], ['c/db.js']]);
    expect(sizes).toEqual([FILES['a/db.ts']!.length + FILES['a/users.ts']!.length, FILES['b/db.ts']!.length, FILES['c/db.js']!.length]);
    expect(alive).toEqual([0, 0, 0]);
  });
});
