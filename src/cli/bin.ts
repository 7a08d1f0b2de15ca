#!/usr/bin/env node
import { enableCompileCache } from './compile-cache.js';

// Before the CLI's modules load, so that they are compiled from V8's cache (Node 22.1+).
enableCompileCache();
const { runCliAsync } = await import('./main.js');

process.exitCode = await runCliAsync(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  isTTY: Boolean(process.stdout.isTTY),
  env: process.env,
  ...(process.stdout.isTTY && process.stdout.columns ? { columns: process.stdout.columns } : {}),
});
