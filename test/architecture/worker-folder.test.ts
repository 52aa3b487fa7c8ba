import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ts from 'typescript';

/**
 * The queue worker's folder stays a place a reader can live in (issue 25): files under ~350 lines,
 * functions under ~80, and the update's steps never reach into the create's.
 */
const folder = resolve(__dirname, '..', '..', 'shared', 'use-cases', 'worker');
const files = readdirSync(folder).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
const source = (name: string) => readFileSync(join(folder, name), 'utf8');

/** Every function in a file with its line count (declarations, arrows, methods, expressions). */
export function functionLengths(name: string, text: string): { name: string; lines: number }[] {
  const file = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true);
  const found: { name: string; lines: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = file.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      const named = (node as { name?: ts.Node }).name ?? (node.parent as { name?: ts.Node }).name;
      found.push({ name: `${name}: ${named?.getText(file) ?? 'anonymous'}`, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('the worker folder', () => {
  it('holds the steps, each file under 350 lines', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
    expect(files.filter((name) => source(name).split('\n').length > 350)).toEqual([]);
  });

  it('has no function over 80 lines', () => {
    const long = files.flatMap((name) => functionLengths(name, source(name))).filter((f) => f.lines > 80);
    expect(long).toEqual([]);
  });

  it('lets no update step import a create step', () => {
    const createSteps = /from '\.\/(create|create-hold|created|lookup|recovery|resolve-source)'/;
    const updates = files.filter((name) => name.startsWith('update'));
    expect(updates.length).toBeGreaterThanOrEqual(3);
    expect(updates.filter((name) => createSteps.test(source(name)))).toEqual([]);
  });

  it('measures functions (the check can fail)', () => {
    const long = `function f() {\n${'  call();\n'.repeat(90)}}\nconst g = () => 1;\n`;
    expect(functionLengths('x.ts', long)).toEqual([
      { name: 'x.ts: f', lines: 92 },
      { name: 'x.ts: g', lines: 1 },
    ]);
  });
});
