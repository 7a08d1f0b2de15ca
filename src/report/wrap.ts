/**
 * Word wrapping for terminal output (stylish findings, the budget's notes). Widths are counted in
 * code points, the text is split at spaces only: a word longer than the line (a URL, a path) stays
 * whole on a line of its own, so nothing a reader may copy is ever cut.
 */

/** Columns of the terminal when it is one, else `COLUMNS` when set to a sane number, else 80. */
export function outputWidth(ttyColumns: number | undefined, env: Record<string, string | undefined>): number {
  if (ttyColumns !== undefined && ttyColumns > 0) return clampWidth(ttyColumns);
  const c = Number(env.COLUMNS);
  if (env.COLUMNS !== undefined && Number.isInteger(c) && c > 0) return clampWidth(c);
  return 80;
}

/** Below 40 columns nothing fits anyway; above 1000 wrapping means nothing. */
function clampWidth(n: number): number {
  return Math.min(1000, Math.max(40, n));
}

function len(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * `text` cut into lines of at most `width` code points: the first starts after a prefix of
 * `firstUsed` columns already on the line, the others are indented by `indent` spaces (included
 * in the returned strings). Runs of spaces at a break disappear; other spaces are kept.
 */
export function wrapWords(text: string, width: number, firstUsed: number, indent: number): string[] {
  const words = text.split(' ');
  const lines: string[] = [];
  let cur = '';
  let curLen = 0;
  let room = width - firstUsed;
  const pad = ' '.repeat(indent);
  for (const w of words) {
    const wl = len(w);
    if (cur === '' && curLen === 0) {
      cur = w;
      curLen = wl;
      continue;
    }
    if (curLen + 1 + wl <= room || w === '') {
      cur += ' ' + w;
      curLen += 1 + wl;
      continue;
    }
    lines.push(cur.trimEnd());
    cur = w;
    curLen = wl;
    room = width - indent;
  }
  lines.push(cur);
  return lines.map((l, i) => (i === 0 ? l : pad + l));
}
