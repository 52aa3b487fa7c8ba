import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * No import circles in the app (`shared/`, `functions/`): a circle (even of type-only imports) means
 * two files that cannot be read, tested or moved one without the other. Test files are left out.
 */
const root = resolve(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every relative `import … from` / `export … from` of a file (type-only ones too). */
const specifiersOf = (source: string): string[] =>
  [...source.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'(\.[^']*)'/g)].map((m) => m[1]!);

function resolveImport(from: string, specifier: string): string | undefined {
  const target = resolve(dirname(from), specifier);
  return [`${target}.ts`, join(target, 'index.ts')].find((path) => existsSync(path));
}

/** The strongly connected components of more than one file (or a file importing itself): Tarjan's. */
export function importCircles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (let member = stack.pop()!; ; member = stack.pop()!) {
      onStack.delete(member);
      component.push(member);
      if (member === node) break;
    }
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) circles.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return circles;
}

describe('import circles', () => {
  it('there are none in shared/ and functions/', () => {
    const files = [...sourceFiles(join(root, 'shared')), ...sourceFiles(join(root, 'functions'))];
    const name = (path: string) => relative(root, path).split(sep).join('/');
    const graph = new Map(
      files.map((file) => [
        name(file),
        specifiersOf(readFileSync(file, 'utf8'))
          .map((specifier) => resolveImport(file, specifier))
          .filter((path): path is string => path !== undefined)
          .map(name),
      ]),
    );
    expect(graph.size).toBeGreaterThan(100);
    expect(importCircles(graph)).toEqual([]);
  });

  it('finds a circle, a longer one and a self-import (the check can fail)', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['a', 'c']],
      ['c', ['d']],
      ['d', ['e']],
      ['e', ['c']],
      ['f', ['f']],
      ['g', ['a']],
    ]);
    expect(importCircles(graph)).toEqual([['c', 'd', 'e'], ['a', 'b'], ['f']]);
  });

  it('reads type-only imports and re-exports as imports', () => {
    const source = "import type { A } from './a';\nexport { B } from '../b';\nimport { c } from 'zod';";
    expect(specifiersOf(source)).toEqual(['./a', '../b']);
  });
});
