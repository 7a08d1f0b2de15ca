import { createHash } from 'node:crypto';
import { relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LineIndex, type SourceRange } from '../../core/location.js';
import type { Diagnostic } from '../../core/diagnostic.js';
import type { Formatter, FormatterContext } from './types.js';
import { redactSecrets } from '../redact.js';

/**
 * SARIF 2.1.0 (OASIS). Rules come from the rules' metadata; paths are relative
 * to the working directory under the %SRCROOT% base; partialFingerprints hash the
 * rule, the file and the text of the reported line (not its number), so an alert
 * survives lines being added above it.
 */
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

function uri(file: string, cwd: string): { uri: string; uriBaseId?: string } {
  const rel = relative(cwd, file);
  if (rel && !rel.startsWith('..') && !rel.startsWith(sep)) return { uri: rel.split(sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
  return { uri: pathToFileURL(file).href };
}

function region(r: SourceRange) {
  return { startLine: r.line, startColumn: r.column, endLine: r.endLine, endColumn: Math.max(r.endColumn, r.line === r.endLine ? r.column : 1) };
}

function physical(r: SourceRange, cwd: string) {
  return { physicalLocation: { artifactLocation: uri(r.file, cwd), region: region(r) } };
}

function lineText(ctx: FormatterContext, r: SourceRange): string {
  const src = ctx.sourceText(r.file);
  return src ? new LineIndex(src.text).lineText(r.line).trim() : '';
}

export const formatSarif: Formatter = (result, ctx) => {
  const rules = ctx.rules ?? [];
  const ruleIndex = new Map(rules.map((r, i) => [r.meta.id, i]));
  const results: unknown[] = [];
  const notifications: unknown[] = [];
  const seen = new Map<string, number>();
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
      const rel = relative(ctx.cwd, d.range.file);
      const base = `${d.ruleId}\0${rel}\0${lineText(ctx, d.range)}`;
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      const fingerprint = createHash('sha256').update(`${base}\0${n}`).digest('hex').slice(0, 32);
      results.push(sarifResult(d, ctx, ruleIndex.get(d.ruleId), fingerprint));
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
  return JSON.stringify(log, null, 2) + '\n';
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
