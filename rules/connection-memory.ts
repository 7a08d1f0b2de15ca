import { defineRule } from '../src/engine/rule.js';
import { formatBytesPg, pgMemoryBytes } from '../src/catalog/postgresql/values.js';
import { numericPgSetting } from '../src/model/settings.js';

export default defineRule({
  meta: {
    id: 'connection-memory',
    description: 'Report a max_connections whose memory, at work_mem each, does not fit the host, or that is too high to run without a pooler.',
    type: 'problem',
    category: 'capacity',
    defaultSeverity: 'warning',
    recommended: true,
    inputs: ['postgresql-conf'],
    scope: 'file',
    fixable: false,
    since: '0.1.0',
    messages: {
      overRam:
        'max_connections {{maxConnections}} × work_mem {{workMem}} = {{connMem}}, plus shared_buffers {{shared}} = {{total}}, exceeds the database host\'s {{ram}} RAM: when the connections run sorts or hashes at once the server swaps or is killed by the OOM killer.',
      overRamHelp:
        'Lower max_connections to {{fitConnections}} (({{ram}} − {{shared}}) ÷ {{workMem}}) and put a connection pooler such as PgBouncer in front, or lower work_mem to {{fitWorkMem}}.',
      tooMany:
        'max_connections = {{maxConnections}} is above {{limit}}: every connection is a server process that costs several MB and competes for CPU and locks; {{maxConnections}} × work_mem {{workMem}} alone can claim {{connMem}}.',
      tooManyHelp:
        'Put a connection pooler (PgBouncer in transaction mode) in front and lower max_connections to what the host can run at once (a few times its CPU count, e.g. 100–200).',
    },
    options: {
      maxConnections: { type: 'integer', description: 'Warn when max_connections is above this number.', default: 500, minimum: 1 },
    },
  },
  check(ctx) {
    const major = ctx.settings.database.version;
    const ram = ctx.settings.database.memoryBytes;
    const limit = Number(ctx.options.maxConnections);
    for (const cfg of ctx.facts.postgresql) {
      const mc = numericPgSetting(cfg, 'max_connections', major);
      const wm = numericPgSetting(cfg, 'work_mem', major);
      const sb = numericPgSetting(cfg, 'shared_buffers', major);
      if (!mc || !wm?.def || !sb?.def) continue;
      const workMem = pgMemoryBytes(wm.def, wm.value);
      const shared = pgMemoryBytes(sb.def, sb.value);
      if (workMem === undefined || shared === undefined || workMem <= 0) continue;
      const connMem = mc.value * workMem;
      const related = [
        ...(wm.entry ? [{ range: wm.entry.valueRange, message: `work_mem = ${formatBytesPg(workMem)} is set here` }] : []),
        ...(sb.entry ? [{ range: sb.entry.valueRange, message: `shared_buffers = ${formatBytesPg(shared)} is set here` }] : []),
      ];
      const workMemText = `${formatBytesPg(workMem)}${wm.entry ? '' : ' (default)'}`;
      if (ram !== undefined && connMem + shared > ram) {
        if (!mc.entry && !wm.entry) continue; // nothing in this file to point at
        const fit = Math.max(0, Math.floor((ram - shared) / workMem));
        const fitWorkMem = mc.value > 0 ? Math.max(64 * 1024, Math.floor((ram - shared) / mc.value / 1024) * 1024) : workMem;
        ctx.report({
          messageId: 'overRam',
          helpId: 'overRamHelp',
          data: {
            maxConnections: mc.value,
            workMem: workMemText,
            connMem: formatBytesPg(connMem),
            shared: formatBytesPg(shared),
            total: formatBytesPg(connMem + shared),
            ram: formatBytesPg(ram),
            fitConnections: fit,
            fitWorkMem: formatBytesPg(fitWorkMem),
          },
          range: (mc.entry ?? wm.entry)!.valueRange,
          related,
        });
        continue;
      }
      if (mc.entry && mc.value > limit) {
        ctx.report({
          messageId: 'tooMany',
          helpId: 'tooManyHelp',
          data: { maxConnections: mc.value, limit, workMem: workMemText, connMem: formatBytesPg(connMem) },
          range: mc.entry.valueRange,
          related,
        });
      }
    }
  },
});
