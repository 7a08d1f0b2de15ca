import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { describe, expect, test } from 'vitest';
import { childPath, hasSegmentUnder, inside, resolved, resolvedFrom } from '../../src/core/paths.js';

/** The fast paths must give exactly what `path.resolve` gives, whatever the strings. */
describe('resolved / resolvedFrom: path.resolve without its allocations', () => {
  const pieces = ['a', 'b', 'db', 'lib', '.', '..', '', '...', '.a', 'a.', 'x.ts', ' ', 'é', '\\'];
  let seed = 11;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = () => pieces[Math.floor(next() * pieces.length)]!;
  const randomPath = (absolute: boolean) => {
    const n = Math.floor(next() * 6);
    const segs = Array.from({ length: n }, pick);
    return (absolute ? '/' : next() < 0.5 ? './' : '') + segs.join('/') + (next() < 0.1 ? '/' : '');
  };

  test.each(['/', '/a', '/a/b', '/a/b/', '//a', '/a//b', '/a/./b', '/a/../b', '/a/.', '/a/..', '/.', '/..', '/...', '/a/.b', 'a', './a', '', '/a/b.'])('resolved(%j)', (p) => {
    expect(resolved(p)).toBe(resolve(p));
  });

  test.each([
    ['/a/b', './c'],
    ['/a/b', '../c'],
    ['/a/b', '../../../c'],
    ['/a/b', '.'],
    ['/a/b', '..'],
    ['/a/b', ''],
    ['/a/b', './c/../../d'],
    ['/a/b', 'c/./d/'],
    ['/', '../x'],
    ['/', '.'],
    ['/a', '/abs/./x'],
    ['/a/./b', './c'],
    ['relative', './c'],
    ['/a/b', '.../c'],
    ['/a/b', './c//d'],
  ])('resolvedFrom(%j, %j)', (dir, spec) => {
    expect(resolvedFrom(dir, spec)).toBe(resolve(dir, spec));
  });

  test('3,000 random paths and specifiers', () => {
    for (let n = 0; n < 3000; n++) {
      const p = randomPath(next() < 0.8);
      expect([p, resolved(p)]).toEqual([p, resolve(p)]);
      const dir = randomPath(true);
      const spec = randomPath(next() < 0.1);
      expect([dir, spec, resolvedFrom(dir, spec)]).toEqual([dir, spec, resolve(dir, spec)]);
    }
  });
});

describe('inside / hasSegmentUnder / childPath: the answers of relative and join', () => {
  const insideRef = (file: string, dir: string) => {
    const r = relative(dir, file);
    return r === '' || (!r.startsWith('..') && !isAbsolute(r));
  };
  const segmentRef = (file: string, base: string, name: string) => relative(base, file).split(sep).includes(name);
  const paths = ['/', '/a', '/a/b', '/a/bc', '/a/b/c', '/a/..b/c', '/a/b/..', '/a/./b', '/ab', '/a/b/.git', '/a/b/.git/x', '/a/.git', '/a/b/x.git', '/a/b/.gitx', '/.git', 'a/b', '/a//b', '/a/b/'];
  test('every pair of paths', () => {
    for (const file of paths) {
      for (const dir of paths) {
        expect([file, dir, inside(file, dir)]).toEqual([file, dir, insideRef(file, dir)]);
        expect([file, dir, hasSegmentUnder(file, dir, '.git')]).toEqual([file, dir, segmentRef(file, dir, '.git')]);
      }
    }
  });
  test.each([
    ['/a', 'b'],
    ['/', 'b'],
    ['/a/', 'b'],
    ['/a', '.'],
    ['/a', '..'],
    ['/a', ''],
    ['/a', 'b/c'],
    ['/a/../b', 'c'],
    ['a', 'b'],
  ])('childPath(%j, %j)', (dir, name) => {
    expect(childPath(dir, name)).toBe(join(dir, name));
  });
});
