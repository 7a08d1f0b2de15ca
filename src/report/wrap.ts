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

/**
 * A help text (`--help`, `budget --help`, `live --help`) laid out for `width` columns. Option rows
 * start their description at one column (the indent of the text's continuation lines); a row and
 * its continuation lines are one description, re-wrapped at that column when a line of it is too
 * long. Other lines that are too long are wrapped at their own indent. What fits is kept as written.
 */
export function fitHelpText(text: string, width: number): string {
  const lines = text.split('\n');
  const indentOf = (l: string) => /^ */.exec(l)![0].length;
  // The description column: the commonest indent of continuation lines (deep-indented lines).
  const counts = new Map<number, number>();
  for (const l of lines) if (l.trim() !== '' && indentOf(l) >= 16) counts.set(indentOf(l), (counts.get(indentOf(l)) ?? 0) + 1);
  const col = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0];
  const isRow = (l: string) => col !== undefined && /^ +-/.test(l) && l.length > col && l[col - 1] === ' ' && l[col] !== ' ';
  const isContinuation = (l: string) => col !== undefined && l.trim() !== '' && indentOf(l) === col;
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (isRow(line) || isContinuation(line)) {
      const group = [line];
      while (i + 1 < lines.length && isContinuation(lines[i + 1]!)) group.push(lines[++i]!);
      if (group.every((g) => len(g) <= width)) {
        out.push(...group);
        continue;
      }
      const head = line.slice(0, col).trimEnd();
      const description = group.map((g, k) => (k === 0 ? g.slice(col) : g.trim())).join(' ').trim();
      const at = col! <= width - 20 ? col! : Math.min(8, col!);
      // An option longer than the column (`--suppressions-location <file>`) keeps its line.
      if (head.trim() !== '' && len(head) + 1 <= at && col! <= width - 20) {
        const [first, ...rest] = wrapWords(description, width, at, at);
        out.push(head.padEnd(at) + first, ...rest);
      } else {
        if (head.trim() !== '') out.push(head);
        const [first, ...rest] = wrapWords(description, width, at, at);
        out.push(' '.repeat(at) + first, ...rest);
      }
      continue;
    }
    if (len(line) <= width) {
      out.push(line);
      continue;
    }
    const lead = indentOf(line);
    const [first, ...rest] = wrapWords(line.slice(lead), width, lead, lead);
    out.push(' '.repeat(lead) + first, ...rest);
  }
  return out.join('\n');
}
