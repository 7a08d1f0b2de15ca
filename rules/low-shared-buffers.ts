import { defineRule } from '../src/engine/rule.js';
import { formatBytesPg, pgMemoryBytes } from '../src/catalog/postgresql/values.js';
import { describeMemory, numericSetting } from '../src/model/parameters.js';

const MB = 1024 * 1024;

export default defineRule({
  meta: {
    id: 'low-shared-buffers',
    description: "Report a shared_buffers too small for the host's memory or for a raised max_connections.",
    type: 'suggestion',
    category: 'capacity',
    defaultSeverity: 'warning',
    recommended: true,
    inputs: ['postgresql-conf', 'compose', 'kubernetes'],
    scope: 'file',
    fixable: false,
    since: '0.1.0',
    nonProduction: {
      action: 'skip',
      reason: 'A test or CI server\'s memory sizing is not production\'s.',
    },
    messages: {
      belowShare:
        '{{sharedText}} is {{percent}}% of {{ram}}, under {{minPercent}}%: most reads miss PostgreSQL\'s cache and every connection competes for a small buffer pool.',
      belowShareHelp: 'Set shared_buffers to about {{recommendedPercent}}% of RAM: shared_buffers = {{recommended}} (needs a restart).',
      defaultWithMoreConnections:
        '{{sharedText}} while max_connections is raised to {{maxConnections}}: the server was given more connections without more cache, so each connection competes for a buffer pool sized for a small default install.',
      defaultWithMoreConnectionsHelp:
        'Set shared_buffers to about 25% of the database host\'s RAM (e.g. 4GB on a 16GB host). Declare the RAM as database.memory in pgconn-lint.config.json (e.g. "memory": "16GB") and pgconn-lint will compute the value.',
    },
    options: {
      minPercent: { type: 'number', description: 'Warn when shared_buffers is below this percentage of the declared RAM.', default: 15, minimum: 0 },
      recommendedPercent: { type: 'number', description: 'The share of RAM the suggested value is computed from.', default: 25, minimum: 1 },
    },
  },
  check(ctx) {
    const minPercent = Number(ctx.options.minPercent);
    const recommendedPercent = Number(ctx.options.recommendedPercent);
    for (const server of ctx.model.parameters.servers) {
      if (!server.wholeServer) continue;
      // The server's memory: its container or operator resources, deployment.servers, or database.memory.
      const ram = server.memory?.value;
      const sb = numericSetting(server, 'shared_buffers');
      if (!sb?.def) continue;
      const bytes = pgMemoryBytes(sb.def, sb.value);
      if (bytes === undefined) continue;
      const mc = numericSetting(server, 'max_connections');
      const fallback = mc?.entry?.nameRange ?? server.range;
      if (ram !== undefined) {
        if (bytes * 100 >= ram * minPercent) continue;
        const recommended = Math.floor((ram * recommendedPercent) / 100 / MB) * MB;
        const memory = describeMemory(server.memory!, formatBytesPg(ram));
        ctx.report({
          messageId: 'belowShare',
          helpId: 'belowShareHelp',
          data: {
            sharedText: describeShared(sb.entry?.rawValue, bytes),
            percent: ((bytes * 100) / ram).toFixed(1).replace(/\.0$/, ''),
            ram: memory.text,
            minPercent,
            recommended: formatBytesPg(recommended),
            recommendedPercent,
          },
          range: sb.entry?.valueRange ?? fallback,
          related: memory.range ? [{ range: memory.range, message: `the memory is set here` }] : [],
        });
        continue;
      }
      // RAM unknown: only the clear case — the 128MB initdb default (or less) with more than the default 100 connections.
      if (bytes > 128 * MB || !mc?.entry || mc.value <= 100) continue;
      ctx.report({
        messageId: 'defaultWithMoreConnections',
        helpId: 'defaultWithMoreConnectionsHelp',
        data: { sharedText: describeShared(sb.entry?.rawValue, bytes), maxConnections: mc.value },
        range: sb.entry?.valueRange ?? mc.entry.valueRange,
        related: sb.entry ? [{ range: mc.entry.valueRange, message: `max_connections = ${mc.value} is set here` }] : [],
      });
    }
  },
});

/** "shared_buffers = 16384 (128MB)", "shared_buffers = 128MB", or "shared_buffers is not set (built-in default 128MB)". */
function describeShared(raw: string | undefined, bytes: number): string {
  const human = formatBytesPg(bytes);
  if (raw === undefined) return `shared_buffers is not set (built-in default ${human})`;
  const shown = raw.replace(/^'(.*)'$/, '$1');
  return shown === human ? `shared_buffers = ${shown}` : `shared_buffers = ${raw} (${human})`;
}
