/**
 * Recorded readings of `pgconn-lint live` (fixtures/live-*\/…/live.json, the ```json blocks of
 * rules/live-*.md): a reading as src/live/read.ts returns it, where fields left out take the
 * defaults below (a PostgreSQL 18 server reached as postgres@db:5432/postgres with max_connections
 * 100, read by a superuser, no session). The live rules judge it against the project in the same
 * directory, exactly as `pgconn-lint live` does after reading a server.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ALL_RULES } from '../../rules/index.js';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import { isTargetLocation } from '../../src/core/location.js';
import type { LintResult } from '../../src/engine/lint.js';
import { judgeReadings } from '../../src/live/run.js';
import type { LiveReading, LiveSession, LiveSetting, PgbouncerReading, PostgresReading } from '../../src/live/types.js';
import { lint } from '../../src/engine/lint.js';
import { testConfig, type TestSettings } from './lint-helpers.js';

type Partial2<T> = { [K in keyof T]?: T[K] extends Array<infer U> ? Array<Partial<U>> : T[K] extends object ? Partial<T[K]> : T[K] };

interface RecordedReading {
  target?: Partial<LiveReading['target']>;
  result?: Partial2<PostgresReading> | Partial2<PgbouncerReading>;
  failure?: LiveReading['failure'];
  /** A session per entry of `sessions` is repeated this many times (fills a server without a long file). */
}

const SETTING_DEFAULTS: Record<string, Omit<LiveSetting, 'name'>> = {
  max_connections: { setting: '100', unit: null, vartype: 'integer', source: 'configuration file', sourcefile: null, sourceline: null, pendingRestart: false },
  superuser_reserved_connections: { setting: '3', unit: null, vartype: 'integer', source: 'default', sourcefile: null, sourceline: null, pendingRestart: false },
  reserved_connections: { setting: '0', unit: null, vartype: 'integer', source: 'default', sourcefile: null, sourceline: null, pendingRestart: false },
  idle_in_transaction_session_timeout: { setting: '0', unit: 'ms', vartype: 'integer', source: 'default', sourcefile: null, sourceline: null, pendingRestart: false },
  idle_session_timeout: { setting: '0', unit: 'ms', vartype: 'integer', source: 'default', sourcefile: null, sourceline: null, pendingRestart: false },
};

function session(s: Partial<LiveSession> & { repeat?: number }, i: number): LiveSession[] {
  const one = (k: number): LiveSession => ({
    pid: s.pid ?? 1000 + i * 100 + k,
    user: s.user ?? 'app',
    database: s.database ?? 'app',
    applicationName: s.applicationName ?? '',
    clientAddr: s.clientAddr ?? '10.0.0.5',
    state: s.state === undefined ? 'idle' : s.state,
    stateSeconds: s.stateSeconds === undefined ? 1 : s.stateSeconds,
    transactionSeconds: s.transactionSeconds ?? null,
    backendType: s.backendType === undefined ? 'client backend' : s.backendType,
    ...(s.query !== undefined ? { query: s.query } : {}),
  });
  return Array.from({ length: s.repeat ?? 1 }, (_, k) => one(k));
}

export function readingsOf(json: unknown): LiveReading[] {
  const list = (Array.isArray(json) ? json : [json]) as RecordedReading[];
  return list.map((r) => {
    const kind = r.target?.kind ?? ((r.result as { kind?: string } | undefined)?.kind === 'pgbouncer' ? 'pgbouncer' : 'postgresql');
    const database = r.target?.database ?? (kind === 'pgbouncer' ? 'pgbouncer' : 'postgres');
    const port = r.target?.port ?? (kind === 'pgbouncer' ? 6432 : 5432);
    const host = r.target?.host ?? (kind === 'pgbouncer' ? 'pgbouncer' : 'db');
    const user = r.target?.user ?? (kind === 'pgbouncer' ? 'pgbouncer' : 'postgres');
    const target = { kind, host, port, user, database, origin: '--url', display: `postgresql://${user}@${host}:${port}/${database}`, ...r.target } as LiveReading['target'];
    if (r.failure) return { target, result: undefined, failure: r.failure };
    if (kind === 'pgbouncer') {
      const b = (r.result ?? {}) as Partial<PgbouncerReading>;
      return { target, result: { kind: 'pgbouncer', version: b.version ?? 'PgBouncer 1.25.0', config: b.config ?? {}, pools: b.pools ?? [], databases: b.databases ?? [], clients: b.clients ?? [] } };
    }
    const p = (r.result ?? {}) as Partial2<PostgresReading> & { sessions?: Array<Partial<LiveSession> & { repeat?: number }> };
    const given = new Map((p.settings ?? []).map((s) => [s.name!, s]));
    const settings: LiveSetting[] = [...new Set([...Object.keys(SETTING_DEFAULTS), ...given.keys()])].map((name) => ({ name, ...(SETTING_DEFAULTS[name] ?? { setting: '', unit: null, vartype: 'string', source: 'configuration file', sourcefile: null, sourceline: null, pendingRestart: false }), ...given.get(name) }) as LiveSetting);
    const sessions = (p.sessions ?? []).flatMap((s, i) => session(s, i));
    const result: PostgresReading = {
      kind: 'postgresql',
      version: p.version ?? '18.1',
      versionNum: p.versionNum ?? 180001,
      currentUser: p.currentUser ?? target.user,
      superuser: p.superuser ?? true,
      seesAllSessions: p.seesAllSessions ?? true,
      settings,
      sessions,
      hiddenSessions: sessions.filter((s) => s.backendType === null).length,
    };
    return { target, result };
  });
}

/** The live rules `ruleIds` over the readings and the project in `dir` (its files linted as `pgconn-lint live dir` would). */
export function judgeRecorded(dir: string, json: unknown, ruleIds: string[], settings: TestSettings = {}, options: { showQueries?: boolean; server?: string } = {}): LintResult {
  const config = testConfig(ruleIds, settings);
  const model = lint({ cwd: dir, paths: [dir], ignorePatterns: [], config, rules: [] }).model;
  return judgeReadings(model, config, ALL_RULES, readingsOf(json), { showQueries: options.showQueries ?? false, ...(options.server ? { server: options.server } : {}) }).result;
}

export function readRecorded(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

/** `where severity rule`, stable for targets (their URL) and files (relative to `cwd`). */
export function describeLive(d: Diagnostic, cwd: string): string {
  const r = d.range;
  const where = isTargetLocation(r.file) ? r.file : `${relative(cwd, r.file)}:${r.line}:${r.column}-${r.endLine}:${r.endColumn}`;
  return `${where} ${d.severity} ${d.ruleId ?? 'fatal'}`;
}
