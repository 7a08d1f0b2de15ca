/**
 * The CLI caps V8's young generation at 4 MiB semi-spaces (src/core/gc.ts `capYoungGeneration`,
 * issue 11: ~22 MB of peak RSS on the 10,000-file bench tree). It relies on V8 11 (Node 20 and 21)
 * reading `--semi-space-growth-factor` at each growth; elsewhere it sets nothing. The built module
 * (dist/, `npm test` builds first) runs in a fresh Node each time, as the CLI does.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODE_CACHE_SPY, LOAD_TYPESCRIPT, PRINT_REJECTED, runInFreshNode as node, runSharingOneCache } from '../support/fresh-node.js';

const GC = resolve(__dirname, '../../dist/src/core/gc.js');
const V8_11 = process.versions.v8.startsWith('11.');

/** Allocates objects that survive a while (as syntax trees do), calling the checkpoint as the loops do; prints the new space's largest size in MiB. */
const GROW = `
  const ring = new Array(20000);
  let max = 0;
  for (let i = 0; i < 400000; i++) {
    ring[i % ring.length] = { a: i, b: [i, i + 1, i + 2], c: 'x' + i };
    gc.youngGenerationCheckpoint();
    if ((i & 1023) === 0) max = Math.max(max, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
  }`;

describe('the young generation cap', () => {
  it.runIf(V8_11)('stops the new space at 8 MiB (two 4 MiB semi-spaces); without it V8 grows it to 32 MiB', () => {
    const run = (cap: boolean) => node(`import v8 from 'node:v8'; const gc = await import(${JSON.stringify(GC)}); ${cap ? 'gc.capYoungGeneration();' : ''} ${GROW} console.log(max / 1048576);`);
    expect(run(true)).toBe('8');
    expect(run(false)).toBe('32');
  });

  it.runIf(V8_11)('gives the growth back to V8 once the old generation holds 48 MiB (a large repository\'s run)', () => {
    // Capped first (8 MiB), then ~100 MB kept (promoted to the old generation), then the same growth: 32 MiB.
    const keep = `const keep = []; for (let i = 0; i < 1500000; i++) keep.push({ a: i, b: [i, i + 1] }); globalThis.kept = keep;`;
    const grow2 = GROW.replace('let max = 0;', '').replace('const ring', 'const ring2').replaceAll('ring[', 'ring2[').replaceAll('ring.length', 'ring2.length');
    expect(node(`import v8 from 'node:v8'; const gc = await import(${JSON.stringify(GC)}); gc.capYoungGeneration(); ${GROW} const capped = max; max = 0; ${keep} ${grow2} console.log(capped / 1048576, max / 1048576);`)).toBe('8 32');
    // A run with the facts cache keeps the cap (its old generation holds the cache from the start).
    expect(node(`import v8 from 'node:v8'; const gc = await import(${JSON.stringify(GC)}); gc.capYoungGeneration(); gc.keepYoungGenerationCapped(); ${GROW} const capped = max; max = 0; ${keep} ${grow2} console.log(capped / 1048576, max / 1048576);`)).toBe('8 8');
  });

  it('sets nothing on another V8', () => {
    expect(node(`import v8 from 'node:v8'; const gc = await import(${JSON.stringify(GC)}); gc.capYoungGeneration('12.4.254'); ${GROW} console.log(max / 1048576);`)).toBe(node(`import v8 from 'node:v8'; const gc = await import(${JSON.stringify(GC)}); ${GROW} console.log(max / 1048576);`));
  });

  it('keeps one TypeScript code cache that capped runs and uncapped runs (the ESLint plugin) both accept', () => {
    // A capped run loads TypeScript after the cap took hold (as the CLI does after its walk), and
    // says whether V8 rejected the code cache it was given; an uncapped run is the plugin's host.
    const spy = `${CODE_CACHE_SPY} const gc = await import(${JSON.stringify(GC)});`;
    const load = `${LOAD_TYPESCRIPT} gc.collectGarbage(); ${PRINT_REJECTED}`;
    const capped = `${spy} gc.capYoungGeneration(); ${GROW} ${load}`;
    const uncapped = `${spy} ${load}`;
    // The first run writes the cache.
    expect(runSharingOneCache([capped, capped, uncapped, capped, uncapped]).slice(1)).toEqual(['false', 'false', 'false', 'false']);
  });
});
