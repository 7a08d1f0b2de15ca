import { isAbsolute, relative } from 'node:path';

/** Whether `file` is `dir` or lies under it (both absolute or both relative to the same base). */
export function inside(file: string, dir: string): boolean {
  const r = relative(dir, file);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}
