import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

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
