import fc from 'fast-check';
import { expect, test } from 'vitest';
import { parsePrismaConfig } from '../../src/sources/prisma/config.js';
import { parsePrismaSchema } from '../../src/sources/prisma/schema.js';

const schemaTokens = fc.constantFrom(
  'datasource', 'generator', 'model', 'enum', ' db ', ' {', '}', '\n', '\r\n', '\r', ' = ', '"', 'env(', ')', '[', ']', ',',
  '"postgres://u:p@h/d"', 'url', 'directUrl', '// }', '/// {', '\\', '\t', 'provider', ': ', '\uFEFF', '-1.5', 'a.b',
);

test('any token soup parses without throwing, with ranges inside the text', () => {
  fc.assert(
    fc.property(fc.array(schemaTokens, { maxLength: 60 }), (tokens) => {
      const text = tokens.join('');
      const lines = text.split(/\r\n|\r|\n/).length;
      const s = parsePrismaSchema(text, 'fuzz.prisma');
      for (const r of [...s.datasources.map((d) => d.range), ...s.generators.map((g) => g.range), ...s.problems.map((p) => p.range)]) {
        expect(r.line).toBeGreaterThanOrEqual(1);
        expect(r.endLine).toBeLessThanOrEqual(lines);
      }
    }),
    { numRuns: 2000 },
  );
});

test('any text is read as a Prisma config without throwing', () => {
  const tsTokens = fc.constantFrom('export default ', 'defineConfig(', '{', '}', ')', 'datasource', ':', ' url', "'x'", 'process.env.A', '??', 'env(', ',', 'satisfies X', 'const a = ', ';', '\n', 'directUrl: ');
  fc.assert(
    fc.property(fc.array(tsTokens, { maxLength: 40 }), (tokens) => {
      parsePrismaConfig(tokens.join(''), 'prisma.config.ts');
    }),
    { numRuns: 1000 },
  );
});
