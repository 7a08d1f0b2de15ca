/**
 * `node:worker_threads` on first use (src/core/builtins.ts, D56): through `process.getBuiltinModule`
 * where Node has it, and through `require` in an older host (an editor's Node running the plugin).
 */
import * as real from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { workerThreads } from '../../src/core/builtins.js';

const own = Object.getOwnPropertyDescriptor(process, 'getBuiltinModule');
afterEach(() => {
  if (own) Object.defineProperty(process, 'getBuiltinModule', own);
});

describe('workerThreads', () => {
  it("is Node's module", () => {
    expect(workerThreads().Worker).toBe(real.Worker);
    expect(workerThreads().receiveMessageOnPort).toBe(real.receiveMessageOnPort);
  });

  it('is the same module where process.getBuiltinModule is missing', () => {
    Object.defineProperty(process, 'getBuiltinModule', { value: undefined, configurable: true, writable: true });
    expect(workerThreads().MessageChannel).toBe(real.MessageChannel);
  });
});
