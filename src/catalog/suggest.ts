/**
 * "Did you mean …?" for unknown setting names (PostgreSQL and PgBouncer).
 * Optimal-string-alignment Damerau–Levenshtein distance: insert, delete,
 * substitute, and swap of two adjacent characters each cost 1.
 */
let rows: Int32Array[] = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

export function editDistance(a: string, b: string, limit = Infinity): number {
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  // Past `limit` the exact distance does not matter: a row whose every cell exceeds it ends the loop.
  // (A row's minimum never decreases by more than the transposition lookback allows, so two rows are checked.)
  // Three rolling rows: i-2, i-1, i (reused between calls: a file of thousands of unknown names
  // compares each with every known one).
  if (rows[0]!.length < m + 1) rows = [new Int32Array(m + 1), new Int32Array(m + 1), new Int32Array(m + 1)];
  let [prev2, prev, cur] = rows as [Int32Array, Int32Array, Int32Array];
  prev2.fill(0, 0, m + 1);
  cur.fill(0, 0, m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
        d = Math.min(d, prev2[j - 2]! + 1);
      }
      cur[j] = d;
    }
    if (limit !== Infinity) {
      let low = Infinity;
      for (let j = 0; j <= m; j++) low = Math.min(low, cur[j]!, prev[j]!);
      if (low > limit) return limit + 1;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]!;
}

/**
 * The candidate closest to `name` (compared case-insensitively), or undefined
 * when none is within `maxDistance`. The default allows about one edit per
 * three characters, at least 1 and at most 3, so short names do not match
 * everything. Ties go to the candidate that comes first in iteration order.
 */
export function closestName(name: string, candidates: Iterable<string>, maxDistance?: number): string | undefined {
  const needle = name.toLowerCase();
  const limit = maxDistance ?? Math.min(3, Math.max(1, Math.floor(needle.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    if (Math.abs(c.length - needle.length) > limit) continue;
    const d = editDistance(needle, c, limit);
    if (d <= limit && d < bestDistance) {
      best = candidate;
      bestDistance = d;
      if (d === 0) break;
    }
  }
  return best;
}
