import { basename } from 'node:path';
import type { RelatedLocation } from '../src/core/diagnostic.js';
import { defineRule } from '../src/engine/rule.js';
import { transactionPooler, type ResolvedConnection } from '../src/model/connections.js';

/** `DATABASE_URL in .env.production:3` for the message; empty for a literal. */
function where(c: ResolvedConnection): string {
  if (!c.envVar || !c.envFile) return '';
  return `${c.envVar} in ${basename(c.envFile)}:${c.range.line}`;
}

function via(list: ResolvedConnection[]): string {
  const w = [...new Set(list.map(where).filter((x) => x !== ''))];
  return w.length ? ` (${w.join(', ')})` : '';
}

/** What a direct connection looks like for this pooler (help line). */
function directHint(c: ResolvedConnection): string {
  switch (c.endpoint.pooler?.product) {
    case 'supabase-supavisor':
      return 'for Supabase: the same pooler host on port 5432 (session mode), or db.<project-ref>.supabase.co:5432';
    case 'supabase-pgbouncer':
      return 'for Supabase: db.<project-ref>.supabase.co on port 5432';
    case 'neon':
      return 'for Neon: the endpoint host without "-pooler"';
    default:
      return 'the PostgreSQL server itself, or a session-mode pool';
  }
}

export default defineRule({
  meta: {
    id: 'pooler-without-direct-url',
    description: 'Report a Prisma datasource that reaches a transaction-mode pooler with no direct URL for migrations.',
    type: 'problem',
    category: 'reliability',
    defaultSeverity: 'warning',
    recommended: true,
    inputs: ['prisma', 'env'],
    scope: 'project',
    fixable: false,
    since: '0.1.0',
    nonProduction: {
      action: 'warn',
      reason: 'Migrations fail in a test setup too, but no production deploy depends on it.',
    },
    messages: {
      schema:
        'The datasource url{{via}} reaches {{pooler}} and the datasource has no directUrl: prisma migrate needs a session-level connection (advisory lock, prepared statements) and fails or hangs through a transaction-mode pooler.',
      config:
        'datasource.url{{via}} reaches {{pooler}}: the Prisma CLI runs migrate through this URL, which needs a session-level connection (advisory lock, prepared statements) and fails or hangs through a transaction-mode pooler.',
      helpSchema: 'Add `directUrl = env("DIRECT_URL")` to the datasource and set DIRECT_URL to a direct connection string ({{hint}}); keep url on the pooler for the application.',
      helpConfig:
        'Prisma 7 has no directUrl: set datasource.url to the direct connection string ({{hint}}), e.g. env(\'DIRECT_URL\'), and give the pooled URL to the driver adapter in code.',
    },
    options: {},
  },
  check(ctx) {
    const model = ctx.model.connections;
    for (const p of model.prisma) {
      const pooled = model.strings.filter((c) => c.origin.prismaId === p.id && c.origin.property === 'url' && transactionPooler(c) !== undefined);
      if (pooled.length === 0) continue;
      const first = pooled[0]!;
      const related: RelatedLocation[] = pooled
        .filter((c) => c.envVar !== undefined)
        .map((c) => ({ range: c.range, message: `the pooled URL: ${c.envVar} for environment ${c.environment}` }));
      const data = { via: via(pooled), pooler: transactionPooler(first)!, hint: directHint(first) };
      if (p.schema) {
        // Prisma 5/6: a directUrl (even one whose variable is unset here) is the user's answer; a
        // Prisma 6 prisma.config.ts with engine 'classic' may carry it instead.
        if (p.schema.directUrl || !p.schema.url) continue;
        const configDirect = model.prisma.some((q) => q.config?.directUrl !== undefined && (q.projectDir === p.projectDir || model.prisma.filter((x) => x.schema).length === 1));
        if (configDirect) continue;
        ctx.report({ messageId: 'schema', helpId: 'helpSchema', data, range: p.schema.url.range, related });
      } else if (p.config?.url) {
        // Prisma 6.12+ classic engine accepts datasource.directUrl in the config.
        if (p.config.directUrl) continue;
        ctx.report({ messageId: 'config', helpId: 'helpConfig', data, range: p.config.url.range, related });
      }
    }
  },
});
