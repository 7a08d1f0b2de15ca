import ts from './typescript.cjs';

/** Template text with `${…}` replaced by `$n` placeholders (as the libraries send them as parameters). */
export function templateText(t: ts.TemplateLiteral): string {
  if (ts.isNoSubstitutionTemplateLiteral(t)) return t.text;
  let s = t.head.text;
  t.templateSpans.forEach((span, i) => {
    s += `$${i + 1}${span.literal.text}`;
  });
  return s;
}

/** The initializer of a module-level `const name = …` in this file. */
export function constInitializer(sf: ts.SourceFile, name: string): ts.Expression | undefined {
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st) || (st.declarationList.flags & ts.NodeFlags.Const) === 0) continue;
    for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === name) return d.initializer;
  }
  return undefined;
}
