#!/usr/bin/env node
import { enableCompileCache } from './compile-cache.js';
import { startGitSnapshotEarly } from '../facts/git-early.js';
import { loadMain } from './load-main.js';

// Before the CLI's modules load, so that they are compiled from V8's cache (Node 22.1+).
enableCompileCache();
// With --cache, git's status is taken while the modules load (src/facts/git-early.ts).
const argv = process.argv.slice(2);
const gitSnapshot = argv.includes('--cache') && !argv.includes('--no-cache') ? startGitSnapshotEarly(process.cwd()) : undefined;

// No top-level await: the bundled entry is a CommonJS script (scripts/bundle.mjs; Node starts one
// ~15 ms sooner than an ES module, D56).
async function main(): Promise<number> {
  const { runCliAsync, capYoungGeneration, slowTierUp } = await loadMain();
  // Before anything allocates much (src/core/gc.ts), and before the run's hot code (src/core/v8-flags.ts).
  capYoungGeneration();
  slowTierUp();
  // git's status is awaited inside: what the run can do without it is done first (main.ts `prepareRun`).
  return runCliAsync(argv, {
    cwd: process.cwd(),
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    ...(process.stdout.isTTY && process.stdout.columns ? { columns: process.stdout.columns } : {}),
  }, gitSnapshot);
}

main().then(
  (code) => {
    process.exitCode = code;
    // Done: exit now, not after Node has torn down the heap (~20 ms of a pre-commit run at 50,000
    // files, D60), unless output is still queued (a pipe is asynchronous on some platforms;
    // on Linux files, pipes and terminals are written synchronously). 'exit' handlers still run
    // (the code cache's writer, src/core/code-cache.cjs).
    if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit(code);
  },
  (err: unknown) => {
    // The CLI could not be loaded (runCliAsync reports its own failures): an internal failure, said
    // on one line (the first of the error's message), without control characters.
    const message = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
    process.stderr.write(`pgconn-lint: internal error: ${message.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')}\n`);
    process.exitCode = 2;
  },
);
