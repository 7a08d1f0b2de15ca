/**
 * The CLI raises V8's `--interrupt-budget` for its own run on V8 11.3 (Node 20), so that TurboFan
 * optimizes later (src/core/v8-flags.ts `slowTierUp`, D52). Only time depends on it: the paired
 * runs are in docs/decisions.md and bench/README.md, never here. These tests hold what the change
 * relies on: V8's default as the code assumes it, the cases where nothing is set, and one code
 * cache that the CLI and a host that sets nothing (the ESLint plugin's) both accept.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_INTERRUPT_BUDGET, slowTierUp, V8_11_3_INTERRUPT_BUDGET } from '../../src/core/v8-flags.js';
import { CODE_CACHE_SPY, LOAD_TYPESCRIPT, PRINT_REJECTED, runInFreshNode as node, runSharingOneCache } from '../support/fresh-node.js';

const FLAGS = resolve(__dirname, '../../dist/src/core/v8-flags.js');
const V8_11_3 = process.versions.v8.startsWith('11.3.');

describe('later optimization for the CLI (slowTierUp)', () => {
  it.runIf(V8_11_3)("knows V8 11.3's default budget, as this Node prints it", () => {
    const r = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    const m = /--interrupt-budget \(.*\)\n\s+type: int\s+default: --interrupt-budget=(\d+)/.exec(r.stdout);
    expect(m?.[1]).toBe(String(V8_11_3_INTERRUPT_BUDGET));
    expect(CLI_INTERRUPT_BUDGET).toBeGreaterThan(V8_11_3_INTERRUPT_BUDGET);
  });

  it('sets nothing on another V8, nor when the command line gives a budget', () => {
    expect(slowTierUp('12.4.254.21-node.33', [])).toBe(false);
    expect(slowTierUp('11.8.172.17-node.15', [])).toBe(false);
    expect(slowTierUp('11.3.244.8-node.25', ['--interrupt-budget=100000'])).toBe(false);
    expect(slowTierUp('11.3.244.8-node.25', ['--interrupt_budget', '100000'])).toBe(false);
  });

  it.runIf(V8_11_3)('keeps one TypeScript code cache that the CLI and a host that sets nothing both accept', () => {
    // Whether V8 rejected the code cache given to TypeScript's load, in a run that raised the
    // budget first (the CLI) and in one that did not (the plugin's host).
    const spy = `${CODE_CACHE_SPY} const flags = await import(${JSON.stringify(FLAGS)});`;
    const load = `${LOAD_TYPESCRIPT} ${PRINT_REJECTED}`;
    const cli = `${spy} if (!flags.slowTierUp()) throw new Error('not set'); ${load}`;
    const host = `${spy} ${load}`;
    // The first run writes the cache.
    expect(runSharingOneCache([cli, cli, host, cli, host]).slice(1)).toEqual(['false', 'false', 'false', 'false']);
  });

  it.runIf(V8_11_3)('the code cache is rejected when the budget is not put back (the test above can fail)', () => {
    const spy = CODE_CACHE_SPY;
    const load = `${LOAD_TYPESCRIPT} ${PRINT_REJECTED}`;
    const raw = `${spy} v8.setFlagsFromString('--interrupt-budget=${CLI_INTERRUPT_BUDGET}'); ${load}`;
    const host = `${spy} ${load}`;
    expect(runSharingOneCache([host, host, raw]).slice(1)).toEqual(['false', 'true']);
  });
});
