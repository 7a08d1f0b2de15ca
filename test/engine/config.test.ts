import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ALL_RULES } from '../../rules/index.js';
import { applyRuleOverrides, ConfigError, loadConfig } from '../../src/engine/config.js';
import { tempProject } from '../support/lint-helpers.js';

const load = (files: Record<string, string>, sub = '') => {
  const dir = tempProject(files);
  return loadConfig({ cwd: join(dir, sub), rules: ALL_RULES });
};

describe('config file', () => {
  it('defaults to the recommended preset when there is none', () => {
    const c = loadConfig({ cwd: tempProject({}), rules: ALL_RULES });
    expect(c.file).toBeNull();
    expect(c.rules['unknown-setting']!.severity).toBe('error');
    expect(c.rules['low-shared-buffers']!.severity).toBe('warn');
  });

  it('is found upward and read as YAML or JSON', () => {
    const c = load({ 'pgconn-lint.config.yaml': 'database:\n  version: "16.4"\n  memory: 16GB\npgbouncer:\n  version: "1.18"\nrules:\n  connection-memory: [error, { maxConnections: 300 }]\n  pgbouncer-auth: off\n', 'a/b/.keep': '' }, 'a/b');
    expect(c.settings.database).toMatchObject({ version: 16, memoryBytes: 16 * 1024 ** 3, versionFromConfig: true });
    expect(c.settings.pgbouncer.version).toBe('1.18');
    expect(c.rules['connection-memory']).toMatchObject({ severity: 'error', options: { maxConnections: 300 }, explicitSeverity: true });
    expect(c.rules['pgbouncer-auth']!.severity).toBe('off');
  });

  it.each([
    ['{"databse": {}}', /1:2: unknown key "databse" in the configuration \(did you mean "database"\?\)/],
    ['{"rules": {"unknown-setings": "error"}}', /unknown rule "unknown-setings" \(did you mean "unknown-setting"\?\)/],
    ['{"rules": {"connection-memory": ["warn", {"max": 3}]}}', /has no option "max"/],
    ['{"rules": {"connection-memory": ["warn", {"maxConnections": "x"}]}}', /must be an integer/],
    ['{"rules": {"connection-memory": "loud"}}', /severity must be/],
    ['{"database": {"version": 12}}', /major version from 13 to 18/],
    ['{"database": {"memory": "lots"}}', /database.memory must be a size/],
    ['{"database": {"ram": "16GB"}}', /unknown key "ram" in "database"/],
    ['{"pgbouncer": {"version": "0.9"}}', /pgbouncer.version must be/],
    ['{"rules": ', /pgconn-lint.config.json:1:/],
  ])('rejects %s', (text, message) => {
    expect(() => load({ 'pgconn-lint.config.json': text })).toThrow(message);
    expect(() => load({ 'pgconn-lint.config.json': text })).toThrow(ConfigError);
  });

  it('the strict preset turns every rule on; --rule beats the file', () => {
    const c = load({ 'pgconn-lint.config.json': '{"preset": "strict", "rules": {"duplicate-setting": "off"}}' });
    expect(Object.values(c.rules).filter((r) => r.severity === 'off')).toHaveLength(1);
    applyRuleOverrides(c, ['duplicate-setting:error'], ALL_RULES);
    expect(c.rules['duplicate-setting']!.severity).toBe('error');
    expect(() => applyRuleOverrides(c, ['duplicate-setting'], ALL_RULES)).toThrow(/id:off\|warn\|error/);
  });
});
