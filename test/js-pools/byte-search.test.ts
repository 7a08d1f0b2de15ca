import { describe, expect, test } from 'vitest';
import { anchored, indexOfAnchored } from '../../src/sources/js/byte-search.js';
import { prng } from '../support/prng.js';

describe('indexOfAnchored: Buffer#indexOf of the needle, found through a piece of it', () => {
  const needles: Array<[string, number, number]> = [
    ['postgres', 4, 4],
    ['PrismaClient', 0, 7],
    ['abab', 2, 2],
    ['aaa', 1, 1],
    ['ab', 0, 2],
  ];
  test.each(needles)('%s through [%i, +%i) on random texts, from every start', (needle, offset, length) => {
    const a = anchored(needle, offset, length);
    const alphabet = [...new Set(`${needle}xé`)].join('');
    const next = prng(needle.length * 7919 + offset);
    for (let round = 0; round < 300; round++) {
      let text = '';
      const size = Math.floor(next() * 40);
      for (let i = 0; i < size; i++) text += next() < 0.2 ? needle : alphabet[Math.floor(next() * alphabet.length)]!;
      const whole = Buffer.from(`${text}${needle}`, 'utf8');
      // A view on a larger buffer (the reader's scratch): nothing past its end counts.
      const buf = whole.subarray(0, Buffer.byteLength(text, 'utf8'));
      for (let from = 0; from <= buf.length + 1; from++) expect(indexOfAnchored(buf, a, from)).toBe(buf.indexOf(a.needle, from));
    }
  });

  test('a piece outside the needle is refused', () => {
    expect(() => anchored('postgres', 6, 4)).toThrow(RangeError);
    expect(() => anchored('postgres', 0, 0)).toThrow(RangeError);
  });
});
