import { defineRule } from '../src/engine/rule.js';
import type { RelatedLocation } from '../src/core/diagnostic.js';
import { numericSetting } from '../src/model/parameters.js';

export default defineRule({
  meta: {
    id: 'reserved-connections',
    description: 'Report reserved connection slots that leave no or almost no connections for ordinary users.',
    type: 'problem',
    category: 'capacity',
    defaultSeverity: 'error',
    recommended: true,
    inputs: ['postgresql-conf', 'compose', 'kubernetes'],
    scope: 'file',
    fixable: false,
    since: '0.1.0',
    nonProduction: {
      action: 'warn',
      reason: 'A test server with no slot left refuses connections too, but no production server reads the file.',
    },
    messages: {
      refused:
        'PostgreSQL {{version}} refuses to start: {{reservedText}} must be less than max_connections ({{maxConnections}}).',
      refusedHelp: 'Lower {{lowerWhat}} to at most {{fitReserved}} (max_connections {{maxConnections}}{{otherText}} − {{minOrdinary}} slots for ordinary users), or raise max_connections to at least {{fitMax}}.',
      few:
        'Only {{ordinary}} of max_connections {{maxConnections}} are left for ordinary users after {{reservedText}}: the application gets "remaining connection slots are reserved" errors after {{ordinary}} connections.',
      fewHelp: 'Leave at least {{minOrdinary}} ordinary slots: raise max_connections to {{fitMax}} or lower the reserved slots.',
    },
    options: {
      minOrdinarySlots: { type: 'integer', description: 'Warn when fewer ordinary (non-reserved) slots than this remain.', default: 5, minimum: 1 },
    },
  },
  check(ctx) {
    const minOrdinary = Number(ctx.options.minOrdinarySlots);
    // Each server with every source of its settings (conf, `-c` flags, image env, operator parameters).
    for (const server of ctx.model.parameters.servers) {
      const major = server.version.major;
      const mc = numericSetting(server, 'max_connections');
      const su = numericSetting(server, 'superuser_reserved_connections');
      // reserved_connections exists from PostgreSQL 16 (pg_use_reserved_connections role).
      const rc = major >= 16 ? numericSetting(server, 'reserved_connections') : undefined;
      if (!mc || !su) continue;
      if (!mc.entry && !su.entry && !rc?.entry) continue;
      const reserved = su.value + (rc?.value ?? 0);
      const reservedText =
        rc && (rc.entry || rc.value > 0)
          ? `superuser_reserved_connections (${su.value}) plus reserved_connections (${rc.value})`
          : `superuser_reserved_connections (${su.value})`;
      const related: RelatedLocation[] = [];
      if (mc.entry) related.push({ range: mc.entry.valueRange, message: `max_connections = ${mc.value} is set here` });
      if (su.entry) related.push({ range: su.entry.valueRange, message: `superuser_reserved_connections = ${su.value} is set here` });
      if (rc?.entry) related.push({ range: rc.entry.valueRange, message: `reserved_connections = ${rc.value} is set here` });
      // Point at the setting that most likely changed: the reserved one that is largest, else max_connections.
      const culprit = rc?.entry && rc.value >= su.value ? rc.entry : su.entry ?? mc.entry ?? rc?.entry;
      if (!culprit) continue;
      const rest = related.filter((r) => r.range !== culprit.valueRange);
      if (reserved >= mc.value) {
        const lowerWhat = rc?.entry && rc.value >= su.value ? 'reserved_connections' : 'superuser_reserved_connections';
        const other = lowerWhat === 'reserved_connections' ? su.value : rc?.value ?? 0;
        ctx.report({
          messageId: 'refused',
          helpId: 'refusedHelp',
          severity: 'error',
          data: {
            version: major,
            reservedText,
            maxConnections: mc.value,
            lowerWhat,
            otherText: other > 0 ? ` − ${other} ${lowerWhat === 'reserved_connections' ? 'superuser_reserved_connections' : 'reserved_connections'}` : '',
            minOrdinary,
            fitReserved: Math.max(0, mc.value - other - minOrdinary),
            fitMax: reserved + minOrdinary,
          },
          range: culprit.valueRange,
          related: rest,
        });
      } else if (mc.value - reserved < minOrdinary) {
        ctx.report({
          messageId: 'few',
          helpId: 'fewHelp',
          severity: 'warning',
          data: { ordinary: mc.value - reserved, maxConnections: mc.value, reservedText, minOrdinary, fitMax: reserved + minOrdinary },
          range: culprit.valueRange,
          related: rest,
        });
      }
    }
  },
});
