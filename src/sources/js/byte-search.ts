/**
 * `Buffer#indexOf` for a needle, through a piece of it whose first byte is rare in code.
 *
 * Node's search (src/string_search.h, `kBMMinPatternLength` = 8) looks for the needle's first byte
 * with `memchr` when the needle is shorter than 8 bytes, and starts so for longer ones but turns to
 * Boyer-Moore-Horspool, then Boyer-Moore, once that goes badly. Over code both are slow when the
 * needle starts with a letter code is full of: on the 50,000-file bench
 * tree (330 MB) one pass for `postgres` took 205 ms of CPU, one for its piece `gres` 60 ms; for
 * `PrismaClient` 59 ms, for `PrismaC` 35 ms (docs/decisions.md D63). Every occurrence of the
 * needle holds the piece at the same offset, so visiting the piece's occurrences visits every
 * occurrence of the needle, in order.
 */
export interface Anchored {
  needle: Buffer;
  /** The piece searched for: `needle[offset, offset + piece.length)`. */
  piece: Buffer;
  offset: number;
}

export function anchored(needle: string, offset: number, length: number): Anchored {
  const n = Buffer.from(needle, 'latin1');
  if (offset < 0 || length < 1 || offset + length > n.length) throw new RangeError(`no piece [${offset}, ${offset + length}) in ${needle}`);
  return { needle: n, piece: n.subarray(offset, offset + length), offset };
}

/** The index of the first occurrence of `a.needle` in `buf` at or after `from`, or -1. */
export function indexOfAnchored(buf: Uint8Array & { indexOf: Buffer['indexOf'] }, a: Anchored, from = 0): number {
  const { needle, piece, offset } = a;
  for (let p = buf.indexOf(piece, from + offset); p !== -1; p = buf.indexOf(piece, p + 1)) {
    const i = p - offset;
    if (i + needle.length > buf.length) return -1;
    let k = 0;
    while (k < needle.length && buf[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}
