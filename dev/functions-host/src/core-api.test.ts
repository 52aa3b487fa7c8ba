import Module from 'node:module';
import { createCoreApi, createWorkerApp, executeHooks, installCoreModule } from './core-api';

describe('@azure/functions-core', () => {
  it('is what require("@azure/functions-core") returns once installed, and only then', () => {
    const app = createWorkerApp(() => undefined);
    const api = createCoreApi(app);
    const load = (): unknown =>
      (Module.prototype as unknown as { require(id: string): unknown }).require.call(
        module,
        '@azure/functions-core',
      );
    const uninstall = installCoreModule(api);
    try {
      expect(load()).toBe(api);
    } finally {
      uninstall();
    }
    expect(load).toThrow(/Cannot find module/);
  });

  it('registers functions once, and only while the app is loading', () => {
    const app = createWorkerApp(() => undefined);
    const api = createCoreApi(app);
    const callback = (): undefined => undefined;
    api.registerFunction({ name: 'one', bindings: {} }, callback);
    expect(() => api.registerFunction({ name: 'one', bindings: {} }, callback)).toThrow(
      /already been registered/,
    );
    app.indexingLocked = true;
    expect(() => api.registerFunction({ name: 'two', bindings: {} }, callback)).toThrow(/during app startup/);
    expect([...app.functions.keys()]).toEqual(['one']);
  });

  it('runs hooks in order until disposed, and rejects unknown hook names as the worker does', async () => {
    const app = createWorkerApp(() => undefined);
    const api = createCoreApi(app);
    const calls: string[] = [];
    const first = api.registerHook('appStart', () => void calls.push('first'));
    api.registerHook('appStart', async () => {
      calls.push('second');
    });
    await executeHooks(app, 'appStart', {});
    first.dispose();
    await executeHooks(app, 'appStart', {});
    expect(calls).toEqual(['first', 'second', 'second']);
    expect(() => api.registerHook('nope', () => undefined)).toThrow(
      expect.objectContaining({ name: 'RangeError', isAzureFunctionsSystemError: true }),
    );
  });
});
