/** No password from a conninfo string, a URL or a userlist file appears in any output format. */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redactSecrets, redactSourceLine } from '../../src/core/redact.js';
import { tempProject } from '../support/lint-helpers.js';

const SECRETS = ['Sup3rS3cretConnstr', 'Hunter2UrlPass', 'UserlistPlainPw', 'md5aaaabbbbccccddddeeeeffff00001111', 'SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVkS2V5:c2VydmVyS2V5'];

describe('redaction', () => {
  it('redacts URLs, conninfo and PGPASSWORD', () => {
    expect(redactSecrets('postgres://app:s3cr%40t@db:5432/app')).toBe('postgres://app:***@db:5432/app');
    expect(redactSecrets("host=db password='a b''c' user=x")).toBe("host=db password='***' user=x");
    expect(redactSecrets('host=db password=abc user=x')).toBe('host=db password=*** user=x');
    expect(redactSecrets('PGPASSWORD=abc')).toBe('PGPASSWORD=***');
    expect(redactSecrets('postgresql://db/app?user=u&password=s3cr3t&sslmode=require')).toBe('postgresql://db/app?user=u&password=***&sslmode=require');
    expect(redactSecrets('Host=db;Username=u;Password=p@ss w;Maximum Pool Size=2000')).toBe('Host=db;Username=u;Password=***;Maximum Pool Size=2000');
    expect(redactSecrets('host=db sslpassword=k3y')).toBe('host=db sslpassword=***');
    expect(redactSourceLine('"app" "md5abc"', 'pgbouncer-userlist')).toBe('"app" "***"');
  });

  it('never prints a secret in stylish or json output', () => {
    const dir = tempProject({
      'pgbouncer.ini': [
        '[databases]',
        `app = host=db dbname=app user=app password=${SECRETS[0]} bogus_param=1`,
        `report = host=db dbname=app password='${SECRETS[0]}' pool_mode=sesion`,
        '[pgbouncer]',
        'auth_type = trust',
        'listen_addr = *',
        'auth_file = userlist.txt',
        `server_pool_size = postgres://u:${SECRETS[1]}@db/app`,
        '',
      ].join('\n'),
      'userlist.txt': `"app" "${SECRETS[2]}"\n"rep" "${SECRETS[3]}"\n"scram" "${SECRETS[4]}"\n"broken "x\n`,
    });
    const bin = resolve(__dirname, '../../dist/src/cli/bin.js');
    for (const format of ['stylish', 'json']) {
      const r = spawnSync(process.execPath, [bin, '--format', format, '--color', dir], { encoding: 'utf8', cwd: dir });
      const all = r.stdout + r.stderr;
      expect(all.length).toBeGreaterThan(0);
      for (const s of SECRETS) expect(all).not.toContain(s);
    }
    const pc = spawnSync(process.execPath, [bin, '--print-config', dir], { encoding: 'utf8', cwd: dir });
    for (const s of SECRETS) expect(pc.stdout).not.toContain(s);
    void join;
  });
});
