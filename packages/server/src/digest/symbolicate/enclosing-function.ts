/**
 * The original function a position lies in, read from the original source (a map's
 * sourcesContent). A frame's position is usually a call or a throw, so the map's `names` entry
 * there is the callee or the constructor, not the frame's function; the enclosing function is.
 */
import { Parser, type Node } from 'acorn';

interface FunctionRange {
  start: number;
  end: number;
  name: string | null;
  /** Offset of the identifier that names the function (its id, the variable, property or method key). */
  nameStart: number | null;
}

/** A named function and where its name is written (1-based line, 0-based column). */
export interface EnclosingFunction {
  name: string;
  line: number;
  column: number;
}

export interface FunctionIndex {
  /** Innermost named function around a 1-based line and 0-based column; null if none or unparsable. */
  nameAt(line: number, column: number): string | null;
  /** The same function with the position of its name, or null when the name has no position of its own. */
  enclosingAt(line: number, column: number): EnclosingFunction | null;
}

type AnyNode = Node & Record<string, any>;

function keyName(key: AnyNode | undefined, computed: boolean): string | null {
  if (!key || computed) return null;
  if (key.type === 'Identifier' || key.type === 'PrivateIdentifier') return key.name as string;
  if (key.type === 'Literal') return String(key.value);
  return null;
}

/** `a.b.c = function` -> `a.b.c`. */
function memberName(node: AnyNode): string | null {
  if (node.type === 'Identifier') return node.name as string;
  if (node.type === 'ThisExpression') return 'this';
  if (node.type === 'MemberExpression' && !node.computed) {
    const object = memberName(node.object);
    return object ? `${object}.${node.property.name}` : node.property.name;
  }
  return null;
}

function collect(root: AnyNode): FunctionRange[] {
  const ranges: FunctionRange[] = [];
  const visit = (node: AnyNode, inferred: string | null, className: string | null, inferredAt: number | null) => {
    if (!node || typeof node.type !== 'string') return;
    let nextInferred: string | null = null;
    let nextInferredAt: number | null = null;
    let nextClass = className;
    switch (node.type) {
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        ranges.push(
          node.id ? { start: node.start, end: node.end, name: node.id.name, nameStart: node.id.start } : { start: node.start, end: node.end, name: inferred, nameStart: inferredAt },
        );
        break;
      case 'ClassDeclaration':
      case 'ClassExpression':
        nextClass = node.id?.name ?? inferred;
        break;
      case 'MethodDefinition':
      case 'PropertyDefinition': {
        const name = keyName(node.key, node.computed);
        nextInferred = name && nextClass ? `${nextClass}.${name}` : name;
        nextInferredAt = name ? node.key.start : null;
        break;
      }
    }
    for (const [field, child] of Object.entries(node)) {
      if (field === 'type' || field === 'start' || field === 'end' || !child || typeof child !== 'object') continue;
      let childInferred = nextInferred;
      let childInferredAt = nextInferredAt;
      if (node.type === 'VariableDeclarator' && field === 'init') {
        childInferred = node.id?.type === 'Identifier' ? node.id.name : null;
        childInferredAt = childInferred ? node.id.start : null;
      } else if (node.type === 'AssignmentExpression' && field === 'right') {
        childInferred = memberName(node.left);
        const named = node.left.type === 'MemberExpression' ? node.left.property : node.left;
        childInferredAt = childInferred ? named.start : null;
      } else if (node.type === 'Property' && field === 'value') {
        childInferred = keyName(node.key, node.computed);
        childInferredAt = childInferred ? node.key.start : null;
      } else if (node.type !== 'MethodDefinition' && node.type !== 'PropertyDefinition') {
        childInferred = null;
        childInferredAt = null;
      }
      if (Array.isArray(child)) for (const item of child) visit(item as AnyNode, childInferred, nextClass, childInferredAt);
      else visit(child as AnyNode, childInferred, nextClass, childInferredAt);
    }
  };
  visit(root, null, null, null);
  return ranges;
}

function parse(source: string): AnyNode | null {
  for (const sourceType of ['module', 'script'] as const) {
    try {
      return Parser.parse(source, { ecmaVersion: 'latest', sourceType, allowHashBang: true, allowReturnOutsideFunction: true }) as AnyNode;
    } catch {
      // TypeScript, JSX or a syntax this parser does not know: try the other source type, then give up.
    }
  }
  return null;
}

export function indexFunctions(source: string): FunctionIndex {
  const root = parse(source);
  // Named ranges by start: the innermost range around an offset is the one with the largest start
  // among those that contain it, found by a binary search and a short walk back over siblings.
  const ranges = (root ? collect(root) : []).filter((r) => r.name).sort((a, b) => a.start - b.start);
  const lineStarts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const innermost = (line: number, column: number): FunctionRange | null => {
    const lineStart = lineStarts[line - 1];
    if (lineStart === undefined) return null;
    const offset = lineStart + column;
    let lo = 0;
    let hi = ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ranges[mid]!.start <= offset) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0; i--) {
      if (ranges[i]!.end > offset) return ranges[i]!;
    }
    return null;
  };
  return {
    nameAt: (line, column) => innermost(line, column)?.name ?? null,
    enclosingAt(line, column) {
      const range = innermost(line, column);
      if (!range?.name || range.nameStart === null) return null;
      // The line holding the name: the last line start at or before it.
      let lo = 0;
      let hi = lineStarts.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (lineStarts[mid]! <= range.nameStart) lo = mid + 1;
        else hi = mid;
      }
      return { name: range.name, line: lo, column: range.nameStart - lineStarts[lo - 1]! };
    },
  };
}
