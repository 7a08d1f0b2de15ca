#!/usr/bin/env node
// How much a cold lint would save if each file's syntax tree died young (issue 11, D53): the files
// the linter parses in a tree, in the parts its code analysis makes (the connected parts of the
// import graph, `analyzeJsFilesInParts`), parsed as it parses them (`parseJsFile`: TypeScript, then
// the parent pass) and walked once. Two modes, each run in a fresh process, alternated:
//
// - `part`: a part's trees stay alive until the whole part is walked, as the analysis keeps them
//   until the part's facts are extracted;
// - `file`: each tree is walked and dropped before the next file is parsed.
//
// The difference is an estimate of what summarising each file when it is loaded (and dropping its
// tree) would save in parsing, collection and page faults; the analyses' own work is not in it.
//
//   node bench/tree-lifetime.mjs <dir> [--runs 3]
//
// Prints one JSON row per run and a last row with the medians and the machine's load. Needs
// `npm run build`.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const SELF = fileURLToPath(import.meta.url);

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else await driver();

async function driver() {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { runs: { type: 'string', default: '3' } } });
  const dir = positionals[0];
  if (dir === undefined) {
    process.stderr.write('Usage: node bench/tree-lifetime.mjs <dir> [--runs 3]\n');
    process.exit(2);
  }
  const { discover } = await import('../dist/src/discovery/discover.js');
  const { analyzeJsFilesInParts, readSourceBytes } = await import('../dist/src/sources/js/project.js');
  const { DEFAULT_MAX_FILE_BYTES } = await import('../dist/src/core/read-text.js');
  const found = discover({ cwd: resolve(dir), paths: ['.'], ignorePatterns: [] });
  const paths = found.candidates.filter((c) => c.kind === 'js').map((c) => c.path);
  let parts = [];
  analyzeJsFilesInParts(
    paths,
    { repoRoot: found.root, readFile: (p) => readSourceBytes(p, DEFAULT_MAX_FILE_BYTES, true) },
    () => undefined,
    (part) => parts.push(part.files.map((f) => resolve(f))),
    () => (parts = []),
  );
  const scratch = mkdtempSync(join(tmpdir(), 'pgconn-lint-tree-lifetime-'));
  const loadBefore = loadavg().map((l) => Number(l.toFixed(2)));
  try {
    const partsFile = join(scratch, 'parts.json');
    writeFileSync(partsFile, JSON.stringify(parts));
    const files = parts.flat().length;
    const rows = { part: [], file: [] };
    for (let i = 0; i < Number(values.runs); i++) {
      for (const mode of ['part', 'file']) {
        const r = spawnSync(process.execPath, [SELF, '--child', mode, partsFile], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`${mode}: ${r.stderr}`);
        const row = { ...JSON.parse(r.stdout), parts: parts.length, files };
        rows[mode].push(row);
        process.stdout.write(`${JSON.stringify(row)}\n`);
      }
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const summary = {};
    for (const mode of ['part', 'file']) for (const k of ['cpuMs', 'wallMs', 'gcMs', 'faults']) summary[`${mode}.${k}`] = median(rows[mode].map((r) => r[k]));
    // The machine's load (1/5/15 min) before and after: on a busy machine the figures are noisy.
    const load = [loadBefore, loadavg().map((l) => Number(l.toFixed(2)))];
    process.stdout.write(`${JSON.stringify({ medians: summary, savedCpuMs: summary['part.cpuMs'] - summary['file.cpuMs'], load })}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function child(mode, partsFile) {
  const { parseJsFile } = await import('../dist/src/sources/js/parse.js');
  const { default: ts } = await import('../dist/src/sources/js/typescript.cjs');
  const parts = JSON.parse(readFileSync(partsFile, 'utf8'));
  const texts = new Map();
  for (const p of parts) for (const f of p) texts.set(f, readFileSync(f, 'utf8'));
  // TypeScript loaded (and its lazy shim materialised) before the timed span.
  parseJsFile('export {};', 'warm-up.ts');
  let gcMs = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  }).observe({ entryTypes: ['gc'] });
  let nodes = 0;
  const walk = (n) => {
    nodes++;
    ts.forEachChild(n, walk);
  };
  const faults0 = process.resourceUsage().minorPageFault;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const p of parts) {
    if (mode === 'part') {
      const trees = p.map((f) => parseJsFile(texts.get(f), f).sourceFile);
      for (const t of trees) walk(t);
    } else {
      for (const f of p) walk(parseJsFile(texts.get(f), f).sourceFile);
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  const faults = process.resourceUsage().minorPageFault - faults0;
  // The observer's entries arrive on a later turn.
  setTimeout(() => process.stdout.write(JSON.stringify({ mode, cpuMs: Math.round((cpu.user + cpu.system) / 1000), wallMs: Math.round(wallMs), gcMs: Math.round(gcMs), faults, nodes })), 20);
}
