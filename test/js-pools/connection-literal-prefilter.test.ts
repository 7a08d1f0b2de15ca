import { describe, expect, test } from 'vitest';
import { mayHoldConnectionLiteral } from '../../src/sources/js/credentials.js';

/** The pre-filter as it was written first: two searches, then the password keyword. */
function reference(text: string | Buffer): boolean {
  return text.includes('postgres://') || text.includes('postgresql://') || /password\s*=/i.test(typeof text === 'string' ? text : text.toString('latin1'));
}

describe('mayHoldConnectionLiteral (one search for both schemes, the password on bytes): the same verdict as the regular expressions', () => {
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
    'PASSWORD=x',
    'password\t\n\v\f\r =',
    'password\u00a0=',
    'password\u2028=',
    'xpassword =',
    'assword =',
    '=password =',
    '= password',
    'pässword =',
    'password',
    '=',
    ' '.repeat(100) + '=',
    'p@ssword =',
    'pa\u0000ssword =',
    'password ==',
    '=== password ===',
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

describe('mayHoldConnectionLiteral on bytes: random texts from the pieces that matter', () => {
  test('2,000 texts, the same verdict as the regular expressions on Latin-1', () => {
    const pieces = ['password', 'PassWord', 'passwor', 'assword', 'd', ' ', '\t', '\n', '\u00a0', '\u0085', '=', '==', 'x', 'é', '€', 'postgres', '://', 'ql'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let n = 0; n < 2000; n++) {
      let text = '';
      const len = 1 + Math.floor(next() * 12);
      for (let i = 0; i < len; i++) text += pieces[Math.floor(next() * pieces.length)];
      const bytes = Buffer.from(text, 'utf8');
      expect([text, mayHoldConnectionLiteral(bytes)]).toEqual([text, reference(bytes)]);
      expect([text, mayHoldConnectionLiteral(text)]).toEqual([text, reference(text)]);
    }
  });
});
