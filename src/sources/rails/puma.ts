import { LineIndex, type SourceRange } from '../../core/location.js';
import type { AppSetting, ProcessConfigFile } from '../app/types.js';
import { lastParseFailure, parseWith, type SyntaxNode } from '../tree-sitter/runtime.js';
import { evalRuby, nodeText, numberSetting, type RubyScope, type RubyValue } from '../ruby/values.js';

/**
 * Puma's config/puma.rb (Puma 8 lib/puma/dsl.rb), parsed with tree-sitter's Ruby grammar:
 * `workers n` (`:auto` = one per CPU core; 0 = single mode, one process), `threads min, max`
 * (`max = min` when one is given), local assignments before them (`threads_count =
 * ENV.fetch("RAILS_MAX_THREADS") { 3 }`), and the same calls inside `if`/`unless` blocks (their
 * condition is not evaluated: the largest value is judged, and said so). Anything else is ignored.
 */
export function extractPumaConfig(text: string, file: string): ProcessConfigFile {
  const out: ProcessConfigFile = { file, server: 'puma', problems: [] };
  const tree = parseWith('ruby', text);
  const idx = new LineIndex(text);
  if (tree === undefined) {
    out.problems.push({ message: `config/puma.rb was not read: ${lastParseFailure}.`, range: idx.range(file, 0, 0), severity: 'warning' });
    return out;
  }
  if (tree === 'timeout') {
    out.problems.push({ message: 'config/puma.rb took too long to parse: its workers and threads are unknown.', range: idx.range(file, 0, 0), severity: 'warning' });
    return out;
  }
  try {
    const rangeOf = (n: SyntaxNode): SourceRange => ({ file, line: n.startPosition.row + 1, column: n.startPosition.column + 1, endLine: n.endPosition.row + 1, endColumn: n.endPosition.column + 1 });
    const root = tree.rootNode;
    if (root.hasError) {
      const bad = firstError(root);
      out.problems.push({ message: `Ruby syntax error in config/puma.rb near \`${bad ? nodeText(bad).slice(0, 40) : '?'}\`: Puma does not start with this file.`, help: 'Fix the Ruby syntax.', range: bad ? rangeOf(bad) : idx.range(file, 0, 0), severity: 'error' });
    }
    const scope: RubyScope = new Map();
    const workers: Array<{ s: AppSetting<number>; conditional: boolean }> = [];
    const threads: Array<{ s: AppSetting<number>; conditional: boolean }> = [];
    const visit = (n: SyntaxNode, conditional: boolean, depth: number): void => {
      if (depth > 16) return;
      for (const c of n.namedChildren) {
        if (!c) continue;
        if (c.type === 'assignment') {
          const left = c.childForFieldName('left');
          if (left?.type === 'identifier') scope.set(left.text, evalRuby(c.childForFieldName('right'), scope));
          continue;
        }
        if (c.type === 'if' || c.type === 'unless' || c.type === 'if_modifier' || c.type === 'unless_modifier' || c.type === 'then' || c.type === 'else' || c.type === 'elsif' || c.type === 'case' || c.type === 'when' || c.type === 'begin') {
          visit(c, conditional || c.type !== 'begin', depth + 1);
          continue;
        }
        if (c.type !== 'call' || c.childForFieldName('receiver')) continue;
        const method = c.childForFieldName('method')?.text;
        const args = (c.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is SyntaxNode => a !== null);
        if (method === 'workers' && args.length >= 1) {
          const v = evalRuby(args[0]!, scope);
          workers.push({ s: workerSetting(v, rangeOf(args[0]!)), conditional });
        } else if (method === 'threads' && args.length >= 1) {
          const max = args[1] ?? args[0]!;
          threads.push({ s: numberSetting(evalRuby(max, scope), rangeOf(max)), conditional });
        }
      }
    };
    visit(root, false, 0);
    const pick = (list: typeof workers): AppSetting<number> | undefined => {
      if (list.length === 0) return undefined;
      const last = [...list].reverse().find((x) => !x.conditional) ?? list[list.length - 1]!;
      const conditional = list.filter((x) => x.conditional);
      if (conditional.length === 0) return last.s;
      // Branches pgconn-lint does not evaluate: the largest known value is the peak to judge.
      const known = list.filter((x) => x.s.value !== undefined);
      const top = known.sort((a, b) => b.s.value! - a.s.value!)[0] ?? last;
      return { ...top.s, alternatives: known.map((x) => x.s.value!) };
    };
    const w = pick(workers);
    const t = pick(threads);
    if (w) out.processes = w;
    if (t) out.threads = t;
    out.concurrency = { value: 'threads', source: 'Puma serves each request on a thread of its pool' };
  } finally {
    tree.delete();
  }
  return out;
}

/** `workers :auto` / "auto": one per CPU core (Puma lib/puma/configuration.rb parse_workers). */
function workerSetting(v: RubyValue, range: SourceRange): AppSetting<number> {
  if (v.kind === 'string' && v.value === 'auto') return { value: undefined, provenance: { kind: 'default', note: 'Puma workers :auto: one per CPU core (set deployment.cpus)' }, range, cpuMultiple: 1 };
  return numberSetting(v, range);
}

function firstError(n: SyntaxNode): SyntaxNode | undefined {
  if (n.type === 'ERROR' || n.isMissing) return n;
  for (const c of n.children) {
    if (c && c.hasError) return firstError(c) ?? c;
  }
  return undefined;
}

