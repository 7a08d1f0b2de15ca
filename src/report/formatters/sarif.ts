import { createHash, type Hash } from 'node:crypto';
import { relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isTargetLocation, LineIndex, type SourceRange } from '../../core/location.js';
import type { Diagnostic } from '../../core/diagnostic.js';
import type { Formatter, FormatterContext } from './types.js';
import { redactSecrets } from '../../core/redact.js';
import { printableJson, wellFormed } from '../escape.js';

/**
 * SARIF 2.1.0 (OASIS). Rules come from the rules' metadata; paths are relative
 * to the working directory under the %SRCROOT% base; partialFingerprints hash the
 * rule, the file and the text of the reported line (not its number), so an alert
 * survives lines being added above it. Each file gets one line index and each reported line is
 * hashed once per rule (output linear in the input); values are exact, printed through
 * safeJsonText (escape.ts).
 */
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

function uri(file: string, cwd: string): { uri: string; uriBaseId?: string } {
  // A running server (`pgconn-lint live`): its URL without the password is the artifact's URI.
  if (isTargetLocation(file)) return { uri: wellFormed(file) };
  const rel = relative(cwd, file);
  // encodeURIComponent throws on a lone surrogate; control characters it percent-encodes.
  if (rel && !rel.startsWith('..') && !rel.startsWith(sep)) return { uri: wellFormed(rel).split(sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
  return { uri: pathToFileURL(wellFormed(file)).href };
}

function region(r: SourceRange) {
  return { startLine: r.line, startColumn: r.column, endLine: r.endLine, endColumn: Math.max(r.endColumn, r.line === r.endLine ? r.column : 1) };
}

function physical(r: SourceRange, cwd: string) {
  return { physicalLocation: { artifactLocation: uri(r.file, cwd), region: region(r) } };
}

/**
 * partialFingerprints: sha256 of `rule \0 relative path \0 trimmed line text \0 n` (n counts the
 * earlier results with the same rule, file and line text), first 32 hex digits. The line text is
 * read through one LineIndex per file and hashed once per rule: a Hash is copied for each n.
 */
class Fingerprints {
  private readonly indexes = new Map<string, LineIndex | null>();
  private readonly lines = new Map<string, { text: string; digest: string }>();
  private readonly bases = new Map<string, { hash: Hash; n: number }>();
  constructor(private readonly ctx: FormatterContext) {}

  private line(r: SourceRange): { text: string; digest: string } {
    const key = `${r.line}\0${r.file}`;
    let l = this.lines.get(key);
    if (l === undefined) {
      let index = this.indexes.get(r.file);
      if (index === undefined) {
        const src = this.ctx.sourceText(r.file);
        index = src ? new LineIndex(src.text) : null;
        this.indexes.set(r.file, index);
      }
      const text = index ? index.lineText(r.line).trim() : '';
      l = { text, digest: createHash('sha256').update(text).digest('hex') };
      this.lines.set(key, l);
    }
    return l;
  }

  of(ruleId: string, r: SourceRange): string {
    const rel = relative(this.ctx.cwd, r.file);
    const line = this.line(r);
    const key = `${ruleId}\0${rel}\0${line.digest}`;
    let base = this.bases.get(key);
    if (base === undefined) {
      base = { hash: createHash('sha256').update(`${ruleId}\0${rel}\0`).update(line.text), n: 0 };
      this.bases.set(key, base);
    }
    const n = base.n++;
    return base.hash.copy().update(`\0${n}`).digest('hex').slice(0, 32);
  }
}

export const formatSarif: Formatter = (result, ctx) => {
  const rules = ctx.rules ?? [];
  const ruleIndex = new Map(rules.map((r, i) => [r.meta.id, i]));
  const results: unknown[] = [];
  const notifications: unknown[] = [];
  const fingerprints = new Fingerprints(ctx);
  for (const f of result.files) {
    for (const d of f.diagnostics) {
      if (d.ruleId === null) {
        notifications.push({
          level: d.severity === 'error' ? 'error' : 'warning',
          message: { text: redactSecrets(d.message + (d.help ? ` ${d.help}` : '')) },
          locations: [physical(d.range, ctx.cwd)],
        });
        continue;
      }
      results.push(sarifResult(d, ctx, ruleIndex.get(d.ruleId), fingerprints.of(d.ruleId, d.range)));
    }
  }
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pgconn-lint',
            version: ctx.version ?? '0.0.0',
            semanticVersion: ctx.version ?? '0.0.0',
            informationUri: 'https://github.com/pgconn-lint/pgconn-lint',
            rules: rules.map((r) => ({
              id: r.meta.id,
              name: r.meta.id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: r.meta.description },
              fullDescription: { text: r.meta.description },
              helpUri: ctx.docsUrl(r.meta.id),
              help: { text: `${r.meta.description} See ${ctx.docsUrl(r.meta.id)}` },
              defaultConfiguration: { level: r.meta.defaultSeverity === 'error' ? 'error' : 'warning' },
              properties: { category: r.meta.category, tags: [r.meta.category, ...r.meta.inputs], precision: 'high' },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(ctx.cwd.endsWith(sep) ? ctx.cwd : ctx.cwd + sep).href } },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        results,
      },
    ],
  };
  return printableJson(log);
};

function sarifResult(d: Diagnostic, ctx: FormatterContext, index: number | undefined, fingerprint: string) {
  const text = redactSecrets(d.help ? `${d.message}\nHow to fix: ${d.help}` : d.message);
  const out: Record<string, unknown> = {
    ruleId: d.ruleId,
    level: d.severity === 'error' ? 'error' : 'warning',
    message: { text },
    locations: [physical(d.range, ctx.cwd)],
    partialFingerprints: { 'pgconnLint/v1': fingerprint },
  };
  if (index !== undefined) out.ruleIndex = index;
  if (d.related?.length) {
    out.relatedLocations = d.related.map((r, i) => ({ id: i + 1, ...physical(r.range, ctx.cwd), message: { text: redactSecrets(r.message) } }));
  }
  return out;
}
