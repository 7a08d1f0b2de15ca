/**
 * What every `live-*` rule's meta shares: it reads `ctx.live` (what `pgconn-lint live` read from a
 * running server or PgBouncer, joined with the model), never a file of the repository.
 */
export const LIVE_RULE_META = {
  defaultSeverity: 'warning',
  recommended: true,
  inputs: ['live'],
  scope: 'project',
  fixable: false,
  nonProduction: { action: 'report', reason: "It reads a running server, not the repository's files: no file of it is test code." },
  since: '0.2.0',
} as const;
