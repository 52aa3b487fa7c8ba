import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root (holds package.json and host.json), from the sources or from dist-dev/. */
export function repoRoot(from = __dirname): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'host.json')) && existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new RepoRootNotFoundError(from);
}

/** No directory above `from` holds both host.json and package.json. */
export class RepoRootNotFoundError extends Error {
  override readonly name = 'RepoRootNotFoundError';
  constructor(readonly from: string) {
    super(`No repository root (host.json and package.json) above ${from}`);
  }
}

/** A compiled bench script: dist-dev/bench/<name>.js. */
export const benchScript = (name: string): string => join(repoRoot(), 'dist-dev', 'bench', `${name}.js`);
