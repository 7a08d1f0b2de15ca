#!/usr/bin/env node
// Speed benchmark of the CLI over a synthetic monorepo (issue 3, "Speed"). Not a test: never run
// from vitest. Run after a build:
//
//   npm run bench                         # 10,000 files
//   npm run bench -- --files 50000        # 50,000 files
//   npm run bench -- --files 10000,50000  # both, one after the other
//   npm run bench -- --dir ~/src/some-repo   # a real tree instead of a generated one
//
// Options: --runs 3 (median reported), --seed 1, --keep (keep the generated tree), --json (one
// JSON document on stdout instead of the table), --cli <path to bin.js>.
//
// For each tree: the I/O floor (bench/io-floor.mjs: walk with the linter's skip rules, read every
// file), the parse floor (bench/parse-floor.mjs: the same, plus TypeScript's parse of the files
// the linter parses) and the CLI (`node dist/src/cli/bin.js --format json <dir>`) each run in
// their own child process, alternating, after one warm-up of each (so both see a warm page cache). Wall time is
// measured around the child, from spawn to exit (Node's start-up included, for both); peak memory
// is the child's own ru_maxrss, written at exit by bench/probe.mjs.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, openSync, closeSync } from 'node:fs';
import { tmpdir, cpus, totalmem, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generateTree } from './generate.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..');
const PROBE = pathToFileURL(join(HERE, 'probe.mjs')).href;
const FLOOR = join(HERE, 'io-floor.mjs');
const PARSE_FLOOR = join(HERE, 'parse-floor.mjs');
const PARSED_FILES = join(HERE, 'parsed-files.mjs');

/** Targets from issue 3: lint time ≤ 2× the I/O floor, peak memory ≤ 1 GiB. */
const MAX_RATIO = 2;
const MAX_PEAK_BYTES = 1024 ** 3;

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '3' },
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    cli: { type: 'string', default: join(REPO, 'dist/src/cli/bin.js') },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 11).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
  process.exit(0);
}
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) fail(`--runs expects a whole number ≥ 1, got "${values.runs}"`);
const cli = resolve(values.cli);
if (!existsSync(cli)) fail(`${cli} does not exist: run \`npm run build\` first (or use \`npm run bench\`, which builds).`);

function fail(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}

const log = (s) => {
  if (!values.json) process.stdout.write(s);
};

/** Runs `node [--import probe] args…` in `cwd`; returns wall ms, probe figures, exit status. */
function measure(args, cwd, stdoutFile) {
  const probeOut = join(scratch, `probe-${process.hrtime.bigint()}.json`);
  const fd = stdoutFile ? openSync(stdoutFile, 'w') : 'pipe';
  const t0 = process.hrtime.bigint();
  const res = spawnSync(process.execPath, ['--import', PROBE, ...args], {
    cwd,
    env: { ...process.env, BENCH_PROBE_OUT: probeOut, NO_COLOR: '1' },
    stdio: ['ignore', fd, 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (typeof fd === 'number') closeSync(fd);
  if (res.error) throw res.error;
  let probe = null;
  try {
    probe = JSON.parse(readFileSync(probeOut, 'utf8'));
    rmSync(probeOut);
  } catch {
    // the child died before its exit handler ran
  }
  return { wallMs, status: res.status, signal: res.signal, stdout: res.stdout?.toString() ?? '', stderr: res.stderr?.toString() ?? '', probe };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function runFloor(dir) {
  const r = measure([FLOOR, dir], dir);
  if (r.status !== 0) fail(`the I/O floor script failed (exit ${r.status}):\n${r.stderr}`);
  return { ...r, result: JSON.parse(r.stdout) };
}

function runParseFloor(dir, listFile) {
  const r = measure([PARSE_FLOOR, dir, listFile], dir);
  if (r.status !== 0) fail(`the parse floor script failed (exit ${r.status}):\n${r.stderr}`);
  return { ...r, result: JSON.parse(r.stdout) };
}

/** The files the linter parses in the tree (not timed), for the parse floor. */
function listParsedFiles(dir, listFile) {
  const r = measure([PARSED_FILES, dir], dir, listFile);
  if (r.status !== 0) fail(`listing the parsed files failed (exit ${r.status}):\n${r.stderr}`);
}

function runCli(dir, outFile) {
  const r = measure([cli, '--format', 'json', dir], dir, outFile);
  // 0 = no errors, 1 = findings; anything else is a failure of the linter.
  if (r.status !== 0 && r.status !== 1) fail(`the CLI failed (exit ${r.status ?? r.signal}):\n${r.stderr.slice(0, 4000)}`);
  return r;
}

/** What the CLI reported: how many files it read (every source appears in the output) and findings per rule. */
function summarizeReport(file) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const byRule = {};
  let findings = 0;
  let inSkippedDirs = 0;
  for (const f of report) {
    if (/[\\/](node_modules|dist|build|\.git|\.next|coverage|generated|\.turbo)[\\/]/.test(f.filePath)) inSkippedDirs++;
    for (const m of f.messages) {
      findings++;
      const id = m.ruleId ?? '(input problem)';
      byRule[id] = (byRule[id] ?? 0) + 1;
    }
  }
  const codeFilesInReport = report.filter((f) => /\.(?:[cm]?[jt]s|[jt]sx)$/.test(f.filePath)).length;
  return { filesInReport: report.length, codeFilesInReport, findings, byRule, filesFromSkippedDirs: inSkippedDirs };
}

const scratch = mkdtempSync(join(tmpdir(), 'pgconn-lint-bench-scratch-'));
const fmt = (n, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const mib = (kib) => kib / 1024;

const sizes = values.dir ? [null] : values.files.split(',').map((s) => Number(s.trim()));
for (const n of sizes) if (n !== null && (!Number.isInteger(n) || n < 200)) fail(`--files expects whole numbers ≥ 200, got "${values.files}"`);

const results = [];
let allMet = true;
try {
  for (const n of sizes) {
    let dir;
    let generated = null;
    if (values.dir) {
      dir = resolve(values.dir);
      if (!existsSync(dir)) fail(`--dir ${dir} does not exist`);
      log(`Tree: ${dir} (given)\n`);
    } else {
      dir = mkdtempSync(join(tmpdir(), `pgconn-lint-bench-${n}-`));
      log(`Generating ${fmt(n)} files (seed ${values.seed}) in ${dir} … `);
      const t0 = performance.now();
      generated = generateTree({ files: n, seed: values.seed, out: dir });
      log(`${((performance.now() - t0) / 1000).toFixed(1)} s, ${fmt(generated.bytes / 1e6, 1)} MB, ${generated.dbFiles} database files, ${generated.skippedFiles} files in skipped directories\n`);
      spawnSync('sync'); // flush the writes so they do not compete with the measured runs
    }
    try {
      const reportFile = join(scratch, 'report.json');
      const loadBefore = loadavg()[0];
      log(`Warm-up … `);
      const floorWarm = runFloor(dir);
      const listFile = join(scratch, 'parsed-files.txt');
      listParsedFiles(dir, listFile);
      const parseWarm = runParseFloor(dir, listFile);
      runCli(dir, reportFile);
      log(`done; ${runs} measured run${runs > 1 ? 's' : ''} of each …\n`);
      const floor = [];
      const parseFloor = [];
      const lint = [];
      for (let i = 0; i < runs; i++) {
        floor.push(runFloor(dir));
        parseFloor.push(runParseFloor(dir, listFile));
        lint.push(runCli(dir, reportFile));
      }
      const report = summarizeReport(reportFile);
      const { files, bytes, codeFiles, codeBytes } = floorWarm.result;
      const floorMs = median(floor.map((r) => r.wallMs));
      const parseFloorMs = median(parseFloor.map((r) => r.wallMs));
      const { parsed, parsedBytes } = parseWarm.result;
      const lintMs = median(lint.map((r) => r.wallMs));
      const lintPeakKiB = Math.max(...lint.map((r) => r.probe?.maxRssKiB ?? 0));
      const floorPeakKiB = Math.max(...floor.map((r) => r.probe?.maxRssKiB ?? 0));
      const cpuMs = (r) => (r.probe ? (r.probe.userUs + r.probe.systemUs) / 1000 : NaN);
      const lintCpuMs = median(lint.map(cpuMs));
      const floorCpuMs = median(floor.map(cpuMs));
      const parseFloorCpuMs = median(parseFloor.map(cpuMs));
      const parseFloorPeakKiB = Math.max(...parseFloor.map((r) => r.probe?.maxRssKiB ?? 0));
      const loadAfter = loadavg()[0];
      const ratio = lintMs / floorMs;
      const timeMet = ratio <= MAX_RATIO;
      const memMet = lintPeakKiB * 1024 <= MAX_PEAK_BYTES;
      allMet &&= timeMet && memMet;
      const row = {
        dir,
        generated,
        files,
        bytes,
        codeFiles,
        codeBytes,
        runs,
        load1: { before: loadBefore, after: loadAfter },
        floor: { medianMs: floorMs, allMs: floor.map((r) => r.wallMs), cpuMs: floorCpuMs, peakRssMiB: mib(floorPeakKiB), filesPerSec: files / (floorMs / 1000), mbPerSec: bytes / 1e6 / (floorMs / 1000) },
        parseFloor: { medianMs: parseFloorMs, allMs: parseFloor.map((r) => r.wallMs), cpuMs: parseFloorCpuMs, peakRssMiB: mib(parseFloorPeakKiB), parsedFiles: parsed, parsedBytes, ratioToIoFloor: parseFloorMs / floorMs },
        lint: { medianMs: lintMs, allMs: lint.map((r) => r.wallMs), cpuMs: lintCpuMs, peakRssMiB: mib(lintPeakKiB), filesPerSec: files / (lintMs / 1000), mbPerSec: bytes / 1e6 / (lintMs / 1000), exitCode: lint[0].status },
        report,
        ratio,
        cpuRatio: lintCpuMs / floorCpuMs,
        ratioToParseFloor: lintMs / parseFloorMs,
        targets: { ratio: { max: MAX_RATIO, met: timeMet }, peakMemory: { maxMiB: MAX_PEAK_BYTES / 1024 ** 2, met: memMet } },
      };
      results.push(row);
      const ms = (x) => `${fmt(x)} ms`;
      log(`
  ${fmt(files)} files, ${fmt(bytes / 1e6, 1)} MB walked (${fmt(codeFiles)} JS/TS files, ${fmt(codeBytes / 1e6, 1)} MB)
                 median wall    files/s    MB/s    peak RSS
  I/O floor     ${ms(floorMs).padStart(12)} ${fmt(row.floor.filesPerSec).padStart(10)} ${fmt(row.floor.mbPerSec, 1).padStart(7)} ${(fmt(row.floor.peakRssMiB) + ' MiB').padStart(11)}   (CPU ${ms(floorCpuMs)})
  parse floor   ${ms(parseFloorMs).padStart(12)} ${fmt(files / (parseFloorMs / 1000)).padStart(10)} ${fmt(bytes / 1e6 / (parseFloorMs / 1000), 1).padStart(7)} ${(fmt(mib(parseFloorPeakKiB)) + ' MiB').padStart(11)}   (CPU ${ms(parseFloorCpuMs)}; + TypeScript parse of the ${fmt(parsed)} files the linter parses, ${fmt(parsedBytes / 1e6, 1)} MB)
  pgconn-lint   ${ms(lintMs).padStart(12)} ${fmt(row.lint.filesPerSec).padStart(10)} ${fmt(row.lint.mbPerSec, 1).padStart(7)} ${(fmt(row.lint.peakRssMiB) + ' MiB').padStart(11)}   (CPU ${ms(lintCpuMs)})
  runs: floor ${floor.map((r) => fmt(r.wallMs)).join(' / ')} ms; parse floor ${parseFloor.map((r) => fmt(r.wallMs)).join(' / ')} ms; lint ${lint.map((r) => fmt(r.wallMs)).join(' / ')} ms
  report: ${fmt(report.filesInReport)} files in the CLI's output (${fmt(report.codeFilesInReport)} JS/TS), ${fmt(report.findings)} findings${report.findings ? ` (${Object.entries(report.byRule).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}${report.filesFromSkippedDirs ? `; ${report.filesFromSkippedDirs} FROM SKIPPED DIRECTORIES` : ''}
${generated ? `  planted in the tree: ${generated.dbFiles} database files; mistakes ${Object.entries(generated.plantedMistakes).map(([k, v]) => `${k} ${v}`).join(', ')}\n` : ''}  ratio to the I/O floor: ${ratio.toFixed(2)}× wall (target ≤ ${MAX_RATIO}×: ${timeMet ? 'met' : 'NOT MET'}), ${row.cpuRatio.toFixed(2)}× CPU;
  the parse floor alone is ${(parseFloorMs / floorMs).toFixed(2)}× the I/O floor; pgconn-lint is ${(lintMs / parseFloorMs).toFixed(2)}× the parse floor; peak memory ${fmt(row.lint.peakRssMiB)} MiB (target ≤ 1 GiB: ${memMet ? 'met' : 'NOT MET'})
  load average (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after, on ${cpus().length} CPUs${Math.max(loadBefore, loadAfter) > cpus().length / 2 ? ' — the machine was busy: wall times are noisy, the CPU figures less so' : ''}
${report.codeFilesInReport === 0 && codeFiles > 0 ? `  note: the CLI read none of the ${fmt(codeFiles)} JS/TS files — the code analysis is not wired in this build, so this measures discovery and config parsing only.\n` : ''}
`);
    } finally {
      if (generated && !values.keep) rmSync(dir, { recursive: true, force: true });
      else if (generated) log(`Kept the tree in ${dir}\n`);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', totalMemMiB: Math.round(totalmem() / 1024 ** 2) };
if (values.json) process.stdout.write(JSON.stringify({ machine, results }, null, 2) + '\n');
else log(`Machine: ${machine.cpus} × ${machine.cpuModel}, ${fmt(machine.totalMemMiB)} MiB RAM, Node ${machine.node}. ${allMet ? 'All targets met.' : 'Some targets NOT met.'}\n`);
// A benchmark reports; it does not fail the build when a target is missed.
