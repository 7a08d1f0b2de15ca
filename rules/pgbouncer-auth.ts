import { defineRule } from '../src/engine/rule.js';
import { rangeOnLine } from '../src/core/location.js';

const WEAK: Record<string, string> = {
  trust: 'accepts any client without a password',
  any: 'accepts any client without a password and ignores the user name it gives',
  plain: 'sends passwords over the network in clear text',
  md5: 'uses MD5 password hashes, which PostgreSQL deprecates (a stolen hash is enough to log in)',
};

/** True when every address PgBouncer listens on is loopback (or it listens on the unix socket only). */
function loopbackOnly(listenAddr: string): boolean {
  const parts = listenAddr.split(',').map((s) => s.trim()).filter(Boolean);
  return parts.every((a) => a === 'localhost' || /^127\./.test(a) || a === '::1');
}

export default defineRule({
  meta: {
    id: 'pgbouncer-auth',
    description: 'Report PgBouncer authentication that is missing or weak (trust, any, plain, md5); prefer scram-sha-256.',
    type: 'problem',
    category: 'security',
    defaultSeverity: 'warning',
    recommended: true,
    inputs: ['pgbouncer-ini'],
    scope: 'file',
    fixable: false,
    since: '0.1.0',
    nonProduction: {
      action: 'skip',
      reason: 'A throwaway test pooler guards no data worth a stronger method.',
    },
    messages: {
      openToNetwork:
        'auth_type = {{authType}} {{why}}, and listen_addr = {{listenAddr}} accepts connections from other hosts: anyone who can reach port {{port}} can use every database behind this PgBouncer.',
      weak: 'auth_type = {{authType}}{{defaulted}} {{why}}.',
      weakMd5Users: 'auth_type = {{authType}}{{defaulted}}: the auth_file users with MD5 or plain-text secrets ({{users}}) log in with MD5, which PostgreSQL deprecates (a stolen hash is enough to log in).',
      help: 'Set auth_type = scram-sha-256 and store SCRAM secrets in auth_file (or use auth_query).',
      openHelp: 'Set auth_type = scram-sha-256 with SCRAM secrets in auth_file (or use auth_query), so that only listed users can connect.',
      networkHelp: 'Set auth_type = scram-sha-256, or bind listen_addr to 127.0.0.1 / a unix socket if only local clients should connect.',
    },
    options: {},
  },
  check(ctx) {
    // Each pgbouncer.ini with the version of the PgBouncer that reads it (the one parameter resolver).
    for (const bouncer of ctx.model.parameters.poolers) {
      const cfg = bouncer.config;
      const auth = bouncer.get('auth_type');
      const authType = String(auth.value ?? auth.text ?? '').toLowerCase();
      const why = WEAK[authType];
      if (!why) continue;
      const listen = bouncer.get('listen_addr');
      const listenAddr = String(listen.text ?? '').trim();
      const port = bouncer.get('listen_port').text ?? '6432';
      const range = auth.entry?.valueRange ?? rangeOnLine(cfg.mainFile, 1, 1, 0);
      if ((authType === 'trust' || authType === 'any') && listenAddr !== '' && !loopbackOnly(listenAddr)) {
        ctx.report({
          messageId: 'openToNetwork',
          helpId: 'networkHelp',
          severity: 'error',
          data: { authType, why, listenAddr, port },
          range,
          related: listen.entry ? [{ range: listen.entry.valueRange, message: `listen_addr = ${listenAddr} is set here` }] : [],
        });
        continue;
      }
      const defaulted = auth.entry ? '' : ' (the default, not set in this file)';
      const users = cfg.authFile?.users ?? [];
      if (authType === 'md5' && users.length > 0) {
        // With auth_type = md5, a user whose secret is SCRAM is authenticated with SCRAM (PgBouncer docs, auth_type).
        const weakUsers = users.filter((u) => u.secretKind !== 'scram').map((u) => u.name);
        if (weakUsers.length === 0) continue;
        const shown = weakUsers.slice(0, 3).join(', ') + (weakUsers.length > 3 ? ` and ${weakUsers.length - 3} more` : '');
        ctx.report({ messageId: 'weakMd5Users', helpId: 'help', severity: 'warning', data: { authType, defaulted, users: shown }, range });
        continue;
      }
      ctx.report({
        messageId: 'weak',
        helpId: authType === 'trust' || authType === 'any' ? 'openHelp' : 'help',
        severity: 'warning',
        data: { authType, why, defaulted },
        range,
      });
    }
  },
});
