import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setRunFlag } from './v8-flags.js';

/**
 * A full garbage collection, on request. The code analysis drops each part's syntax trees once
 * its facts are extracted (src/sources/js/project.ts `analyzeJsFilesInParts`), but V8 collects
 * the old generation lazily: on the 50,000-file tree the heap grew to ~400 MB of dead trees before
 * a mark-compact ran (peak RSS 456 MB; collecting after every ~1 M characters parsed: 256 MB, +2 %
 * CPU). Node has no API for it: `--expose-gc` is set at run time and `gc` taken from a new
 * context, as jest-leak-detector does. If that ever fails, nothing is collected early.
 */
let gc: (() => void) | undefined | null = null;

export function collectGarbage(): void {
  if (gc === null) {
    try {
      setFlagsFromString('--expose-gc');
      const f = runInNewContext('gc') as unknown;
      gc = typeof f === 'function' ? (f as () => void) : undefined;
    } catch {
      gc = undefined;
    }
  }
  gc?.();
}

/** Bytes of the JavaScript heap in use, live or not yet collected. */
export function heapUsed(): number {
  return getHeapStatistics().used_heap_size;
}

/**
 * V8's young generation capped at 4 MiB semi-spaces for the CLI's run (Node 20 and 21, V8 11).
 *
 * By default the semi-spaces grow to 16 MiB each while the trees are built: about 22 MB more RSS
 * on the 10,000-file bench tree (167 against 145 MB, `--max-semi-space-size=4` against the
 * default, same CPU within noise; 2 MiB saved 3 MB more at +2 % CPU, 1 MiB doubled the scavenges'
 * time). `--max-semi-space-size` only counts on the command line, and a CLI cannot choose its own.
 * `--semi-space-growth-factor` (default 2, `node --v8-options`) is read at each growth of V8 11's
 * new space, so setting it to 1 at run time stops the growth where it is: `youngGenerationCheckpoint`,
 * called from the loops that allocate (the walk, the pre-filter, the parts), does so once the new
 * space (both semi-spaces) reaches 8 MiB. Elsewhere nothing is set. Only memory depends on it,
 * never a result.
 *
 * The factor is set through src/core/v8-flags.ts, which puts V8's default back around code caches.
 */
const YOUNG_GENERATION_CAP = 8 * 1024 * 1024;
let young: 'off' | 'watching' | 'capped' = 'off';
let checkpoints = 0;

export function capYoungGeneration(v8Version = process.versions.v8): void {
  if (young !== 'off' || !v8Version.startsWith('11.')) return;
  young = 'watching';
}

/** Cheap enough for a loop: the heap's spaces are looked at every 32nd call. */
export function youngGenerationCheckpoint(): void {
  if (young !== 'watching' || (++checkpoints & 31) !== 0) return;
  const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  if (space === undefined || space.space_size < YOUNG_GENERATION_CAP) return;
  young = setRunFlag('semi-space-growth-factor', '1', '2') ? 'capped' : 'off';
}
