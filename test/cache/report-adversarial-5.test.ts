/**
 * An adversarial review of cache format 5 (src/facts/cache.ts): the report reused without the
 * walk's candidates (the code files git's index did not hold, and those git names), the index's
 * paths searched in git's bytes, and a read still missing checked before git. Each test takes a
 * repository through an index manipulation or a name the earlier tests do not, then edits a code
 * file in place (its directory keeps its times, so the walk is reused: the path under test), and
 * checks that a warm run prints what a cold run prints. Helpers as in report-adversarial.test.ts.
 */
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FactsCache } from '../../src/facts/cache.js';
import { readCacheFile, writeCacheFile } from '../support/cache-file.js';
import { age, cli, commitAll, expectWarmSameAsCold, gitWith, reuseStats, settle, shop as shopIn } from '../support/git-repo.js';

const scratch = mkdtempSync(join(tmpdir(), 'pgconn-lint-report-adversarial-5-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const git = gitWith(scratch);
const literal = "export const url = 'postgres://app:Wq8vZr2KpL@db:5432/app';\n";
const pool = "import { Pool } from 'pg';\nexport const big = new Pool({ max: 50 });\n";

const shop = (name: string) => shopIn(scratch, name);

const repository = (dir: string) => commitAll(git, dir);

/** A shop in git, its report stored and reused; the cache file and the file the hook names. */
function stored(name: string, prepare?: (dir: string) => void, reused = true): { dir: string; cacheFile: string; plain: string } {
  const dir = shop(name);
  prepare?.(dir);
  repository(dir);
  const cacheFile = join(scratch, `${name}.cache`);
  const plain = join(dir, 'api/src/plain.ts');
  expectWarmSameAsCold(dir, cacheFile, plain, 'first run', ['json']);
  expect(reuseStats(dir, cacheFile).reportReused, 'the report is reused').toBe(reused);
  return { dir, cacheFile, plain };
}

/** The findings a cold run prints now differ from `before` (the edit matters). */
function changesFindings(dir: string, before: string): void {
  expect(cli(dir, ['--format', 'json', '.']).stdout, 'the edit changes the findings').not.toBe(before);
}

describe('index manipulations, each followed by an edit in place', () => {
  const cases: Array<[string, (dir: string) => void]> = [
    ['assume-unchanged', (dir) => git(dir, 'update-index', '--assume-unchanged', 'api/src/other.ts')],
    ['skip-worktree', (dir) => git(dir, 'update-index', '--skip-worktree', 'api/src/other.ts')],
    ['force-remove', (dir) => git(dir, 'update-index', '--force-remove', 'api/src/other.ts')],
    ['rm --cached then commit', (dir) => (git(dir, 'rm', '-q', '--cached', 'api/src/other.ts'), git(dir, 'commit', '-q', '-m', 'drop'))],
    ['rm --cached, commit, reset --soft', (dir) => (git(dir, 'rm', '-q', '--cached', 'api/src/other.ts'), git(dir, 'commit', '-q', '-m', 'drop'), git(dir, 'reset', '-q', '--soft', 'HEAD~1'))],
    ['rm --cached, commit, reset --mixed', (dir) => (git(dir, 'rm', '-q', '--cached', 'api/src/other.ts'), git(dir, 'commit', '-q', '-m', 'drop'), git(dir, 'reset', '-q', '--mixed', 'HEAD~1'))],
    ['rm --cached, amend', (dir) => (git(dir, 'rm', '-q', '--cached', 'api/src/other.ts'), git(dir, 'commit', '-q', '--amend', '-m', 'init'))],
    ['read-tree of an empty tree', (dir) => git(dir, 'read-tree', '--empty')],
    ['read-tree HEAD after an empty commit', (dir) => (git(dir, 'commit', '-q', '--allow-empty', '-m', 'e'), git(dir, 'read-tree', 'HEAD~1'))],
    ['another branch without the file, index only', (dir) => (git(dir, 'checkout', '-q', '-b', 'other'), git(dir, 'rm', '-q', '--cached', 'api/src/other.ts'), git(dir, 'commit', '-q', '-m', 'drop'), git(dir, 'symbolic-ref', 'HEAD', 'refs/heads/master'), git(dir, 'read-tree', 'other'))],
    ['stash of a staged removal', (dir) => (git(dir, 'rm', '-q', '--cached', 'api/src/other.ts'), git(dir, 'stash', '-q'), git(dir, 'stash', 'pop', '-q', '--index'))],
  ];
  for (const [label, manipulate] of cases) {
    for (const [what, text] of [['a connection string', literal], ['a pool', pool]] as const) {
      it(`${label}, then ${what} appended`, () => {
        const name = `${label}-${what}`.replace(/[^a-z]+/g, '-');
        const { dir, cacheFile, plain } = stored(name, (d) => git(scratch, '-C', scratch, 'init', '-q', '--initial-branch=master', d));
        const before = cli(dir, ['--format', 'json', '.']).stdout;
        manipulate(dir);
        settle();
        expectWarmSameAsCold(dir, cacheFile, plain, 'manipulated', ['json']);
        appendFileSync(join(dir, 'api/src/other.ts'), text);
        changesFindings(dir, before);
        expectWarmSameAsCold(dir, cacheFile, plain, 'then edited');
      });
    }
  }
});

describe('names and kinds of file git speaks of in bytes', () => {
  const names = ['ünïcödé näme.ts', '[id].ts', 'a "quoted" \'name\'.ts', 'back\\slash.ts', 'tab\tand ,comma.ts', 'x","js"].ts', '😀.ts', 'Plain.ts'];
  it('names with non-ASCII, spaces, brackets, quotes: tracked ones edited, then untracked ones', () => {
    const { dir, cacheFile, plain } = stored('odd-names', (d) => {
      for (const n of names) writeFileSync(join(d, 'api/src', n), 'export const n = 1;\n');
    });
    for (const n of names) {
      const before = cli(dir, ['--format', 'json', '.']).stdout;
      appendFileSync(join(dir, 'api/src', n), literal);
      changesFindings(dir, before);
      expectWarmSameAsCold(dir, cacheFile, join(dir, 'api/src', n), `${n} edited`, ['json']);
      git(dir, 'commit', '-q', '-am', n);
      settle();
      expectWarmSameAsCold(dir, cacheFile, plain, `${n} committed`, ['json']);
    }
    for (const n of names) git(dir, 'rm', '-q', '--cached', `api/src/${n}`);
    git(dir, 'commit', '-q', '-m', 'untrack');
    settle();
    expectWarmSameAsCold(dir, cacheFile, plain, 'untracked', ['json']);
    for (const n of names) {
      appendFileSync(join(dir, 'api/src', n), pool);
      expectWarmSameAsCold(dir, cacheFile, plain, `${n} untracked, edited`, ['json']);
    }
  });

  it('a tracked file that .gitignore matches, edited', () => {
    const { dir, cacheFile, plain } = stored('tracked-ignored', (d) => writeFileSync(join(d, '.gitignore'), 'other.ts\n'));
    git(dir, 'add', '-f', 'api/src/other.ts');
    git(dir, 'commit', '-q', '-m', 'forced');
    settle();
    expectWarmSameAsCold(dir, cacheFile, plain, 'forced in', ['json']);
    appendFileSync(join(dir, 'api/src/other.ts'), literal);
    expectWarmSameAsCold(dir, cacheFile, plain, 'edited');
  });

  it('a code file that is a tracked symbolic link to a file git ignores: its target edited', () => {
    // (The walk is not kept with a link among its files, so no report is stored: held by that.)
    const dir = shop('linked-code');
    mkdirSync(join(dir, 'api/local'));
    writeFileSync(join(dir, 'api/local/real.ts'), 'export const real = 1;\n');
    symlinkSync('../local/real.ts', join(dir, 'api/src/linked.ts'));
    writeFileSync(join(dir, '.gitignore'), 'local/\n');
    repository(dir);
    const cacheFile = join(scratch, 'linked-code.cache');
    const plain = join(dir, 'api/src/plain.ts');
    expectWarmSameAsCold(dir, cacheFile, plain, 'first run', ['json']);
    settle();
    expectWarmSameAsCold(dir, cacheFile, plain, 'second run', ['json']);
    const before = cli(dir, ['--format', 'json', '.']).stdout;
    appendFileSync(join(dir, 'api/local/real.ts'), pool);
    expect(git(dir, 'status', '--porcelain')).toBe('');
    changesFindings(dir, before);
    expectWarmSameAsCold(dir, cacheFile, plain, 'target edited');
  });

  it('a submodule’s code file edited', () => {
    const sub = join(scratch, 'sub-origin');
    mkdirSync(sub);
    writeFileSync(join(sub, 'lib.ts'), 'export const lib = 1;\n');
    age(sub);
    git(sub, 'init', '-q');
    git(sub, 'add', '-A');
    git(sub, 'commit', '-q', '-m', 'sub');
    const { dir, cacheFile, plain } = stored('with-submodule', (d) => {
      git(scratch, '-C', scratch, 'init', '-q', d);
      git(d, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub, 'api/vendor');
      age(d);
    });
    appendFileSync(join(dir, 'api/vendor/lib.ts'), literal);
    expectWarmSameAsCold(dir, cacheFile, plain, 'submodule file edited');
  });
});

describe('the cache file as input: outside the repository, corrupt, replaced while read', () => {
  it('a report whose untracked code files name one outside the repository: nothing outside is asked about, the report is not reused', () => {
    const { dir, cacheFile, plain } = stored('untracked-outside');
    // A file outside the root, and an entry that matches its size and mtime (a stat would vouch for it).
    const outside = join(scratch, 'outside.ts');
    writeFileSync(outside, 'export const o = 1;\n');
    const st = statSync(outside);
    const data = readCacheFile(cacheFile) as ReturnType<typeof readCacheFile> & { report: { code: { untracked: string[] } } };
    data.report.code.untracked.push('../outside.ts');
    data.files['../outside.ts'] = [st.size, st.mtimeMs, null, 0, 0];
    writeCacheFile(cacheFile, data);
    expect(reuseStats(dir, cacheFile).reportReused, 'a path outside the root is not vouched for by a stat').toBe(false);
    expectWarmSameAsCold(dir, cacheFile, plain, 'after', ['json']);
  });

  it('format 5 damaged in its entries: ignored with a note, or its entries unused; the output is a cold run’s', () => {
    const { dir, cacheFile, plain } = stored('damaged-5');
    const cold = cli(dir, ['--format', 'json', '.']);
    const valid = readFileSync(cacheFile);
    const nl = valid.indexOf(0x0a);
    const header = JSON.parse(valid.subarray(0, nl).toString('utf8')) as { buckets: number[]; sections: Record<string, [number, number]>; format: number };
    const withHeader = (h: object) => Buffer.concat([Buffer.from(JSON.stringify(h)), valid.subarray(nl)]);
    const entriesAt = nl + 1 + header.sections.files![0];
    const garbled = Buffer.from(valid);
    for (let i = entriesAt + 1; i < garbled.length - 1; i++) if (garbled[i] === 0x5b) garbled[i] = 0x7b; // every `[` a `{`
    const cases: Array<[string, Buffer, RegExp | undefined]> = [
      ['buckets not ascending', withHeader({ ...header, buckets: [...header.buckets].reverse() }), /not valid \(truncated or corrupt\)/],
      ['buckets too few', withHeader({ ...header, buckets: header.buckets.slice(1) }), /not valid \(truncated or corrupt\)/],
      ['buckets past the section', withHeader({ ...header, buckets: header.buckets.map((b, i) => (i === 256 ? b + 10 : b)) }), /not valid \(truncated or corrupt\)/],
      ['truncated in its entries', valid.subarray(0, entriesAt + 5), /not valid \(truncated or corrupt\)/],
      ['format 4', withHeader({ ...header, format: 4 }), /another format/],
      ['entries garbled', garbled, undefined],
    ];
    for (const [name, bytes, note] of cases) {
      writeFileSync(cacheFile, bytes);
      const r = cli(dir, ['--format', 'json', '--cache', '--cache-location', cacheFile, '.']);
      expect(r.stdout, name).toBe(cold.stdout);
      expect(r.code, name).toBe(cold.code);
      if (note !== undefined) expect(r.stderr, name).toMatch(note);
      expectWarmSameAsCold(dir, cacheFile, plain, `${name}, then`, ['json']);
    }
  });

  it('a cache file renamed over the one being read, between its header and a bucket: the new entries are not used', () => {
    const { dir, cacheFile } = stored('replaced-5');
    const first = `${cacheFile}.first`;
    copyFileSync(cacheFile, first);
    // Another state: other.ts imports pg now (its entry's verdict differs).
    appendFileSync(join(dir, 'api/src/other.ts'), pool);
    settle();
    cli(dir, ['--format', 'json', '--cache', '--cache-location', cacheFile, '.']);
    const second = readCacheFile(cacheFile).files['api/src/other.ts'];
    expect(second, 'the second file holds an entry for it').toBeDefined();
    const reader = join(scratch, 'replaced-5.reader.cache');
    copyFileSync(first, reader);
    const notes: string[] = [];
    const cache = new FactsCache({ file: reader, strategy: 'metadata', onNote: (m) => notes.push(m) }, dir, 1024 * 1024);
    copyFileSync(cacheFile, `${reader}.tmp`);
    renameSync(`${reader}.tmp`, reader);
    const entry = (cache as unknown as { oldEntry(rel: string): unknown }).oldEntry('api/src/other.ts');
    expect(entry, 'no entry from the file renamed over it').toBeUndefined();
    expect(notes).toEqual([]);
  });
});

describe('what git compares with', () => {
  it('a replace ref for HEAD (git replace): the same HEAD id, another tree', () => {
    const { dir, cacheFile, plain } = stored('replaced-head');
    // A commit like HEAD but for other.ts, which opens a pool: made in a clone, fetched here.
    const clone = join(scratch, 'replaced-head-clone');
    git(scratch, 'clone', '-q', dir, clone);
    appendFileSync(join(clone, 'api/src/other.ts'), pool);
    git(clone, 'commit', '-q', '-a', '--amend', '-m', 'init');
    git(dir, 'fetch', '-q', clone, 'HEAD');
    const before = cli(dir, ['--format', 'json', '.']).stdout;
    git(dir, 'replace', 'HEAD', 'FETCH_HEAD');
    git(dir, 'read-tree', 'HEAD');
    // other.ts written in place with the replacement's text: git status sees nothing.
    writeFileSync(join(dir, 'api/src/other.ts'), readFileSync(join(clone, 'api/src/other.ts')));
    expect(git(dir, 'status', '--porcelain')).toBe('');
    changesFindings(dir, before);
    expectWarmSameAsCold(dir, cacheFile, plain, 'HEAD replaced, the file edited to match');
  });
});

describe('what git compares: the text after its clean conversion (.gitattributes), not the bytes', () => {
  it('`ident` (an attribute the repository itself ships): code hidden in a `$Id: … $` span of an edited line', () => {
    // Git compares the text only when the size is the one its index recorded: the same size here.
    const hidden = "export const other = 2; /*$Id: */ import { Pool } from 'pg'; export const big = new Pool({ max: 50 }); /* $*/\n";
    const head = 'export const other = 2; /*$Id: ';
    const padded = `${head}${'x'.repeat(hidden.length - head.length - ' $*/\n'.length)} $*/\n`;
    // Git vouches for nothing in a repository that sets `ident` (src/facts/git-changes.ts `hidingAttributes`).
    const { dir, cacheFile, plain } = stored(
      'ident',
      (d) => {
        writeFileSync(join(d, '.gitattributes'), '*.ts ident\n');
        writeFileSync(join(d, 'api/src/other.ts'), padded);
      },
      false,
    );
    const before = cli(dir, ['--format', 'json', '.']).stdout;
    // Git's clean conversion collapses `$Id: …$` to `$Id$`: the blob is HEAD's, status is empty.
    writeFileSync(join(dir, 'api/src/other.ts'), hidden);
    expect(git(dir, 'status', '--porcelain')).toBe('');
    changesFindings(dir, before);
    expectWarmSameAsCold(dir, cacheFile, plain, 'edited inside $Id: …$');
  });

  it('a `filter` set in .git/info/attributes (a macro): git vouches for nothing', () => {
    const { dir, cacheFile } = stored('info-filter', undefined);
    mkdirSync(join(dir, '.git/info'), { recursive: true });
    writeFileSync(join(dir, '.git/info/attributes'), '[attr]secret filter=crypt\n*.ts secret\n');
    expect(reuseStats(dir, cacheFile).reportReused, 'the report is not reused').toBe(false);
  });

  it('attributes that only convert line ends, or unset `ident`: git still vouches', () => {
    stored('eol-only', (d) => writeFileSync(join(d, '.gitattributes'), '* text=auto eol=lf\n*.ts -ident\n*.js !filter\n'));
  });
});
