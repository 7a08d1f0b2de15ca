import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest's global setup: every test run gets a temp directory of its own, removed when the run
 * ends. The tests make hundreds of scratch projects (`mkdtempSync(join(tmpdir(), …))`) and not
 * every one is removed by its test; `os.tmpdir()` reads TMPDIR (TEMP and TMP on Windows) at each
 * call, and the test workers, started after this, inherit it. So a run leaves nothing in the
 * system's temp directory, whatever a test forgets.
 */
export default function setup(): () => void {
  const names = ['TMPDIR', 'TEMP', 'TMP'] as const;
  const before = names.map((n) => process.env[n]);
  const dir = mkdtempSync(join(tmpdir(), 'pgconn-lint-tests-'));
  // Open as the system's temp directory is (sticky, anyone may add entries): the tests run
  // PostgreSQL and PgBouncer as an unprivileged user (PostgreSQL refuses to run as root), and the
  // CLI as one, and those must reach the directories the tests make in here.
  chmodSync(dir, 0o1777);
  for (const n of names) process.env[n] = dir;
  return () => {
    names.forEach((n, i) => {
      if (before[i] === undefined) delete process.env[n];
      else process.env[n] = before[i];
    });
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
}
