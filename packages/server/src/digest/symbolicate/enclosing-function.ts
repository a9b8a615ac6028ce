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
}

export interface FunctionIndex {
  /** Innermost named function around a 1-based line and 0-based column; null if none or unparsable. */
  nameAt(line: number, column: number): string | null;
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
  const visit = (node: AnyNode, inferred: string | null, className: string | null) => {
    if (!node || typeof node.type !== 'string') return;
    let nextInferred: string | null = null;
    let nextClass = className;
    switch (node.type) {
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        ranges.push({ start: node.start, end: node.end, name: node.id?.name ?? inferred });
        break;
      case 'ClassDeclaration':
      case 'ClassExpression':
        nextClass = node.id?.name ?? inferred;
        break;
      case 'MethodDefinition':
      case 'PropertyDefinition': {
        const name = keyName(node.key, node.computed);
        nextInferred = name && nextClass ? `${nextClass}.${name}` : name;
        break;
      }
    }
    for (const [field, child] of Object.entries(node)) {
      if (field === 'type' || field === 'start' || field === 'end' || !child || typeof child !== 'object') continue;
      let childInferred = nextInferred;
      if (node.type === 'VariableDeclarator' && field === 'init') childInferred = node.id?.type === 'Identifier' ? node.id.name : null;
      else if (node.type === 'AssignmentExpression' && field === 'right') childInferred = memberName(node.left);
      else if (node.type === 'Property' && field === 'value') childInferred = keyName(node.key, node.computed);
      else if ((node.type === 'MethodDefinition' || node.type === 'PropertyDefinition') && field === 'value') childInferred = nextInferred;
      else if (node.type !== 'MethodDefinition' && node.type !== 'PropertyDefinition') childInferred = null;
      if (Array.isArray(child)) for (const item of child) visit(item as AnyNode, childInferred, nextClass);
      else visit(child as AnyNode, childInferred, nextClass);
    }
  };
  visit(root, null, null);
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
  return {
    nameAt(line, column) {
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
        if (ranges[i]!.end > offset) return ranges[i]!.name;
      }
      return null;
    },
  };
}
