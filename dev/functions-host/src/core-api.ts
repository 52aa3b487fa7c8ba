import Module from 'node:module';
import {
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  HookData,
  HookName,
  LogHookContext,
  ProgrammingModel,
  RpcLogCategory,
  RpcLogLevel,
} from './core-types';

/** The worker version this host reports as `@azure/functions-core`'s `version`. */
export const CORE_API_VERSION = '3.10.1';
/** Reported as `hostVersion`, like a Functions host 4.x. */
export const HOST_VERSION = '4.1036.1';

export interface RegisteredFunction {
  metadata: FunctionMetadata;
  callback: FunctionCallback;
  /** The entry point file that was loading when the function registered. */
  scriptFile?: string;
}

export interface SystemLog {
  level: RpcLogLevel;
  category: RpcLogCategory;
  message: string;
}

/**
 * What the worker keeps about the app: its programming model, registered functions and hooks.
 * One per host process, like the worker's `AppContext`.
 */
export interface WorkerApp {
  programmingModel?: ProgrammingModel;
  functions: Map<string, RegisteredFunction>;
  hooks: Record<HookName, HookCallback[]>;
  /** Shared by every hook in every scope. */
  appHookData: HookData;
  /** Only for appStart / appTerminate hooks. */
  appLevelOnlyHookData: HookData;
  /** Set once loading the entry points is over: registering a function afterwards is an error. */
  indexingLocked: boolean;
  currentEntryPoint?: string;
  /** Where `log` of the core API (system logs of the library) goes. */
  systemLog: (log: SystemLog) => void;
}

export function createWorkerApp(systemLog: (log: SystemLog) => void): WorkerApp {
  return {
    functions: new Map(),
    hooks: { appStart: [], appTerminate: [], preInvocation: [], postInvocation: [], log: [] },
    appHookData: {},
    appLevelOnlyHookData: {},
    indexingLocked: false,
    systemLog,
  };
}

/** Like the worker's (VS Code style) Disposable, which the core API exposes as a class. */
export class Disposable {
  static from(...disposables: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => disposables.forEach((d) => d.dispose()));
  }
  #callOnDispose?: () => unknown;
  constructor(callOnDispose: () => unknown) {
    this.#callOnDispose = callOnDispose;
  }
  dispose(): unknown {
    const call = this.#callOnDispose;
    this.#callOnDispose = undefined;
    return call?.();
  }
}

/** An error the library recognises as coming from the runtime (it checks these two properties). */
export function systemError(message: string, name = 'Error'): Error {
  const error = new Error(message) as Error & { isAzureFunctionsSystemError: boolean };
  error.name = name;
  error.isAzureFunctionsSystemError = true;
  return error;
}

const HOOK_NAMES: readonly HookName[] = [
  'appStart',
  'appTerminate',
  'preInvocation',
  'postInvocation',
  'log',
];

function hooksFor(app: WorkerApp, hookName: string): HookCallback[] {
  if (!(HOOK_NAMES as readonly string[]).includes(hookName)) {
    throw systemError(`Unrecognized hook "${hookName}"`, 'RangeError');
  }
  return app.hooks[hookName as HookName];
}

/** The object that `require('@azure/functions-core')` returns inside the app. */
export function createCoreApi(app: WorkerApp) {
  return {
    version: CORE_API_VERSION,
    hostVersion: HOST_VERSION,
    Disposable,
    setProgrammingModel(programmingModel: ProgrammingModel): void {
      if (app.programmingModel) {
        app.systemLog({
          level: 'information',
          category: 'system',
          message: `Setting Node.js programming model to "${programmingModel.name}" version "${programmingModel.version}"`,
        });
      }
      app.programmingModel = programmingModel;
    },
    getProgrammingModel(): ProgrammingModel | undefined {
      return app.programmingModel;
    },
    registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
      if (app.indexingLocked) {
        throw systemError('A function can only be registered during app startup.');
      }
      const functionId = metadata.functionId || metadata.name;
      if (app.functions.has(functionId)) {
        throw systemError(`A function with id "${functionId}" has already been registered.`);
      }
      app.functions.set(functionId, { metadata, callback, scriptFile: app.currentEntryPoint });
      return new Disposable(() => {
        if (app.indexingLocked) throw systemError('A function can only be disposed during app startup.');
        app.functions.delete(functionId);
      });
    },
    registerHook(hookName: string, callback: HookCallback): Disposable {
      const hooks = hooksFor(app, hookName);
      hooks.push(callback);
      return new Disposable(() => {
        const index = hooks.indexOf(callback);
        if (index >= 0) hooks.splice(index, 1);
      });
    },
    log(level: RpcLogLevel, category: RpcLogCategory, message: string): void {
      app.systemLog({ level, category, message });
    },
  };
}

export type CoreApi = ReturnType<typeof createCoreApi>;

export const CORE_MODULE_NAME = '@azure/functions-core';

/**
 * Makes `require('@azure/functions-core')` return `coreApi` in every module loaded from now on,
 * the way the Node.js worker provides the module (it is not an installable package).
 * Returns a function that removes the interception.
 */
export function installCoreModule(coreApi: CoreApi): () => void {
  const proto = Module.prototype as unknown as { require: (id: string) => unknown };
  const original = proto.require;
  proto.require = new Proxy(original, {
    apply(target, thisArg, args: unknown[]) {
      if (args[0] === CORE_MODULE_NAME) return coreApi;
      return Reflect.apply(target, thisArg, args);
    },
  });
  return () => {
    proto.require = original;
  };
}

/** Runs hooks in registration order, awaiting each, as the worker does. */
export async function executeHooks(app: WorkerApp, hookName: HookName, context: unknown): Promise<void> {
  for (const callback of [...app.hooks[hookName]]) {
    await (callback as (c: unknown) => unknown)(context);
  }
}

/**
 * Runs the `log` hooks (synchronously, they may change level and message) and returns the result.
 * A hook that throws is reported once on stderr and does not stop the log.
 */
export function applyLogHooks(
  app: WorkerApp,
  entry: { level: RpcLogLevel; category: RpcLogCategory; message: string; invocationContext?: unknown },
): { level: RpcLogLevel; message: string } {
  const hooks = app.hooks.log;
  if (hooks.length === 0 || applyingLogHooks) return entry;
  const context: LogHookContext = {
    hookData: {},
    appHookData: app.appHookData,
    invocationContext: entry.invocationContext,
    category: entry.category,
    level: entry.level,
    message: entry.message,
  };
  applyingLogHooks = true;
  try {
    for (const hook of [...hooks]) {
      try {
        (hook as (c: unknown) => unknown)(context);
      } catch (error) {
        process.stderr.write(`A log hook threw: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  } finally {
    applyingLogHooks = false;
  }
  return { level: context.level, message: context.message };
}

let applyingLogHooks = false;
