/** The facts cache's behaviour: what it reuses, what it never stores, and bad cache files (docs/cache.md). */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCacheFile, writeCacheFile } from '../support/cache-file.js';
import { runCli } from '../../src/cli/main.js';
import { ALL_RULES } from '../../rules/index.js';
import { loadConfig } from '../../src/engine/config.js';
import { lint } from '../../src/engine/lint.js';
import { encodeEntries, entryBucket, resolveCacheFile, type CacheStats, type CacheStrategy } from '../../src/facts/cache.js';
import { redactedSources } from '../../src/report/secret-ranges.js';

const ROOT = resolve(__dirname, '../..');
const PROJECTS = join(ROOT, 'fixtures/projects');
const PASSWORDS = join(ROOT, 'fixtures/cache/code-password');
const scratch = mkdtempSync(join(tmpdir(), 'pgconn-lint-cache-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function allFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...allFiles(p));
    else out.push(p);
  }
  return out;
}

let n = 0;
function copyOf(src: string): string {
  const dir = join(scratch, `p${n++}`);
  cpSync(src, dir, { recursive: true });
  const old = new Date(Date.now() - 3600_000);
  for (const f of allFiles(dir)) utimesSync(f, old, old);
  return dir;
}

function cli(dir: string, args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = runCli([...args, '.'], { cwd: dir, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env: {} });
  return { code, stdout, stderr };
}

function lintWithCache(dir: string, file: string, strategy: CacheStrategy = 'metadata') {
  let stats: CacheStats | undefined;
  const notes: string[] = [];
  const config = loadConfig({ cwd: dir, rules: ALL_RULES });
  const result = lint({ cwd: dir, paths: ['.'], ignorePatterns: [], config, rules: ALL_RULES, cache: { file, strategy, onNote: (m) => notes.push(m) }, cacheStats: (s) => (stats = s) });
  return { result, stats: stats!, notes };
}

describe('what the cache reuses', () => {
  it('an unchanged project reads no code file and reuses the analysis; a changed code file is read again', () => {
    const dir = copyOf(join(PROJECTS, 'monorepo-targets'));
    const file = join(scratch, 'reuse.cache');
    const first = lintWithCache(dir, file);
    expect(first.stats).toMatchObject({ verdictsReused: 0, analysisReused: false, written: true });
    const codeFiles = first.stats.verdictsComputed;
    expect(codeFiles).toBeGreaterThan(3);
    const second = lintWithCache(dir, file);
    expect(second.stats).toMatchObject({ verdictsReused: codeFiles, verdictsComputed: 0, analysisReused: true });
    expect(second.notes).toEqual([]);

    // A code file whose imports stay the same: read again, the analysis still reused.
    const code = allFiles(dir).filter((f) => /\.[jt]s$/.test(f));
    const plain = code.find((f) => !/pg|postgres|prisma|knex|pool/i.test(readFileSync(f, 'utf8')));
    if (plain) {
      writeFileSync(plain, `${readFileSync(plain, 'utf8')}\n// edited\n`);
      const third = lintWithCache(dir, file);
      expect(third.stats).toMatchObject({ verdictsReused: codeFiles - 1, verdictsComputed: 1, analysisReused: true });
    }
    // A file the analysis parsed: the analysis runs again.
    const parsed = first.result.facts.js.find((f) => f.pools.length > 0)!.file;
    writeFileSync(parsed, `${readFileSync(parsed, 'utf8')}\n// edited\n`);
    const fourth = lintWithCache(dir, file);
    expect(fourth.stats.analysisReused).toBe(false);
    expect(lintWithCache(dir, file).stats.analysisReused).toBe(true);
  });

  it('--cache-strategy content: a file touched without a change is not one (git checkouts reset mtimes)', () => {
    const dir = copyOf(join(PROJECTS, 'monorepo-targets'));
    const file = join(scratch, 'content.cache');
    const first = lintWithCache(dir, file, 'content');
    const now = new Date();
    for (const f of allFiles(dir)) utimesSync(f, now, now);
    const second = lintWithCache(dir, file, 'content');
    expect(second.stats).toMatchObject({ verdictsReused: first.stats.verdictsComputed, verdictsComputed: 0, analysisReused: true });
    // The same touch under metadata: every touched file is read again (its verdict is recomputed).
    const meta = join(scratch, 'metadata.cache');
    lintWithCache(dir, meta);
    for (const f of allFiles(dir)) utimesSync(f, new Date(Date.now() - 7200_000), new Date(Date.now() - 7200_000));
    expect(lintWithCache(dir, meta).stats.verdictsReused).toBe(0);
  });

  it('files changed in the last seconds before a run are not kept by size and mtime (same-tick edits)', () => {
    const dir = join(scratch, 'fresh');
    cpSync(join(PROJECTS, 'monorepo-targets'), dir, { recursive: true });
    const file = join(scratch, 'fresh.cache');
    lintWithCache(dir, file);
    expect(Object.keys(readCacheFile(file).files)).toEqual([]);
  });
});

describe('the entries section (format 5): one JSON object written bucket by bucket', () => {
  const files: Record<string, unknown> = {};
  for (let i = 0; i < 2000; i++) files[`apps/a${i % 37}/src/f${i}.ts`] = [i, i * 2, null, i % 3 === 0 ? 0 : [`./m${i}`], 0];
  files['naïve/ünïcode "quoted".ts'] = [1, 2, null, 0, 1];
  const { bytes, buckets } = encodeEntries(files);

  it('parses back to the same entries', () => {
    expect(JSON.parse(bytes.toString('utf8'))).toEqual(files);
  });

  it('holds each entry within its own bucket’s bytes, which start with `,` or after `{`', () => {
    expect(buckets).toHaveLength(257);
    for (const [rel, entry] of Object.entries(files)) {
      const b = entryBucket(rel);
      const part = bytes.subarray(buckets[b]!, buckets[b + 1]!).toString('utf8');
      expect(part).toContain(`${JSON.stringify(rel)}:${JSON.stringify(entry)}`);
      expect(bytes[buckets[b]!] === 0x2c || bytes[buckets[b]! - 1] === 0x7b).toBe(true);
    }
  });

  it('is `{}` with every bucket empty when there are no entries', () => {
    const empty = encodeEntries({});
    expect(empty.bytes.toString()).toBe('{}');
    expect(new Set(empty.buckets)).toEqual(new Set([1]));
  });
});

describe('a cache file that cannot be used is ignored with a note, never a crash', () => {
  const dir = copyOf(join(PROJECTS, 'compose-replicas-over-budget'));
  const cold = cli(dir, ['--format', 'json']);
  const valid = join(scratch, 'valid.cache');
  cli(dir, ['--format', 'json', '--cache', '--cache-location', valid]);
  const validText = readFileSync(valid, 'utf8');

  const cases: Array<[string, string, RegExp]> = [
    ['corrupt', '{"tool": "pgconn-lint facts cache", "format": 1, garbage', /not valid \(truncated or corrupt\)/],
    ['truncated', validText.slice(0, Math.floor(validText.length / 2)), /not valid \(truncated or corrupt\)/],
    ['empty', '', /not valid/],
    ['binary', '\u0000\u0001\u0002\u00ff', /not valid/],
    ['another tool', JSON.stringify({ tool: 'eslint', files: {} }), /is not a pgconn-lint cache file/],
    ['an ESLint cache', '[{"/a.js":"1"},{"size":1,"mtime":2}]', /is not a pgconn-lint cache file/],
    ['another version', validText.replace(/"version":"[^"]*"/, '"version":"0.0.1-old"'), /written by pgconn-lint 0\.0\.1-old/],
    ['wrong shapes', wrongShapes(valid), /^$/],
  ];
  for (const [name, text, note] of cases) {
    it(name, () => {
      const file = join(scratch, `bad-${name.replace(/\W/g, '_')}.cache`);
      writeFileSync(file, text);
      const r = cli(dir, ['--format', 'json', '--cache', '--cache-location', file]);
      expect(r.stdout).toBe(cold.stdout);
      expect(r.code).toBe(cold.code);
      if (note.source === '^$') expect(r.stderr).toBe('');
      else expect(r.stderr).toMatch(new RegExp(`^pgconn-lint: note: .*${note.source}`));
      // Rewritten: the next run has nothing to say.
      const again = cli(dir, ['--format', 'json', '--cache', '--cache-location', file]);
      expect(again.stderr).toBe('');
      expect(again.stdout).toBe(cold.stdout);
    });
  }

  it('a cache file over the size bound is not read', () => {
    const file = join(scratch, 'huge.cache');
    writeFileSync(file, '');
    truncateSync(file, 129 * 1024 * 1024); // sparse: no disk used
    const r = cli(dir, ['--format', 'json', '--cache', '--cache-location', file]);
    expect(r.stdout).toBe(cold.stdout);
    expect(r.stderr).toMatch(/larger than 128 MiB: ignored/);
  });

  it('a location that cannot be written is a note; the run is the same', () => {
    const blocker = join(scratch, 'a-file');
    writeFileSync(blocker, 'x');
    const r = cli(dir, ['--format', 'json', '--cache', '--cache-location', join(blocker, 'cache')]);
    expect(r.stdout).toBe(cold.stdout);
    expect(r.stderr).toMatch(/cannot be written \((ENOTDIR|EEXIST)\)/);
  });

  it('a location that is a directory is not used as a file', () => {
    // lstat says directory: the file goes inside it (ESLint's rule), so nothing is wrong here.
    const d = join(scratch, 'cache-dir');
    mkdirSync(d);
    const r = cli(dir, ['--format', 'json', '--cache', '--cache-location', d]);
    expect(r.stderr).toBe('');
    expect(readdirSync(d)).toEqual([expect.stringMatching(/^\.cache_[0-9a-f]{16}$/)]);
  });

  it('a cache naming files outside the repository makes nothing outside it read', () => {
    const file = join(scratch, 'outside.cache');
    const p = copyOf(join(PROJECTS, 'monorepo-targets'));
    lintWithCache(p, file);
    const data = readCacheFile(file);
    data.js!.reads.unshift(['../../../../etc/passwd', 'bX'], ['/etc/passwd', 'bX']);
    data.js!.modules.unshift(['../outside.ts', 0]);
    writeCacheFile(file, data);
    const r = lintWithCache(p, file);
    expect(r.stats.analysisReused).toBe(false);
    expect(r.result.facts.sources.has('/etc/passwd')).toBe(false);
  });
});

describe('the cache file', () => {
  it('is written atomically (no temporary file left), readable by its owner only', () => {
    const dir = copyOf(join(PROJECTS, 'pm2-cluster'));
    const d = join(scratch, 'atomic');
    mkdirSync(d);
    cli(dir, ['--format', 'json', '--cache', '--cache-location', `${d}/`]);
    const names = readdirSync(d);
    expect(names).toHaveLength(1);
    expect(statSync(join(d, names[0]!)).mode & 0o777).toBe(0o600);
    expect(resolveCacheFile(`${d}/`, dir)).toBe(join(d, names[0]!));
  });

  it('--cache-location: a path ending with a separator is a directory, created when missing; the file is named after the working directory', () => {
    const dir = copyOf(join(PROJECTS, 'pm2-cluster'));
    expect(resolveCacheFile('.pgconn-lintcache', dir)).toBe(join(dir, '.pgconn-lintcache'));
    const a = resolveCacheFile('cachedir/', dir);
    expect(a).toMatch(/cachedir\/\.cache_[0-9a-f]{16}$/);
    expect(resolveCacheFile('cachedir/', `${dir}-other`)).not.toBe(a.replace(dir, `${dir}-other`));
    const r = cli(dir, ['--cache', '--cache-location', 'cachedir/', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(existsSync(a)).toBe(true);
  });

  it('--cache with no location writes .pgconn-lintcache in the working directory; without --cache nothing is written', () => {
    const dir = copyOf(join(PROJECTS, 'pm2-cluster'));
    cli(dir, ['--format', 'json']);
    expect(existsSync(join(dir, '.pgconn-lintcache'))).toBe(false);
    cli(dir, ['--format', 'json', '--cache', '--no-cache']);
    expect(existsSync(join(dir, '.pgconn-lintcache'))).toBe(false);
    cli(dir, ['--format', 'json', '--cache']);
    expect(existsSync(join(dir, '.pgconn-lintcache'))).toBe(true);
  });

  it('--cache-strategy takes metadata or content, and needs --cache', () => {
    const dir = copyOf(join(PROJECTS, 'pm2-cluster'));
    const bad = cli(dir, ['--cache', '--cache-strategy', 'mtime']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--cache-strategy expects metadata or content, got "mtime"');
    const alone = cli(dir, ['--cache-strategy', 'content']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--cache-strategy needs --cache');
  });

  it('never holds a password of the fixtures', () => {
    const texts: string[] = [];
    /** The sources as the frames show them: a password that is also an ordinary word there (`postgres`) says nothing. */
    const shown: string[] = [];
    const secrets = new Set<string>();
    for (const src of [PASSWORDS, ...readdirSync(PROJECTS).map((p) => join(PROJECTS, p))]) {
      const dir = copyOf(src);
      const file = join(scratch, `secrets-${n}.cache`);
      const { result } = lintWithCache(dir, file);
      lintWithCache(dir, file);
      texts.push(readFileSync(file, 'utf8'));
      // Every secret the redaction masks in any source file of the project.
      const redacted = redactedSources(result.model);
      for (const s of result.facts.sources.values()) {
        const red = redacted(s.file)!.text;
        shown.push(red);
        for (const secret of maskedParts(s.text, red)) if (secret.length >= 4) secrets.add(secret);
      }
    }
    expect(secrets).toContain('Zq9-cache-pw-literal');
    expect(secrets).toContain('Xv7-cache-pw-in-url');
    expect(secrets.size).toBeGreaterThan(5);
    // As a whole token: `secret` (a fixture's password) is also part of the specifier `@acme/secrets`.
    const token = (x: string) => new RegExp(`(?<![A-Za-z0-9_])${x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_])`);
    const checked = [...secrets].filter((x) => !shown.some((t) => token(x).test(t)));
    expect(checked.length).toBeGreaterThan(5);
    for (const secret of checked) for (const t of texts) expect(token(secret).test(t), `cache holds "${secret}"`).toBe(false);
    for (const t of texts) expect(t).not.toMatch(/Zq9-cache-pw-literal|Xv7-cache-pw-in-url/);
  });
});

/** The parts of `text` that `redacted` shows as `***` (line by line). */
function maskedParts(text: string, redacted: string): string[] {
  const out: string[] = [];
  const a = text.split('\n');
  const b = redacted.split('\n');
  for (let i = 0; i < a.length; i++) {
    const orig = a[i]!;
    const red = b[i] ?? '';
    if (orig === red) continue;
    const parts = red.split('***');
    let pos = 0;
    for (let k = 0; k < parts.length - 1; k++) {
      pos = orig.indexOf(parts[k]!, pos) + parts[k]!.length;
      const next = parts[k + 1] === '' ? orig.length : orig.indexOf(parts[k + 1]!, pos);
      if (next > pos) out.push(orig.slice(pos, next));
      pos = Math.max(pos, next);
    }
  }
  return out;
}

/** The valid cache file with an entry of the wrong shape among its entries (ignored without a note). */
function wrongShapes(valid: string): string {
  const copy = `${valid}.wrong-shapes`;
  const data = readCacheFile(valid);
  data.files = { 'x.ts': [1, 2, 3], ...data.files };
  writeCacheFile(copy, data);
  return readFileSync(copy, 'utf8');
}
