import { defineRule } from '../src/engine/rule.js';
import type { RelatedLocation } from '../src/core/diagnostic.js';
import { formatBytesHuman, formatBytesPg, pgMemoryBytes, roundDownForConfig } from '../src/catalog/postgresql/values.js';
import { describeMemory, numericSetting } from '../src/model/parameters.js';

export default defineRule({
  meta: {
    id: 'connection-memory',
    description: 'Report a max_connections whose memory, at work_mem each, does not fit the host, or that is too high to run without a pooler.',
    type: 'problem',
    category: 'capacity',
    defaultSeverity: 'warning',
    recommended: true,
    inputs: ['postgresql-conf', 'compose', 'kubernetes'],
    scope: 'file',
    fixable: false,
    since: '0.1.0',
    nonProduction: {
      action: 'skip',
      reason: 'A test or CI server\'s memory sizing is not production\'s: its max_connections only has to fit the machine the tests run on.',
    },
    messages: {
      overRam:
        'max_connections {{maxConnections}} × work_mem {{workMem}} = {{connMem}}, plus shared_buffers {{shared}}, is {{total}}: more than {{ram}}. When the connections run sorts or hashes at once the server swaps or is killed by the OOM killer.',
      overRamHelp:
        'Keep connections × work_mem + shared_buffers within {{budgetPercent}}% of RAM ({{budget}}, leaving the rest to the OS, page cache and maintenance work): lower max_connections to {{fitConnections}} and put a pooler such as PgBouncer in front, or lower work_mem to {{fitWorkMem}}.',
      tooMany:
        'max_connections = {{maxConnections}} is above {{limit}}: every connection is a server process that costs several MB and competes for CPU and locks, and {{maxConnections}} × work_mem {{workMem}} alone can claim {{connMem}}.',
      tooManyHelp:
        'Put a connection pooler (PgBouncer in transaction mode) in front and lower max_connections to what the host can run at once (a few times its CPU count, e.g. 100–200).',
    },
    options: {
      maxConnections: { type: 'integer', description: 'Warn when max_connections is above this number.', default: 500, minimum: 1 },
      budgetPercent: { type: 'integer', description: 'Share of RAM that connections × work_mem + shared_buffers should fit in, for the suggested values.', default: 75, minimum: 1 },
    },
  },
  check(ctx) {
    const limit = Number(ctx.options.maxConnections);
    const budgetPercent = Number(ctx.options.budgetPercent);
    for (const server of ctx.model.parameters.servers) {
      // The server's memory: its container or operator resources, deployment.servers, or database.memory.
      const ram = server.memory?.value;
      const mc = numericSetting(server, 'max_connections');
      const wm = numericSetting(server, 'work_mem');
      const sb = numericSetting(server, 'shared_buffers');
      if (!mc || !wm?.def || !sb?.def) continue;
      const workMem = pgMemoryBytes(wm.def, wm.value);
      const shared = pgMemoryBytes(sb.def, sb.value);
      if (workMem === undefined || shared === undefined || workMem <= 0) continue;
      const connMem = mc.value * workMem;
      const workMemText = `${formatBytesPg(workMem)}${wm.entry ? '' : ' (default)'}`;
      if (ram !== undefined && connMem + shared > ram) {
        const primary = mc.entry ?? wm.entry;
        if (!primary) continue; // nothing in this file to point at
        const related: RelatedLocation[] = [];
        if (wm.entry && wm.entry !== primary) related.push({ range: wm.entry.valueRange, message: `work_mem = ${wm.entry.rawValue} is set here` });
        if (sb.entry) related.push({ range: sb.entry.valueRange, message: `shared_buffers = ${sb.entry.rawValue} is set here` });
        const memory = describeMemory(server.memory!, formatBytesHuman(ram));
        if (memory.range) related.push({ range: memory.range, message: `the memory is set here` });
        const budget = Math.floor((ram * budgetPercent) / 100);
        const fit = Math.max(0, Math.floor((budget - shared) / workMem));
        const fitWorkMem = roundDownForConfig(Math.max(64 * 1024, (budget - shared) / mc.value));
        ctx.report({
          messageId: 'overRam',
          helpId: 'overRamHelp',
          data: {
            maxConnections: `${mc.value}${mc.entry ? '' : ' (default)'}`,
            workMem: workMemText,
            connMem: formatBytesHuman(connMem),
            shared: formatBytesHuman(shared),
            total: formatBytesHuman(connMem + shared),
            ram: memory.text,
            budgetPercent,
            budget: formatBytesHuman(budget),
            fitConnections: fit,
            fitWorkMem: formatBytesPg(fitWorkMem),
          },
          range: primary.valueRange,
          related,
        });
        continue;
      }
      if (mc.entry && mc.value > limit) {
        ctx.report({
          messageId: 'tooMany',
          helpId: 'tooManyHelp',
          data: { maxConnections: mc.value, limit, workMem: workMemText, connMem: formatBytesHuman(connMem) },
          range: mc.entry.valueRange,
          related: wm.entry ? [{ range: wm.entry.valueRange, message: `work_mem = ${wm.entry.rawValue} is set here` }] : [],
        });
      }
    }
  },
});
