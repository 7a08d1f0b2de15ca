import { readFileSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { InputProblem } from './diagnostic.js';
import { rangeOnLine } from './location.js';

/** Config files larger than this are not parsed: no real postgresql.conf or pgbouncer.ini comes near it. */
export const DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024;

export type TextFile =
  | { ok: true; path: string; text: string; hasBom: boolean; problems: InputProblem[] }
  | { ok: false; path: string; problem: InputProblem };

const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * Is a path that stat did not find missing (ENOENT) rather than under a file (ENOTDIR)? Its nearest
 * existing ancestor is a directory. Checked without exceptions: module resolution asks about many
 * missing files, and building each ENOENT error cost ~30 µs (issue 11).
 */
function missingUnderDirectory(path: string): boolean {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const st = statSync(dir, { throwIfNoEntry: false });
    if (st !== undefined) return st.isDirectory();
    if (dirname(dir) === dir) return false;
  }
}

function errnoMessage(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'file not found';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return code ? `cannot be read (${code})` : 'cannot be read';
  }
}

export interface ReadTextOptions {
  /**
   * Source code: a NUL byte alone does not make a file binary. A NUL character is valid in
   * JavaScript source (ECMA-262 §12: source text is any Unicode code point; a template or string
   * literal may hold U+0000), and real code has one (a large ORM's repository does, in a template
   * string). Such a file is binary only when it is not valid UTF-8 either.
   */
  nulIsText?: boolean;
}

/**
 * Reads a file as text the way a linter needs it: never throws, reports
 * unreadable, binary, oversized and non-UTF-8 files as located problems.
 * The BOM is kept in `text` (PostgreSQL and PgBouncer read it as ordinary bytes);
 * parsers decide what it means.
 */
/** What `readTextFile` returns for a path that does not exist (ENOENT). */
export function missingFile(path: string): TextFile {
  return { ok: false, path, problem: { message: `File ${errnoMessage({ code: 'ENOENT' })}.`, range: rangeOnLine(path, 1, 1, 0) } };
}

export function readTextFile(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES, options: ReadTextOptions = {}): TextFile {
  const at = rangeOnLine(path, 1, 1, 0);
  let size: number;
  try {
    // Missing files (module resolution tries many) without an exception; ENOTDIR and the rest
    // still come from the throwing call, for their own message.
    const st = statSync(path, { throwIfNoEntry: false }) ?? (missingUnderDirectory(path) ? undefined : statSync(path));
    if (st === undefined) return missingFile(path);
    if (st.isDirectory()) return { ok: false, path, problem: { message: `${path} is a directory`, range: at } };
    // A FIFO, socket or device is never opened: it could block or never end (docs/security.md).
    if (!st.isFile()) return { ok: false, path, problem: { message: 'File is not a regular file (a FIFO, socket or device); it was not read.', severity: 'warning', range: at } };
    size = st.size;
  } catch (err) {
    return { ok: false, path, problem: { message: `File ${errnoMessage(err)}.`, range: at } };
  }
  if (size > maxBytes) {
    return {
      ok: false,
      path,
      problem: {
        message: `File is ${formatBytes(size)}, over the ${formatBytes(maxBytes)} limit for configuration files; it was not linted.`,
        help: 'Exclude it with --ignore-pattern, or raise "maxFileSize" in pgconn-lint.config.json if it really is a configuration file.',
        severity: 'warning',
        range: at,
      },
    };
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    return { ok: false, path, problem: { message: `File ${errnoMessage(err)}.`, range: at } };
  }
  const probe = bytes.subarray(0, 8192);
  const nul = probe.indexOf(0);
  if (nul !== -1 && !(options.nulIsText === true && decodes(bytes))) {
    return {
      ok: false,
      path,
      problem: {
        message: options.nulIsText === true
          ? `File is binary (NUL byte at offset ${nul}, and not valid UTF-8 at offset ${firstInvalidUtf8(bytes)}), not source code; it was not linted.`
          : `File is binary (NUL byte at offset ${nul}), not a text configuration file; it was not linted.`,
        range: at,
      },
    };
  }
  const problems: InputProblem[] = [];
  let text: string;
  try {
    text = fatalDecoder.decode(bytes);
  } catch {
    text = lenientDecoder.decode(bytes);
    const bad = firstInvalidUtf8(bytes);
    const before = lenientDecoder.decode(bytes.subarray(0, bad));
    const lines = before.split(/\r\n|\r|\n/);
    const line = lines.length;
    const column = (lines[lines.length - 1] ?? '').length + 1;
    problems.push({
      message: `File is not valid UTF-8 (first bad byte at offset ${bad}); invalid bytes are read as U+FFFD.`,
      help: 'Re-encode the file as UTF-8.',
      severity: 'warning',
      range: rangeOnLine(path, line, column, 1),
    });
  }
  const hasBom = text.charCodeAt(0) === 0xfeff;
  return { ok: true, path, text, hasBom, problems };
}

function decodes(bytes: Uint8Array): boolean {
  try {
    fatalDecoder.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n = 0;
    if (c < 0x80) n = 0;
    else if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) n = 2;
    else if (c >= 0xf0 && c <= 0xf4) n = 3;
    else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
    }
    i += n + 1;
  }
  return b.length;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return `${n} bytes`;
}

/**
 * Fills `buf` from the open file `fd`, starting at the file's byte `position`, until `buf` is full or
 * the file ends; the number of bytes read. (`readSync` may return fewer bytes than asked.)
 */
export function readFully(fd: number, buf: Buffer, position = 0): number {
  let n = 0;
  while (n < buf.length) {
    const r = readSync(fd, buf, n, buf.length - n, position + n);
    if (r === 0) break;
    n += r;
  }
  return n;
}
