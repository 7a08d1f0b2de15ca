import type { InputProblem } from '../../core/diagnostic.js';
import { LineIndex } from '../../core/location.js';
import type { PgbouncerAuthFile, PgbouncerAuthUser } from './types.js';

/**
 * Reads a PgBouncer auth_file ("userlist.txt") like src/loader.c load_auth_file():
 * - leading whitespace and empty lines are skipped; a line whose first non-blank character is ';'
 *   is a comment (only ';' — a '#' line is "broken auth file");
 * - `"user"` then anything up to the next `"`, then `"secret"`; `""` inside quotes is a literal quote;
 *   the rest of the line is ignored;
 * - on a malformed line PgBouncer logs "broken auth file" and stops reading, keeping the users read so far;
 * - user names of MAX_USERNAME (128) bytes or more and secrets of MAX_PASSWORD (2048) bytes or more
 *   stop reading too (include/bouncer.h, 1.17–1.25).
 * The secret is only classified (src/scram.c get_password_type), never kept.
 */

const MAX_USERNAME = 128;
const MAX_PASSWORD = 2048;
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/** src/scram.c get_password_type: md5 + 32 lower-case hex, a SCRAM-SHA-256 secret, else plain text. */
function secretKind(secret: string): PgbouncerAuthUser['secretKind'] {
  if (secret === '') return 'empty';
  if (/^md5[0-9a-f]{32}$/.test(secret)) return 'md5';
  // parse_scram_secret: SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, keys are 32 bytes in base64.
  if (/^SCRAM-SHA-256\$\d+:[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/.test(secret)) return 'scram';
  return 'plain';
}

export function parseUserlist(text: string, file: string): PgbouncerAuthFile {
  const idx = new LineIndex(text);
  const users: PgbouncerAuthUser[] = [];
  const problems: InputProblem[] = [];
  const n = text.length;
  // find_quote(): next '"'; unless `start`, a doubled quote is skipped as an escaped one.
  const findQuote = (i: number, start: boolean): number => {
    for (;;) {
      while (i < n && text[i] !== '"') i++;
      if (!start && text[i] === '"' && text[i + 1] === '"') {
        i += 2;
        continue;
      }
      return i;
    }
  };
  const broken = (pos: number, message: string, help: string): void => {
    const eol = text.indexOf('\n', pos);
    const end = Math.max(pos + 1, eol < 0 ? n : eol);
    problems.push({ message: `${message}; PgBouncer stops reading the auth file here, users below this line are unknown to it.`, help, range: idx.range(file, pos, Math.min(end, n)) });
  };

  let p = 0;
  while (p < n) {
    while (p < n && isSpace(text.charCodeAt(p))) p++;
    if (p >= n) break;
    if (text[p] === ';') {
      while (p < n && text[p] !== '\n') p++;
      continue;
    }
    const lineStart = p;
    if (text[p] !== '"') {
      broken(p, text[p] === '#' ? 'Comment lines in an auth file start with ";" ("#" is not a comment there): "broken auth file"' : 'Auth file line does not start with a double-quoted user name: "broken auth file"', 'Each line is "username" "secret"; comments start with ;.');
      break;
    }
    const userStart = ++p;
    p = findQuote(p, false);
    if (text[p] !== '"') {
      broken(lineStart, 'User name has no closing double quote: "broken auth file"', 'Each line is "username" "secret".');
      break;
    }
    const rawUser = text.slice(userStart, p);
    if (utf8Length(rawUser) >= MAX_USERNAME) {
      broken(lineStart, `User name is ${utf8Length(rawUser)} bytes, PgBouncer allows at most ${MAX_USERNAME - 1}: "username too long in auth file"`, 'Shorten the user name.');
      break;
    }
    const userEnd = p;
    p++;
    p = findQuote(p, true);
    if (text[p] !== '"') {
      broken(lineStart, 'No double-quoted secret after the user name: "broken auth file"', 'Each line is "username" "secret" (use "" for no password).');
      break;
    }
    const secretStart = ++p;
    p = findQuote(p, false);
    if (text[p] !== '"') {
      broken(lineStart, 'Secret has no closing double quote: "broken auth file"', 'Close the secret with ".');
      break;
    }
    const rawSecretLength = utf8Length(text.slice(secretStart, p));
    if (rawSecretLength >= MAX_PASSWORD) {
      broken(lineStart, `Secret is ${rawSecretLength} bytes, PgBouncer allows at most ${MAX_PASSWORD - 1}: "password too long in auth file"`, 'Use a SCRAM or md5 secret instead of a long plain-text password.');
      break;
    }
    // loader.c copy_quoted(): a '"' is dropped and the next character copied, so "" becomes ".
    const kind = secretKind(text.slice(secretStart, p).replace(/""/g, '"'));
    users.push({ name: rawUser.replace(/""/g, '"'), range: idx.range(file, userStart - 1, userEnd + 1), secretKind: kind });
    p++;
    while (p < n && text[p] !== '\n') p++;
  }
  return { path: file, users, problems };
}
