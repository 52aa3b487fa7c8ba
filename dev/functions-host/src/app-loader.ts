import { existsSync, globSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WorkerApp } from './core-api';

/** The app cannot be loaded as the worker would; keeps the app folder and the file at fault. */
export class AppLoadError extends Error {
  override readonly name = 'AppLoadError';
  readonly appDir: string;
  /** The file at fault (package.json, an entry point, or the `main` pattern), relative to `appDir`. */
  readonly file?: string;
  constructor(message: string, context: { appDir: string; file?: string }, options?: ErrorOptions) {
    super(message, options);
    this.appDir = context.appDir;
    this.file = context.file;
  }
}

/** A real dynamic import (TypeScript's CommonJS output would turn `import()` into `require`). */
const importModule = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<unknown>;

interface PackageJson {
  main?: unknown;
  type?: unknown;
}

function readPackageJson(appDir: string): PackageJson {
  const path = join(appDir, 'package.json');
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
  } catch (error) {
    throw new AppLoadError(
      `package.json is not valid JSON: ${(error as Error).message}`,
      { appDir, file: 'package.json' },
      {
        cause: error,
      },
    );
  }
}

/** The entry point files `main` names: a file or a glob, relative to the app; `index.js` when absent. */
export function entryPointFiles(appDir: string, main: string): string[] {
  const pattern = main.replace(/^\.\//, '');
  const files = globSync(pattern, { cwd: appDir })
    .map((file) => (isAbsolute(file) ? relative(appDir, file) : file))
    .sort();
  if (files.length === 0) {
    const hasMagic = /[*?[\]{}]/.test(pattern);
    throw new AppLoadError(
      `${hasMagic ? 'Found zero files matching the supplied pattern' : 'File does not exist'} "${main}" ` +
        `(package.json "main", relative to ${appDir}); build the app first?`,
      { appDir, file: main },
    );
  }
  return files;
}

/**
 * Loads the app's entry points the way the Node.js worker does: every file matched by package.json
 * `main`, in order, with `require` (or `import()` for ES modules). Registrations made meanwhile are
 * attributed to the file being loaded.
 */
export async function loadEntryPoints(app: WorkerApp, appDir: string): Promise<string[]> {
  const packageJson = readPackageJson(appDir);
  const main =
    typeof packageJson.main === 'string' && packageJson.main.trim() ? packageJson.main : 'index.js';
  const files = entryPointFiles(appDir, main);
  for (const file of files) {
    const path = join(appDir, file);
    app.currentEntryPoint = path;
    try {
      const esm = file.endsWith('.mjs') || (!file.endsWith('.cjs') && packageJson.type === 'module');
      if (esm) {
        await importModule(pathToFileURL(path).href);
      } else {
        // A plain require, as the worker does, so the app gets the intercepted @azure/functions-core.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(path);
      }
    } catch (error) {
      const cause = error instanceof Error ? (error.stack ?? error.message) : String(error);
      throw new AppLoadError(
        `Worker was unable to load entry point "${file}": ${cause}`,
        { appDir, file },
        {
          cause: error,
        },
      );
    } finally {
      app.currentEntryPoint = undefined;
    }
  }
  return files;
}
