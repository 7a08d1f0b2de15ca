import { basename, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import type { SourceRange } from '../src/core/location.js';
import { defineRule } from '../src/engine/rule.js';
import { distinctConnectionValues } from '../src/model/connections.js';
import { classifyPassword, connectionPasswordKind, isStandInPassword, literalPasswordText } from '../src/model/connections/credentials.js';
import { redactSecrets } from '../src/core/redact.js';
import { isParseError, parseConnectionString } from '../src/sources/connection-url/parse.js';
import { isTracked } from '../src/discovery/git-tracked.js';

/** Non-production code (codePaths.nonProduction) replaced the old default list of test folders. */
export const DEFAULT_ALLOW = '';

/**
 * A host whose password protects nothing outside the machine or the test network: a socket or no
 * host (libpq's local default), loopback, Docker's host alias, a single-label name (a compose
 * service: `db`, `postgres`), or a name reserved for tests and documentation (RFC 2606 §2–3:
 * `.test`, `.example`, `.invalid`, `.localhost`, example.com/.net/.org; RFC 6762: `.local`).
 */
export function isThrowawayHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (h === '' || h.startsWith('/') || h === 'localhost' || h === '::1' || h === '0.0.0.0' || h === 'host.docker.internal') return true;
  if (/^127(\.\d{1,3}){3}$/.test(h)) return true;
  if (/^[a-z0-9_-]+$/.test(h) && !/^\d+$/.test(h)) return true;
  return /(^|\.)(test|example|invalid|localhost|local)$/.test(h) || /(^|\.)example\.(com|net|org)$/.test(h);
}

/** The hosts a connection string names ('' for none: libpq's local default), for the throwaway-password test. */
function hostsOf(text: string): string[] | undefined {
  const p = parseConnectionString(text);
  if (isParseError(p)) return undefined;
  return p.hosts.length > 0 ? p.hosts.map((h) => (h.kind === 'unix' ? '' : h.host)) : [''];
}

/** `.env.example`, `.env.sample`, `.env.template` and friends document variables; nothing loads them. */
const TEMPLATE_NAME = /(^|[.-])(example|sample|template|tpl|dist)([.-]|$)/i;

/** Variable names that hold a password on their own (Kubernetes `env` values). */
const PASSWORD_NAME = /PASSWORD|PASSWD|(^|_)PWD$|(^|_)PASS$/i;

export default defineRule({
  meta: {
    id: 'plaintext-credentials',
    description: 'Report a database password written in plain text in a file tracked by git.',
    type: 'problem',
    category: 'security',
    defaultSeverity: 'warning',
    recommended: true,
    inputs: ['env', 'prisma', 'js', 'compose', 'kubernetes', 'pgbouncer-ini'],
    scope: 'file',
    fixable: false,
    since: '0.1.0',
    nonProduction: {
      action: 'report',
      reason: 'The rule decides there itself: a password for localhost, a socket, a single-label host (a compose service) or a reserved test domain (example.com, .test, .localhost, .invalid), or a stand-in word for any host (`password`, `pw`, `secret1`, the user\'s own name), is throwaway test data and is skipped; any other password is a real credential wherever it stands.',
    },
    messages: {
      connection:
        '{{what}} holds a literal password ({{redacted}}) in {{place}}: everyone who can read the repository, its forks and its history can log in as {{user}}.',
      pgbouncer:
        'The [databases] entry "{{name}}" sets password=*** in plain text in {{place}}: everyone who can read the repository, its forks and its history can log in to the server as {{user}}.',
      k8sEnv:
        '{{name}} of container {{container}} is a literal password in a plain env value (not a Secret) in {{place}}: everyone who can read the repository can use it.',
      help: 'Remove the password from the file and rotate it: take it from the environment or a secret store (in a .env or compose file, write `${DB_PASSWORD}` where the password is), and keep files with real credentials out of git (.gitignore).',
      helpPgbouncer: 'Remove the password=*** item and rotate the password: PgBouncer takes it from auth_file (a userlist.txt kept out of git) or auth_query.',
      helpK8s: 'Put the password in a Secret (or an external secret store) and reference it with valueFrom.secretKeyRef; rotate the exposed one.',
    },
    options: {
      allow: {
        type: 'string',
        description:
          'Comma-separated globs (relative to the repository root) of files whose credentials are test data, not secrets, whatever their host. Templates (.env.example, .env.sample, .env.template) are always allowed, and so are throwaway local passwords in non-production code (codePaths.nonProduction).',
        default: DEFAULT_ALLOW,
      },
    },
  },
  check(ctx) {
    const root = ctx.facts.root;
    const globs = String(ctx.options.allow ?? DEFAULT_ALLOW)
      .split(',')
      .map((g) => g.trim())
      .filter((g) => g !== '');
    const allowed = globs.length ? picomatch(globs, { dot: true }) : () => false;
    const git = ctx.facts.git;
    /**
     * A file whose plaintext password is a finding: tracked, not a template, not allowed test data.
     * In non-production code (tests, fixtures, scripts: ctx.model.codePaths) a password for a
     * throwaway host (`hosts`; undefined when the place names none) is test data.
     */
    const judged = (file: string, hosts: readonly string[] | undefined, text: string | undefined): boolean => {
      const relPath = relative(root, file).split(sep).join('/');
      if (TEMPLATE_NAME.test(basename(file)) || allowed(relPath)) return false;
      // A stand-in password (`user:password@node1.pg18`, `master:pw@rds-writer.internal`) in a test is
      // parser test data whatever its host.
      if (ctx.model.codePaths.nonProduction(file) !== undefined && (hosts === undefined || hosts.every(isThrowawayHost) || (text !== undefined && isStandInPassword(text)))) return false;
      return isTracked(git, root, file);
    };
    const report = (messageId: string, helpId: string, data: Record<string, string>, range: SourceRange, hosts: readonly string[] | undefined, text?: string) => {
      if (!judged(range.file, hosts, text)) return;
      const place = git.known ? 'a file git tracks' : 'a file of the project (no git repository: every file counts as committed)';
      ctx.report({ messageId, helpId, data: { ...data, place }, range });
    };

    const seen = new Set<string>();
    const at = (r: SourceRange) => `${r.file}:${r.line}:${r.column}`;
    for (const c of distinctConnectionValues(ctx.model.connections.strings)) {
      if (c.password !== 'literal' || c.secret || c.template) continue;
      seen.add(at(c.range));
      const inDefault = c.literalIn?.inDefault === true;
      const what = inDefault ? `The default value of ${c.envVar ?? 'this variable'} (\`\${${c.envVar ?? 'VAR'}:-…}\`)` : c.envVar ? `${c.envVar}` : 'This connection string';
      report('connection', 'help', { what, redacted: c.literalIn?.redacted ?? c.parsed.redacted, user: c.parsed.user && !inDefault ? `"${c.parsed.user}"` : 'its user' }, c.range, c.parsed.hosts.length > 0 ? c.parsed.hosts.map((h) => h.host) : ['']);
    }
    // `${DATABASE_URL:-postgresql://postgres:postgres@db/app}` in a compose or .env file is written there
    // whatever the variable resolves to (another file may set it, and the value above is then that one).
    const defaultIn = (name: string, text: string | undefined, range: SourceRange) => {
      if (text === undefined || seen.has(at(range))) return;
      const t = literalPasswordText(text);
      if (t === undefined || t === text) return;
      seen.add(at(range));
      report('connection', 'help', { what: `The default value of ${name} (\`\${${name}:-…}\`)`, redacted: redactSecrets(t), user: 'its user' }, range, hostsOf(t), t);
    };
    for (const c of ctx.facts.compose) for (const svc of c.services) for (const e of svc.environment) if (e.from === 'inline') defaultIn(e.name, e.raw ?? e.value, e.range);
    for (const f of ctx.facts.envFiles) for (const e of f.entries) defaultIn(e.key, e.value, e.valueRange);
    // Connection strings written anywhere in code (an exported constant, a config object, a default),
    // not only those that reach a pool.
    for (const f of ctx.facts.js) {
      for (const lit of f.connectionLiterals ?? []) {
        if (seen.has(at(lit.range)) || connectionPasswordKind(lit.text) !== 'literal') continue;
        seen.add(at(lit.range));
        report('connection', 'help', { what: 'This connection string', redacted: lit.redacted, user: lit.user ? `"${lit.user}"` : 'its user' }, lit.range, hostsOf(lit.text), lit.text);
      }
    }

    for (const cfg of ctx.facts.pgbouncer) {
      for (const db of cfg.databases) {
        const pw = db.params.get('password');
        if (!pw || classifyPassword(pw.value) !== 'literal') continue;
        const user = db.params.get('user')?.value;
        const range: SourceRange = { ...pw.keyRange, endLine: pw.valueRange.endLine, endColumn: pw.valueRange.endColumn };
        report('pgbouncer', 'helpPgbouncer', { name: db.name, user: user ? `"${user}"` : 'its user' }, range, (db.params.get('host')?.value ?? '').split(','));
      }
    }

    for (const k of ctx.facts.kubernetes) {
      for (const w of k.workloads) {
        for (const c of [...w.containers, ...w.initContainers]) {
          for (const e of c.env) {
            if (e.from !== 'inline' || e.value === undefined || !PASSWORD_NAME.test(e.name)) continue;
            if (classifyPassword(e.raw ?? e.value) !== 'literal') continue;
            // The name, not the value: the source frame then shows `- name: X_PASSWORD`, never the password.
            report('k8sEnv', 'helpK8s', { name: e.name, container: c.name }, e.nameRange, undefined);
          }
        }
      }
    }
  },
});
