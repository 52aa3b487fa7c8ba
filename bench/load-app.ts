import { loadEntryPoints } from '@d365-customer-sync/functions-host';
import { createCoreApi, createWorkerApp, installCoreModule } from '@d365-customer-sync/functions-host';
import { scriptInput } from './child-script';

/**
 * Loads the compiled app exactly as the host does (the intercepted `@azure/functions-core`, then a
 * `require` of every file package.json `main` names) in a fresh process, and prints how long the
 * `require`s took and how many modules they loaded. With `modules`, times a plain `require` of those
 * packages instead (after `after`, untimed), to find what the app's load time is made of.
 */
interface Input {
  appDir: string;
  modules?: string[];
  after?: string[];
}

async function main(): Promise<void> {
  const input = scriptInput<Input>();
  if (input.modules) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    for (const name of input.after ?? []) require(name);
    const before = Object.keys(require.cache).length;
    const started = performance.now();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    for (const name of input.modules) require(name);
    const ms = performance.now() - started;
    process.stdout.write(`${JSON.stringify({ ms, modules: Object.keys(require.cache).length - before })}\n`);
    return;
  }
  const app = createWorkerApp(() => undefined);
  installCoreModule(createCoreApi(app));
  const before = Object.keys(require.cache).length;
  const started = performance.now();
  const files = await loadEntryPoints(app, input.appDir);
  const ms = performance.now() - started;
  process.stdout.write(
    `${JSON.stringify({ ms, files: files.length, functions: app.functions.size, modules: Object.keys(require.cache).length - before })}\n`,
  );
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
