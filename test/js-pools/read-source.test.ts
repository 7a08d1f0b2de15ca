/**
 * readSourceBytes reads a file the walk found (`walkedFile`) without `fstat`, to its end into the
 * scratch buffer (src/sources/js/project.ts, issue 11). It must give what the `fstat` path gives.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSourceBytes, type ScratchBuffer, type SourceBytes } from '../../src/sources/js/project.js';

const dir = mkdtempSync(join(tmpdir(), 'pgconn-lint-read-source-'));

function put(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** A comparable form of a result (a view into the scratch buffer is copied out). */
function plain(r: SourceBytes): unknown {
  return 'bytes' in r ? { ok: r.ok, path: r.path, bytes: Buffer.from(r.bytes).toString('hex') } : r;
}

describe('readSourceBytes for a walked file', () => {
  it('gives what the fstat path gives: empty, small, grown past the scratch buffer, at and over the limit, not UTF-8, a directory', () => {
    const max = 200_000;
    const files = [
      put('empty.ts', ''),
      put('small.ts', "import { Pool } from 'pg';\n"),
      put('big.ts', `export const s = '${'x'.repeat(150_000)}';\n`),
      put('at-limit.ts', 'a'.repeat(max)),
      put('over-limit.ts', 'a'.repeat(max + 1)),
      put('latin1.ts', Buffer.from([0x63, 0x6f, 0x6e, 0x73, 0x74, 0x20, 0xe9, 0x3b])),
      put('bom.ts', '\ufeffexport {};\n'),
    ];
    mkdirSync(join(dir, 'a-directory.ts'));
    files.push(join(dir, 'a-directory.ts'), join(dir, 'missing.ts'));
    for (const quiet of [true, false]) {
      // One scratch buffer for the whole sequence, as the analysis keeps one: it starts empty and grows.
      const scratch: ScratchBuffer = { buf: Buffer.alloc(0) };
      const other: ScratchBuffer = { buf: Buffer.alloc(0) };
      for (const f of files) {
        const walked = plain(readSourceBytes(f, max, quiet, scratch, true));
        const statted = plain(readSourceBytes(f, max, quiet, other, false));
        expect(walked, `${f} quiet=${quiet}`).toEqual(statted);
      }
      expect(scratch.buf.length).toBeGreaterThanOrEqual(max);
    }
  });
});
