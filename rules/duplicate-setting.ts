import { defineRule } from '../src/engine/rule.js';
import type { SourceRange } from '../src/core/location.js';

interface Occurrence {
  key: string;
  shown: string;
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
    fixable: false,
    since: '0.1.0',
    messages: {
      duplicate: '{{name}} is set again at line {{laterLine}} of this file, so this line never takes effect.',
      help: 'Delete this line, or the later one if this is the value you meant.',
      laterHere: 'this later line is the one that takes effect',
    },
    options: {},
  },
  check(ctx) {
    const reportDuplicates = (occurrences: Occurrence[]) => {
      const lastByKey = new Map<string, Occurrence>();
      for (const o of occurrences) lastByKey.set(`${o.file}\0${o.key}`, o);
      for (const o of occurrences) {
        const last = lastByKey.get(`${o.file}\0${o.key}`)!;
        // The same file read twice (included twice) repeats its own lines: not a duplicate.
        if (last === o || last.range.line === o.range.line) continue;
        ctx.report({
          messageId: 'duplicate',
          helpId: 'help',
          data: { name: o.shown, laterLine: last.range.line },
          range: o.range,
          related: [{ range: last.range, message: `${last.shown} is set again here (line ${last.range.line})` }],
        });
      }
    };
    for (const cfg of ctx.facts.postgresql) {
      // PostgreSQL compares names case-insensitively, so MAX_CONNECTIONS repeats max_connections.
      reportDuplicates(cfg.entries.map((e) => ({ key: e.key, shown: e.name, range: e.nameRange, file: e.file })));
    }
    for (const cfg of ctx.facts.pgbouncer) {
      reportDuplicates(cfg.settings.map((e) => ({ key: e.key, shown: e.key, range: e.keyRange, file: e.file })));
      reportDuplicates(cfg.databases.map((d) => ({ key: `[databases]${d.name}`, shown: `Database entry "${d.name}"`, range: d.entry.keyRange, file: d.entry.file })));
      reportDuplicates(cfg.users.map((u) => ({ key: `[users]${u.name}`, shown: `User entry "${u.name}"`, range: u.entry.keyRange, file: u.entry.file })));
    }
  },
});
