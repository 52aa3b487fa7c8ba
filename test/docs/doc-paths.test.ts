import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

// Every repository path the Markdown docs name in backticks exists, so a reader (or a moved file)
// never leaves a pointer to nothing.
const root = resolve(__dirname, '..', '..');
const docs = execFileSync('git', ['ls-files', '*.md'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);
const PATH = /`((?:functions|shared|dev|test|bench|infra|docs|packages|clients|postman)\/[A-Za-z0-9_./-]+)`/g;

/** A path worth checking: not a pattern or placeholder. */
const concrete = (path: string): boolean => !/[*<>{}]/.test(path);

/** Generated output that git ignores (bench results, builds) is named but not committed. */
const ignored = (path: string): boolean => {
  try {
    execFileSync('git', ['check-ignore', '-q', path], { cwd: root });
    return true;
  } catch {
    return false;
  }
};

describe('paths named in the docs', () => {
  it('exist in the repository', () => {
    const missing: string[] = [];
    for (const doc of docs) {
      const text = readFileSync(join(root, doc), 'utf8');
      for (const [, path] of text.matchAll(PATH)) {
        const clean = path!.replace(/[.,:;]+$/, '');
        // A package's README may name paths inside the package.
        const found = existsSync(join(root, clean)) || existsSync(join(root, dirname(doc), clean));
        if (concrete(clean) && !found && !ignored(clean)) missing.push(`${doc}: ${clean}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
