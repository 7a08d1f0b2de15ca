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
 * V8's young generation capped at 4 MiB semi-spaces for the CLI's run (Node 20 and 21, V8 11)
 * while the old generation is small, and given back to V8 once it is large.
 *
 * By default the semi-spaces grow to 16 MiB each while the trees are built: about 22 MB more RSS
 * on the 10,000-file bench tree (167 against 145 MB, `--max-semi-space-size=4` against the
 * default, same CPU within noise; 2 MiB saved 3 MB more at +2 % CPU, 1 MiB doubled the scavenges'
 * time). `--max-semi-space-size` only counts on the command line, and a CLI cannot choose its own.
 * `--semi-space-growth-factor` (default 2, `node --v8-options`) is read at each growth of V8 11's
 * new space, so setting it to 1 at run time stops the growth where it is: `youngGenerationCheckpoint`,
 * called from the loops that allocate (the walk, the pre-filter, the parts), does so once the new
 * space (both semi-spaces) reaches 8 MiB.
 *
 * On a large repository the cap costs more than it saves: the parts' syntax trees live through
 * many scavenges, each copying what survives (on the 50,000-file bench tree 229 scavenges in the
 * parts, 1.2 s of CPU with their helper thread, against a heap of 65–90 MB), and 24 MB more is a
 * small share of such a heap. Once the old generation holds `LIFT_AT_OLD_GENERATION`, the factor
 * goes back to V8's 2 for the rest of the run (the new space then grows to V8's own maximum,
 * 32 MiB): 0.97× the CPU of a cold run at 50,000 files (paired runs, docs/decisions.md D63). 48 MiB
 * since the pre-filter's graph data no longer lives through the parts (D65): at 64 MiB the
 * 50,000-file run then lifted late or not at all (196 scavenges against 157, 1.04× the CPU). The
 * 10,000-file tree's old generation stays below it, and a run with the facts cache keeps the cap
 * (`keepYoungGenerationCapped`). Elsewhere nothing is set. Only time and memory depend on it, never
 * a result.
 *
 * The factor is set through src/core/v8-flags.ts, which puts V8's default back around code caches.
 */
const YOUNG_GENERATION_CAP = 8 * 1024 * 1024;
const LIFT_AT_OLD_GENERATION = 48 * 1024 * 1024;
let young: 'off' | 'watching' | 'capped' | 'lifted' = 'off';
let checkpoints = 0;

export function capYoungGeneration(v8Version = process.versions.v8): void {
  if (young !== 'off' || !v8Version.startsWith('11.')) return;
  young = 'watching';
}

let liftable = true;

/**
 * A run with the facts cache keeps the cap whatever its old generation holds: there the old
 * generation is large from the start (the cache's entries), not because a large repository's trees
 * are being built, and the growth given back only added memory (the warm run with a changed
 * database file at 50,000 files: 293 against 261 MiB of peak, no CPU saved; D63).
 */
export function keepYoungGenerationCapped(): void {
  liftable = false;
}

/** Cheap enough for a loop: the heap's spaces are looked at every 32nd call. */
export function youngGenerationCheckpoint(): void {
  if ((young !== 'watching' && !(young === 'capped' && liftable)) || (++checkpoints & 31) !== 0) return;
  const spaces = getHeapSpaceStatistics();
  const old = spaces.find((s) => s.space_name === 'old_space');
  if (liftable && old !== undefined && old.space_size >= LIFT_AT_OLD_GENERATION) {
    // Capped: V8's factor back (setRunFlag keeps 2 as both the run's value and the default).
    young = young === 'watching' || setRunFlag('semi-space-growth-factor', '2', '2') ? 'lifted' : 'off';
    return;
  }
  if (young !== 'watching') return;
  const space = spaces.find((s) => s.space_name === 'new_space');
  if (space === undefined || space.space_size < YOUNG_GENERATION_CAP) return;
  young = setRunFlag('semi-space-growth-factor', '1', '2') ? 'capped' : 'off';
}
