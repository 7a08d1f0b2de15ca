import ts from '../js/typescript.cjs';
import type { InputProblem } from '../../core/diagnostic.js';
import { LineIndex, type SourceRange } from '../../core/location.js';
import { parseConfigSource } from '../js/nesting.js';
import type { LEntry, LNode } from './located.js';

/**
 * Reads a JavaScript value statically (never executes it) into the same located tree as
 * YAML: the `module.exports = …` / `export default …` of a config module, or a whole file
 * that is one expression (PM2 evaluates `.json` ecosystem files as `(<text>)`, lib/Common.js
 * parseConfig, so unquoted keys and single quotes work there). Literals, arrays, objects,
 * spreads, top-level `const` bindings and `process.env.X [|| ?? fallback]` are understood;
 * anything else becomes an `unknown` node.
 */
export interface ParsedJsValue {
  root: LNode | null;
  problems: InputProblem[];
  /** The file's text is strict JSON (JSON.parse accepts it). */
  strictJson: boolean;
}

type Diagnostics = { parseDiagnostics?: readonly ts.DiagnosticWithLocation[] };

export function parseJsExpressionFile(rawText: string, file: string): ParsedJsValue {
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  const refused: InputProblem[] = [];
  // Wrapped like PM2 does; the `(` shifts offsets by one.
  const sf = parseConfigSource(text, file, file.endsWith('.js') ? file : `${file}.js`, `(${text}\n)`, ts.ScriptKind.JS, refused);
  if (!sf) return { root: null, problems: refused, strictJson: false };
  let strictJson = false;
  try {
    JSON.parse(text);
    strictJson = true;
  } catch {
    strictJson = false;
  }
  const conv = new JsConverter(sf, file, text, 1);
  const problems = conv.syntaxProblems();
  const stmt = sf.statements[0];
  let root: LNode | null = null;
  if (problems.length === 0 && sf.statements.length === 1 && stmt && ts.isExpressionStatement(stmt)) root = conv.convert(stmt.expression);
  else if (problems.length === 0) problems.push({ message: 'The file is not a single JavaScript/JSON value.', range: conv.range(0, text.length) });
  return { root, problems, strictJson };
}

export function parseJsModuleExport(rawText: string, file: string): ParsedJsValue {
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  const kind = /\.(c|m)?ts$/.test(file) ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const refused: InputProblem[] = [];
  const sf = parseConfigSource(text, file, file, text, kind, refused);
  if (!sf) return { root: null, problems: refused, strictJson: false };
  const conv = new JsConverter(sf, file, text, 0);
  const problems = conv.syntaxProblems();
  let exported: ts.Expression | undefined;
  for (const st of sf.statements) {
    if (ts.isExportAssignment(st)) exported = st.expression;
    else if (ts.isExpressionStatement(st) && ts.isBinaryExpression(st.expression) && st.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = st.expression.left;
      if (ts.isPropertyAccessExpression(left) && left.name.text === 'exports' && ts.isIdentifier(left.expression) && left.expression.text === 'module') exported = st.expression.right;
    }
  }
  if (!exported) {
    if (problems.length === 0) problems.push({ message: 'No `module.exports = …` or `export default …` found; the configuration was not read.', severity: 'warning', range: conv.range(0, 0) });
    return { root: null, problems, strictJson: false };
  }
  return { root: conv.convert(exported), problems, strictJson: false };
}

class JsConverter {
  private readonly index: LineIndex;
  private readonly consts = new Map<string, ts.Expression>();
  private depth = 0;

  constructor(
    private readonly sf: ts.SourceFile,
    private readonly file: string,
    text: string,
    private readonly shift: number,
  ) {
    this.index = new LineIndex(text);
    for (const st of sf.statements) {
      if (!ts.isVariableStatement(st) || !(st.declarationList.flags & ts.NodeFlags.Const)) continue;
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.initializer) this.consts.set(d.name.text, d.initializer);
    }
  }

  range(start: number, end: number): SourceRange {
    const len = this.index.text.length;
    const a = Math.min(Math.max(start - this.shift, 0), len);
    const b = Math.min(Math.max(end - this.shift, a), len);
    return this.index.range(this.file, a, b);
  }

  private rangeOf(n: ts.Node): SourceRange {
    return this.range(n.getStart(this.sf), n.getEnd());
  }

  syntaxProblems(): InputProblem[] {
    const diags = (this.sf as unknown as Diagnostics).parseDiagnostics ?? [];
    return diags.slice(0, 5).map((d) => ({
      message: `Syntax error: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
      range: this.range(d.start, d.start + Math.max(d.length, 0)),
    }));
  }

  convert(e: ts.Expression): LNode {
    if (this.depth > 64) return { kind: 'unknown', range: this.rangeOf(e), reason: 'nested too deeply' };
    this.depth++;
    try {
      return this.convertInner(e);
    } finally {
      this.depth--;
    }
  }

  private scalar(e: ts.Node, value: string | number | boolean | null, source: string): LNode {
    const range = this.rangeOf(e);
    const verbatim = typeof value === 'string' && range.line === range.endLine && source.slice(1, -1) === value;
    return {
      kind: 'scalar',
      value,
      source,
      style: 'js',
      range,
      lineMap: verbatim ? { kind: 'exact', firstLine: range.line, columnOffset: range.column } : { kind: 'approximate', line: range.line, column: range.column },
    };
  }

  private convertInner(e: ts.Expression): LNode {
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
    const text = e.getText(this.sf);
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return this.scalar(e, e.text, text);
    if (ts.isNumericLiteral(e)) return this.scalar(e, Number(e.text), text);
    if (ts.isPrefixUnaryExpression(e) && ts.isNumericLiteral(e.operand) && (e.operator === ts.SyntaxKind.MinusToken || e.operator === ts.SyntaxKind.PlusToken)) {
      const n = Number(e.operand.text);
      return this.scalar(e, e.operator === ts.SyntaxKind.MinusToken ? -n : n, text);
    }
    if (e.kind === ts.SyntaxKind.TrueKeyword) return this.scalar(e, true, text);
    if (e.kind === ts.SyntaxKind.FalseKeyword) return this.scalar(e, false, text);
    if (e.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(e) && e.text === 'undefined')) return this.scalar(e, null, text);
    if (ts.isArrayLiteralExpression(e)) {
      const items: LNode[] = [];
      for (const el of e.elements) {
        if (ts.isSpreadElement(el)) {
          const inner = this.convert(el.expression);
          if (inner.kind === 'seq') for (const it of inner.items) items.push(it);
          else items.push({ kind: 'unknown', range: this.rangeOf(el), reason: 'spread of a value not known statically' });
        } else if (!ts.isOmittedExpression(el)) items.push(this.convert(el));
      }
      return { kind: 'seq', range: this.rangeOf(e), items };
    }
    if (ts.isObjectLiteralExpression(e)) return this.object(e);
    if (ts.isIdentifier(e)) {
      const init = this.consts.get(e.text);
      if (init) {
        const node = this.convert(init);
        return { ...node, via: this.rangeOf(e) };
      }
      return { kind: 'unknown', range: this.rangeOf(e), reason: `\`${e.text}\` is not a constant of this file` };
    }
    const envName = processEnvName(e);
    if (envName) return { kind: 'unknown', range: this.rangeOf(e), reason: `process.env.${envName}`, env: { name: envName } };
    if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.BarBarToken || e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) {
      const name = processEnvName(e.left);
      const right = this.convert(e.right);
      if (name && right.kind === 'scalar' && right.value !== null) {
        return { kind: 'unknown', range: this.rangeOf(e), reason: `process.env.${name} (fallback ${String(right.value)})`, env: { name, fallback: right.value } };
      }
    }
    return { kind: 'unknown', range: this.rangeOf(e), reason: `computed at run time: \`${text.length > 60 ? `${text.slice(0, 57)}...` : text}\`` };
  }

  private object(e: ts.ObjectLiteralExpression): LNode {
    const entries: LEntry[] = [];
    const set = (en: LEntry): void => {
      const i = entries.findIndex((x) => x.key === en.key);
      if (i === -1) entries.push(en);
      else entries[i] = en; // later properties win, as in JavaScript
    };
    for (const p of e.properties) {
      if (ts.isPropertyAssignment(p)) {
        const key = propertyName(p.name);
        if (key === undefined) continue;
        set({ key, keyRange: this.rangeOf(p.name), value: this.convert(p.initializer) });
      } else if (ts.isShorthandPropertyAssignment(p)) {
        set({ key: p.name.text, keyRange: this.rangeOf(p.name), value: this.convert(p.name) });
      } else if (ts.isSpreadAssignment(p)) {
        const inner = this.convert(p.expression);
        if (inner.kind === 'map') for (const en of inner.entries) set({ ...en, merged: this.rangeOf(p) });
      }
    }
    return { kind: 'map', range: this.rangeOf(e), entries };
  }
}

function propertyName(n: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n) || ts.isPrivateIdentifier(n)) return n.text;
  if (ts.isComputedPropertyName(n) && (ts.isStringLiteral(n.expression) || ts.isNoSubstitutionTemplateLiteral(n.expression))) return n.expression.text;
  return undefined;
}

/** `process.env.X` / `process.env['X']` → X. */
function processEnvName(e: ts.Expression): string | undefined {
  const isProcessEnv = (x: ts.Expression): boolean =>
    ts.isPropertyAccessExpression(x) && x.name.text === 'env' && ts.isIdentifier(x.expression) && x.expression.text === 'process';
  if (ts.isPropertyAccessExpression(e) && isProcessEnv(e.expression)) return e.name.text;
  if (ts.isElementAccessExpression(e) && isProcessEnv(e.expression) && ts.isStringLiteral(e.argumentExpression)) return e.argumentExpression.text;
  return undefined;
}
