import { setFlagsFromString } from 'node:v8';

/**
 * The V8 flags the CLI changes for its own process at run time, never in a host's (the ESLint
 * plugin's, the API's): the young generation's growth (src/core/gc.ts) and how soon TurboFan
 * optimizes a function (`slowTierUp`). One place, because V8 rejects a code cache made under other
 * flags: TypeScript's cache and the CLI's (src/core/code-cache.cjs) are read and made under V8's
 * defaults, through the function left at `CODE_CACHE_FLAGS`, so that the CLI and the plugin's host
 * share one cache. Only time and memory depend on these flags, never a result.
 */
const CODE_CACHE_FLAGS = Symbol.for('pgconn-lint.with-default-v8-flags');

/** Each flag set for the run: the value set and V8's default, to put back around a code cache. */
const changed = new Map<string, { run: string; initial: string }>();

/** `--name=value` set for the rest of the run, and V8's `initial` value put back around code caches. False when V8 refused it. */
export function setRunFlag(name: string, value: string, initial: string): boolean {
  try {
    setFlagsFromString(`--${name}=${value}`);
  } catch {
    return false;
  }
  changed.set(name, { run: value, initial });
  (globalThis as Record<symbol, unknown>)[CODE_CACHE_FLAGS] = withDefaultFlags;
  return true;
}

function withDefaultFlags<T>(run: () => T): T {
  if (changed.size === 0) return run();
  for (const [name, v] of changed) setFlagsFromString(`--${name}=${v.initial}`);
  try {
    return run();
  } finally {
    for (const [name, v] of changed) setFlagsFromString(`--${name}=${v.run}`);
  }
}

/**
 * V8 11.3's default `--interrupt-budget` (Node 20): `node --v8-options` prints
 * `--interrupt-budget=67584` (66 KB, V8's src/flags/flag-definitions.h), checked by
 * test/cli/tier-up.test.ts.
 */
export const V8_11_3_INTERRUPT_BUDGET = 67_584;
/** The CLI's budget: 9 × the default (D52). */
export const CLI_INTERRUPT_BUDGET = 600_000;

/**
 * Later optimization by TurboFan for the CLI's run, on V8 11.3 (Node 20) alone.
 *
 * A function is sent to TurboFan once it has spent `--ticks-before-optimization` (3) interrupt
 * budgets of bytecode (plus one per 150 bytes of its own). A cold run lasts seconds, and with the
 * default budget TurboFan compiles, on the other core, many functions (TypeScript's parser, the
 * analyses) that the run leaves before the compilation pays back. With 600,000 a cold run at
 * 10,000 files costs 0.80× the CPU (wall 0.92×), at 50,000 files 0.92× (wall 1.01×) (D52, paired
 * runs). Not set when the command line gives a budget of its own, nor on another V8, whose default
 * and tiers (Maglev on V8 12) differ.
 */
export function slowTierUp(v8Version = process.versions.v8, execArgv: readonly string[] = process.execArgv): boolean {
  if (!v8Version.startsWith('11.3.')) return false;
  if (execArgv.some((a) => /^--interrupt[-_]budget(?:=|$)/.test(a))) return false;
  return setRunFlag('interrupt-budget', String(CLI_INTERRUPT_BUDGET), String(V8_11_3_INTERRUPT_BUDGET));
}
