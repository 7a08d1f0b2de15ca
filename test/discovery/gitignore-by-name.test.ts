import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import ignore from 'ignore';
import { discover, mayMatchName, nameOnlyLayer, nameOnlyPatterns } from '../../src/discovery/discover.js';
import { tempProject } from '../support/lint-helpers.js';
import { prng } from '../support/prng.js';

/**
 * Discovery answers a .gitignore of name-only patterns by an entry's name, once per name
 * (src/discovery/discover.ts `IgnoreLayer.byName`), instead of testing every path with `ignore`.
 * These tests hold that shortcut to what testing each path gives, and to git's own answer.
 */

describe('nameOnlyPatterns', () => {
  it('accepts patterns that match an entry by its name at any depth', () => {
    expect(nameOnlyPatterns('node_modules/\ndist/\n*.log\n.env\n\n# comment\n!keep.log\n.next/\r\ncoverage/  \n')).toBe(true);
    expect(nameOnlyPatterns('')).toBe(true);
  });

  it('refuses patterns anchored to the .gitignore directory, with `**`, escapes or nothing but a slash', () => {
    for (const text of ['/build\n', 'docs/api\n', 'a/**\n', '**/tmp\n', 'x**y\n', '\\#notacomment\n', 'foo\\ \n', '/\n', '!/\n', 'ok\nsrc/generated/\n']) {
      expect(nameOnlyPatterns(text), JSON.stringify(text)).toBe(false);
    }
  });
});

describe('a name-only .gitignore answers by name inside directories walked into', () => {
  it('ignore(path) equals ignore(name) whenever no ancestor directory is ignored (2,000 random cases)', () => {
    const rand = prng(20261206);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const names = ['a', 'b', 'ab', 'x.ts', 'y.js', '.env', 'dist', 'build', 'a.log', 'b.log'];
    const patterns = ['a', 'b', 'ab', 'a*', '*b', '?b', '[ab]', '*.ts', '*.log', '.env', 'dist/', 'build/', 'a/', 'x.ts', '!a', '!b/', '!*.log', '!x.ts', '!dist/', '!ab'];
    let compared = 0;
    for (let n = 0; n < 2000; n++) {
      const lines = Array.from({ length: 1 + Math.floor(rand() * 5) }, () => pick(patterns));
      const text = lines.join('\n');
      expect(nameOnlyPatterns(text)).toBe(true);
      const ig = ignore().add(text);
      const depth = 1 + Math.floor(rand() * 4);
      const segments = Array.from({ length: depth }, () => pick(names));
      const isDir = rand() < 0.3;
      // The directories the walk would have gone through, each checked as `dir/`.
      let walked = true;
      for (let i = 1; i < depth && walked; i++) if (ig.ignores(`${segments.slice(0, i).join('/')}/`)) walked = false;
      if (!walked) continue;
      const suffix = isDir ? '/' : '';
      const name = segments[depth - 1]!;
      expect(ignore().add(text).ignores(`${segments.join('/')}${suffix}`), `${JSON.stringify(text)} ${segments.join('/')}${suffix}`).toBe(ig.ignores(`${name}${suffix}`));
      compared++;
    }
    expect(compared).toBeGreaterThan(800);
  });
});

describe("a name-only layer's literal text", () => {
  const layer = (text: string) => {
    const l = nameOnlyLayer(text);
    return l === undefined ? undefined : { literals: l.literals === undefined ? undefined : { exact: [...l.literals.exact], pieces: l.literals.pieces } };
  };
  it('is the name a pattern without a wildcard spells, else a piece of text the pattern needs in a name; a `!` pattern too (it decides when it matches)', () => {
    expect(layer('node_modules/\n*.log\n!keep.log\n.env\n# c\n')).toEqual({ literals: { exact: ['node_modules', 'keep.log', '.env'], pieces: ['.log'] } });
    expect(layer('*.ini\n!*\n')).toEqual({ literals: undefined });
    expect(layer('Cache-*.TMP\nab?cde\n x \nBuild/\n')).toEqual({ literals: { exact: [' x', 'build'], pieces: ['cache-', 'cde'] } });
    // With a character class only the text before the first wildcard counts.
    expect(layer('lib[]x]yz\n')).toEqual({ literals: { exact: [], pieces: ['lib'] } });
    expect(layer('l]b\n')).toEqual({ literals: { exact: [], pieces: ['l'] } });
    expect(layer('[ab]c.ts\n')).toEqual({ literals: undefined });
    expect(layer('*\n')).toEqual({ literals: undefined });
    expect(layer('caf\u00e9\n')).toEqual({ literals: undefined });
    expect(layer('*caf\u00e9\n')).toEqual({ literals: undefined });
    expect(layer('docs/api\n')).toBeUndefined();
  });

  it('a pattern without a wildcard is asked about the name it spells only, not a name holding it', () => {
    const l = nameOnlyLayer('build/\ndist\n.env\n')!.literals!;
    expect(['build', 'BUILD', 'dist', 'Dist', '.env'].map((n) => mayMatchName(n, l))).toEqual([true, true, true, true, true]);
    expect(['build-tenant.ts', 'rebuild', 'distance.ts', '.env.local', 'x.env'].map((n) => mayMatchName(n, l))).toEqual([false, false, false, false, false]);
  });

  it('a name it says no pattern can match is matched by no pattern, `!` or not (3,000 random cases, case-insensitive)', () => {
    const rand = prng(4242);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const patterns = ['a', 'Ab', 'a*', '*b', '?b', '[ab]c', 'x[!y]z', 'l[]i]b', 'l]b', '*.TS', '*.log', '.env', 'dist/', 'Build/', 'build', 'a?c*', '!a', '!*.log', '!dist', ' sp', 'q*q*q', 'ab c'];
    const names = ['a', 'A', 'ab', 'AB', 'b', 'c', 'ac', 'bc', 'cc', 'x.ts', 'Y.Ts', '.env', '.ENV', '.env.local', 'x.env', 'dist', 'distx', 'build', 'build-a.ts', 'rebuild', 'a.log', 'xyz', 'xzz', 'l]b', 'lib', 'abc', 'aXcY', ' sp', 'sp', 'qq', 'qqq', 'qaqbq', 'ab c', 'ab cd'];
    let filtered = 0;
    for (let n = 0; n < 3000; n++) {
      const text = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => pick(patterns)).join('\n');
      const layer = nameOnlyLayer(text);
      expect(layer, text).toBeDefined();
      if (layer!.literals === undefined) continue;
      const name = pick(names);
      const isDir = rand() < 0.3;
      if (mayMatchName(name, layer!.literals)) continue;
      filtered++;
      expect(ignore().add(text).test(isDir ? `${name}/` : name), `${JSON.stringify(text)} ${name}`).toEqual({ ignored: false, unignored: false });
    }
    expect(filtered).toBeGreaterThan(500);
  });
});

describe("the starting directory's .gitignore", () => {
  it('is one layer, loaded by the walk: read once, its note said once', () => {
    const dir = tempProject({ 'pgbouncer.ini': '[pgbouncer]\n' });
    symlinkSync('/proc/self/status', join(dir, '.gitignore'));
    const notes = discover({ cwd: dir, paths: [], ignorePatterns: [] }).notes.map((n) => n.message);
    expect(notes.filter((m) => m.startsWith('.gitignore'))).toEqual(['.gitignore is a system path (/proc, /sys, /dev): not read; its patterns are not applied.']);
  });
});

describe('discovery with name-only .gitignore files, against git', () => {
  const INI = '[pgbouncer]\nlisten_port = 6432\n';

  function gitVisible(dir: string, start = '.'): string[] {
    execFileSync('git', ['init', '-q'], { cwd: dir });
    const out = execFileSync('git', ['ls-files', '--others', '--exclude-standard', '-z', '--', start], { cwd: dir, encoding: 'utf8' });
    return out
      .split('\0')
      .filter((p) => p.endsWith('.ini'))
      .sort();
  }

  function discovered(dir: string, paths: string[] = []): string[] {
    return discover({ cwd: dir, paths, ignorePatterns: [] })
      .candidates.map((c) => relative(dir, c.path))
      .filter((p) => p.endsWith('.ini'))
      .sort();
  }

  it('finds what git lists, with nested layers, negations and directory-only patterns', () => {
    const dir = tempProject({
      '.gitignore': 'tmp/\n*.old.ini\n!keep.old.ini\ncache\n',
      'a/pooler.ini': INI,
      'a/b.old.ini': INI,
      'a/keep.old.ini': INI,
      'a/tmp/pooler.ini': INI,
      'a/deep/er/tmp.ini': INI,
      'a/deep/er/cache/pooler.ini': INI,
      'a/deep/er/keep.old.ini': INI,
      'svc/.gitignore': 'local.ini\n',
      'svc/local.ini': INI,
      'svc/x/local.ini': INI,
      'svc/x/main.ini': INI,
      'svc/tmp/inside.ini': INI,
      'cache.ini': INI,
    });
    const expected = gitVisible(dir);
    expect(expected).toContain('a/deep/er/tmp.ini');
    expect(expected).not.toContain('svc/x/local.ini');
    expect(discovered(dir)).toEqual(expected);
  });

  it("lets a deeper .gitignore's pattern override a shallower one's, both ways, as git does", () => {
    const dir = tempProject({
      '.gitignore': 'tmp/\n*.ini\n!top.ini\n',
      'top.ini': INI,
      'other.ini': INI,
      // A `!` pattern below re-includes what the root excludes: a directory and a file.
      'svc/.gitignore': '!tmp/\n!main.ini\n',
      'svc/main.ini': INI,
      'svc/other.ini': INI,
      'svc/tmp/main.ini': INI,
      // And deeper still, excluded again.
      'svc/x/.gitignore': 'main.ini\n',
      'svc/x/main.ini': INI,
      'svc/x/tmp/main.ini': INI,
      'app/tmp/main.ini': INI,
      'app/main.ini': INI,
    });
    const expected = gitVisible(dir);
    expect(expected).toEqual(['svc/main.ini', 'svc/tmp/main.ini', 'top.ini']);
    expect(discovered(dir)).toEqual(expected);
    // Started below the root: the root's and svc's layers are tested by path.
    expect(discovered(dir, ['svc'])).toEqual(expected.filter((p) => p.startsWith('svc/')));
  });

  it('a walk started below an ignored directory tests each path in full (the layers above were never checked)', () => {
    const dir = tempProject({
      '.gitignore': 'vendor/\n',
      'vendor/pkg/pooler.ini': INI,
      'vendor/pkg/sub/other.ini': INI,
      'app/pooler.ini': INI,
    });
    expect(gitVisible(dir, 'vendor/pkg')).toEqual([]);
    expect(discovered(dir, ['vendor/pkg'])).toEqual([]);
    expect(discovered(dir)).toEqual(['app/pooler.ini']);
  });
});
