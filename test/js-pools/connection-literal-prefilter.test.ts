import { describe, expect, test } from 'vitest';
import { mayHoldConnectionLiteral } from '../../src/sources/js/credentials.js';

/** The pre-filter as it was written first: two searches, then the password keyword. */
function reference(text: string | Buffer): boolean {
  return text.includes('postgres://') || text.includes('postgresql://') || /password\s*=/i.test(typeof text === 'string' ? text : text.toString('latin1'));
}

describe('mayHoldConnectionLiteral (one search for both schemes): the same verdict as two', () => {
  const cases = [
    '',
    'postgres',
    'postgres:/',
    'postgres://',
    'postgresql:/',
    'postgresql://',
    'postgresq://',
    'postgrespostgres://x',
    'postgrespostgresql://x',
    'xpostgresql://',
    'POSTGRES://db',
    'const a = "postgres"; const b = "postgres:x"; const c = "postgresql:";',
    'é postgres:// é',
    '€postgresql://',
    'postgres\u00a0://',
    'const u = `${"postgres"}://h`;',
    'password = 1',
    'PassWord\u00a0= x',
    'password\u0085= x',
    'passw0rd = x',
    'x'.repeat(1000) + 'postgres',
    'x'.repeat(1000) + 'postgresql:/',
  ];
  test.each(cases)('%j as text and as bytes', (text) => {
    expect(mayHoldConnectionLiteral(text)).toBe(reference(text));
    const bytes = Buffer.from(text, 'utf8');
    expect(mayHoldConnectionLiteral(bytes)).toBe(reference(bytes));
    // A buffer that is a view on a larger one (the reader's scratch buffer): nothing past its end counts.
    const big = Buffer.from(`${text}ql://`, 'utf8');
    const view = big.subarray(0, bytes.length);
    expect(mayHoldConnectionLiteral(view)).toBe(reference(view));
  });
});
