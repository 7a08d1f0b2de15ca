/**
 * Start-up (issue 11): V8's compile cache for the CLI's modules where Node has it (22.1+), in the
 * user's own cache directory; nothing on Node 20 (TypeScript keeps its own code cache there), and
 * nothing with PGCONN_LINT_NO_CACHE.
 */
import module from 'node:module';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { enableCompileCache } from '../../src/cli/compile-cache.js';

const hasApi = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';

describe('enableCompileCache', () => {
  it('is off with PGCONN_LINT_NO_CACHE', () => {
    expect(enableCompileCache({ PGCONN_LINT_NO_CACHE: '1' })).toBeUndefined();
  });

  it(hasApi ? 'uses a directory of the user under the temp dir (Node 22.1+)' : 'does nothing on this Node (no module.enableCompileCache before 22.1)', () => {
    const dir = enableCompileCache({});
    if (hasApi) expect(dir?.startsWith(tmpdir())).toBe(true);
    else expect(dir).toBeUndefined();
  });
});
