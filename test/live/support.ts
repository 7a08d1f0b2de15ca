/**
 * Helpers of the live tests: the fixture project copied out of the repository, the CLI run as the
 * `pgconn-lint` command runs it (runCliAsync), and node-postgres clients opened and closed by the test.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { runCliAsync } from '../../src/cli/main.js';

export const FIXTURE = resolve(__dirname, '../../fixtures/projects/live-near-limit');

/** The fixture copied to a temp dir (outside this repository's .git and .gitignore), with a config of low thresholds. */
export function projectCopy(config?: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgconn-lint-live-'));
  cpSync(FIXTURE, dir, { recursive: true });
  if (config !== undefined) writeFileSync(join(dir, 'pgconn-lint.config.json'), JSON.stringify(config, null, 2));
  return dir;
}

/** Thresholds a test can wait for: idle in a transaction for 1 s, idle for 1.2 s. */
export const LOW_THRESHOLDS = {
  rules: {
    'live-idle-in-transaction': ['warn', { thresholdSeconds: 1 }],
    'live-idle-connections': ['warn', { thresholdMinutes: 0.02 }],
  },
};

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export async function runLiveCli(args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const started = Date.now();
  const code = await runCliAsync(args, { cwd, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env });
  return { code, stdout, stderr, ms: Date.now() - started };
}

/** Clients the test opens; `closeAll` ends them (a pending query then fails, which is ignored). */
export class Clients {
  private readonly list: pg.Client[] = [];
  async open(config: pg.ClientConfig): Promise<pg.Client> {
    const c = new pg.Client(config);
    c.on('error', () => undefined);
    await c.connect();
    this.list.push(c);
    return c;
  }
  async closeAll(): Promise<void> {
    await Promise.all(this.list.splice(0).map((c) => c.end().catch(() => undefined)));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** ESLint-JSON output → `ruleId @ where: message` lines, sorted. */
export function findings(json: string): Array<{ ruleId: string; filePath: string; line: number; message: string; suggestion?: string; severity: number }> {
  const files = JSON.parse(json) as Array<{ filePath: string; messages: Array<{ ruleId: string; line: number; message: string; suggestion?: string; severity: number }> }>;
  return files.flatMap((f) => f.messages.map((m) => ({ ruleId: m.ruleId, filePath: f.filePath, line: m.line, message: m.message, severity: m.severity, ...(m.suggestion ? { suggestion: m.suggestion } : {}) })));
}
