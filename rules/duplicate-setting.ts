import { defineRule } from '../src/engine/rule.js';
import type { TextEdit } from '../src/core/diagnostic.js';
import { LineIndex, type SourceRange } from '../src/core/location.js';
import { redactSettingValue } from '../src/core/redact.js';

interface Occurrence {
  key: string;
  shown: string;
  value: string;
  range: SourceRange;
  file: string;
}

export default defineRule({
  meta: {
    id: 'duplicate-setting',
    description: 'Report a setting set twice in one file: the earlier line never takes effect.',
    type: 'suggestion',
    category: 'correctness',
    defaultSeverity: 'warning',
    recommended: true,
    inputs: ['postgresql-conf', 'pgbouncer-ini'],
    scope: 'file',
    fixable: true,
    since: '0.1.0',
    nonProduction: {
      action: 'warn',
      reason: 'The earlier line never takes effect in a test server\'s file either, but no production server reads it.',
    },
    messages: {
      duplicate: '{{name}} = {{value}} never takes effect: line {{laterLine}} of this file sets it again, to {{laterValue}}.',
      duplicateEntry: '{{name}} never takes effect: line {{laterLine}} of this file defines it again.',
      help: 'Delete this line, or the later one if this is the value you meant.',
    },
    options: {},
  },
  check(ctx) {
    const reportDuplicates = (occurrences: Occurrence[], entries: boolean) => {
      const lastByKey = new Map<string, Occurrence>();
      for (const o of occurrences) lastByKey.set(`${o.file}\0${o.key}`, o);
      for (const o of occurrences) {
        const last = lastByKey.get(`${o.file}\0${o.key}`)!;
        // The same file read twice (included twice) repeats its own lines: not a duplicate.
        if (last === o || last.range.line === o.range.line) continue;
        // The fix comments the line out: it never takes effect, so nothing changes, and its text stays.
        const fix = commentOut(ctx.facts.sources.get(o.range.file)?.text, o.range);
        ctx.report({
          messageId: entries ? 'duplicateEntry' : 'duplicate',
          helpId: 'help',
          data: { name: o.shown, value: o.value, laterLine: last.range.line, laterValue: last.value },
          range: o.range,
          ...(fix ? { fix } : {}),
          related: [{ range: last.range, message: entries ? `${last.shown} is defined again here` : `${last.shown} = ${last.value} takes effect here` }],
        });
      }
    };
    for (const cfg of ctx.facts.postgresql) {
      // PostgreSQL compares names case-insensitively, so MAX_CONNECTIONS repeats max_connections.
      reportDuplicates(cfg.entries.map((e) => ({ key: e.key, shown: e.name, value: redactSettingValue(e.key, e.rawValue, e.value), range: e.nameRange, file: e.file })), false);
    }
    for (const cfg of ctx.facts.pgbouncer) {
      reportDuplicates(cfg.settings.map((e) => ({ key: e.key, shown: e.key, value: e.value === '' ? "''" : e.value, range: e.keyRange, file: e.file })), false);
      reportDuplicates(cfg.databases.map((d) => ({ key: `[databases]${d.name}`, shown: `Database entry "${d.name}"`, value: '', range: d.entry.keyRange, file: d.entry.file })), true);
      reportDuplicates(cfg.users.map((u) => ({ key: `[users]${u.name}`, shown: `User entry "${u.name}"`, value: '', range: u.entry.keyRange, file: u.entry.file })), true);
    }
  },
});

/** `# ` at the start of the line of `at`, when the setting is the first thing on it (both formats read `#` as a comment). */
function commentOut(text: string | undefined, at: SourceRange): TextEdit[] | undefined {
  if (text === undefined) return undefined;
  const line = new LineIndex(text).lineText(at.line);
  if (line.slice(0, at.column - 1).trim() !== '') return undefined;
  return [{ range: { file: at.file, line: at.line, column: 1, endLine: at.line, endColumn: 1 }, text: '# ' }];
}
