import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { applyLogHooks, executeHooks, RegisteredFunction, WorkerApp } from './core-api';
import {
  CoreInvocationContext,
  FunctionCallback,
  PostInvocationContext,
  PreInvocationContext,
  RpcInvocationResponse,
  RpcLogCategory,
  RpcLogLevel,
  RpcParameterBinding,
  RpcTypedData,
} from './core-types';
import { formatTimeSpan } from './duration';
import { Logger } from './logger';

export interface InvocationInput {
  /** Why the host runs the function, as the host's "Executing" line says it. */
  reason: string;
  /**
   * The trigger's input, or a function that produces it inside the invocation: the host converts an
   * HTTP request to RPC (reading its body) while invoking, so a failure there fails the invocation.
   */
  inputData: RpcParameterBinding[] | (() => Promise<RpcParameterBinding[]>);
  triggerMetadata?: Record<string, RpcTypedData>;
  /** W3C traceparent of the caller, when there is one; a new one is made otherwise. */
  traceParent?: string;
}

export type InvocationResult =
  | { status: 'succeeded'; invocationId: string; response: RpcInvocationResponse }
  | { status: 'failed'; invocationId: string; error: Error };

export interface Invoker {
  invoke(fn: RegisteredFunction, input: InvocationInput): Promise<InvocationResult>;
  /** Number of invocations running now. */
  readonly inFlight: number;
  /** Resolves when no invocation runs any more, or after `timeoutMs`; true when all finished. */
  drain(timeoutMs: number): Promise<boolean>;
}

/** Same as the worker's `ensureErrorType`: whatever was thrown, report it as an Error. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (thrown === undefined || thrown === null) return new Error('Unknown error');
  if (typeof thrown === 'string') return new Error(thrown);
  if (typeof thrown === 'object') return new Error(JSON.stringify(thrown));
  return new Error(String(thrown));
}

/** Random bytes for trace IDs, drawn from the CSPRNG 128 trace parents at a time (as `randomUUID` pools its own). */
const TRACE_BYTES = 24;
let tracePool = Buffer.alloc(0);
let traceOffset = 0;

/** A new W3C traceparent (version 00, random trace and parent IDs, sampled). */
export function newTraceParent(): string {
  if (traceOffset + TRACE_BYTES > tracePool.length) {
    tracePool = randomBytes(TRACE_BYTES * 128);
    traceOffset = 0;
  }
  const hex = tracePool.toString('hex', traceOffset, traceOffset + TRACE_BYTES);
  traceOffset += TRACE_BYTES;
  return `00-${hex.slice(0, 32)}-${hex.slice(32)}-01`;
}

/**
 * As the worker's (azure-functions-nodejs-worker src/errors.ts): a hook assigned to a read-only
 * property of its context. Its name stays "TypeError", as the worker's does, since apps see it.
 */
class ReadOnlyError extends TypeError {
  override readonly name = 'TypeError';
  readonly isAzureFunctionsSystemError = true;
  constructor(readonly property: string) {
    super(`Cannot assign to read only property '${property}'`);
  }
}

/**
 * The accessors every invocation hook context has (hookData, appHookData, invocationContext):
 * readable, and throwing `ReadOnlyError` when a hook assigns one, as the worker's contexts do.
 */
function readOnlyHookFields<T extends Record<string, () => unknown>>(
  getters: T,
): { [K in keyof T]: ReturnType<T[K]> } {
  const fields = {} as { [K in keyof T]: ReturnType<T[K]> };
  for (const [name, get] of Object.entries(getters)) {
    Object.defineProperty(fields, name, {
      enumerable: true,
      get,
      set() {
        throw new ReadOnlyError(name);
      },
    });
  }
  return fields;
}

/**
 * Runs functions the way the Node.js worker handles an InvocationRequest: the library's
 * programming model turns the RPC request into arguments, preInvocation hooks run, the handler
 * runs, postInvocation hooks run, and the model turns the result into an RPC response.
 * Logs the host's `Executing` / `Executed` lines around it.
 */
export function createInvoker(
  app: WorkerApp,
  logger: Logger,
  functionTimeoutMs?: number,
  /** Writes the output bindings of a successful invocation; a failure here fails the invocation, as in the host. */
  writeOutputs?: (fn: RegisteredFunction, response: RpcInvocationResponse) => Promise<void>,
): Invoker {
  const running = new Set<Promise<unknown>>();
  const idle: (() => void)[] = [];

  const invoke = async (fn: RegisteredFunction, input: InvocationInput): Promise<InvocationResult> => {
    const name = fn.metadata.name;
    const category = `Function.${name}`;
    const invocationId = randomUUID();
    const target = { functionName: name, invocationId };
    logger.log(
      'information',
      category,
      `Executing 'Functions.${name}' (Reason='${input.reason}', Id=${invocationId})`,
    );
    const started = performance.now();
    let invocationContext: unknown;

    const coreCtx: CoreInvocationContext = {
      invocationId,
      request: {
        invocationId,
        functionId: fn.metadata.functionId || name,
        inputData: [],
        triggerMetadata: input.triggerMetadata ?? {},
        traceContext: { traceParent: input.traceParent ?? newTraceParent(), traceState: '', attributes: {} },
      },
      metadata: {
        name,
        functionId: fn.metadata.functionId || name,
        bindings: fn.metadata.bindings,
        retryOptions: fn.metadata.retryOptions,
        scriptFile: fn.scriptFile,
      },
      log(level: RpcLogLevel, logCategory: RpcLogCategory, message: string) {
        const hooked = applyLogHooks(app, { level, category: logCategory, message, invocationContext });
        logger.log(
          hooked.level,
          logCategory === 'user' ? `${category}.User` : category,
          hooked.message,
          target,
        );
      },
    };

    const run = async (): Promise<RpcInvocationResponse> => {
      coreCtx.request.inputData =
        typeof input.inputData === 'function' ? await input.inputData() : input.inputData;
      const model = app.programmingModel;
      if (!model) throw new Error('No programming model is set: the app did not load @azure/functions');
      const invocationModel = await model.getInvocationModel(coreCtx);
      const hookData = {};
      const args = await invocationModel.getArguments();
      invocationContext = args.context;
      let callback: FunctionCallback = fn.callback;
      const shared = () =>
        readOnlyHookFields({
          hookData: () => hookData,
          appHookData: () => app.appHookData,
          invocationContext: () => args.context,
        });
      const pre: PreInvocationContext = Object.assign(shared(), {
        functionCallback: callback,
        inputs: args.inputs,
      });
      coreCtx.state = 'preInvocationHooks';
      try {
        await executeHooks(app, 'preInvocation', pre);
      } finally {
        coreCtx.state = undefined;
      }
      callback = pre.functionCallback;
      const post: PostInvocationContext = Object.assign(shared(), {
        inputs: pre.inputs,
        result: null as unknown,
        error: null as unknown,
      });
      coreCtx.state = 'invocation';
      try {
        post.result = await invocationModel.invokeFunction(args.context, pre.inputs, callback);
      } catch (error) {
        post.error = error;
      } finally {
        coreCtx.state = undefined;
      }
      coreCtx.state = 'postInvocationHooks';
      try {
        await executeHooks(app, 'postInvocation', post);
      } finally {
        coreCtx.state = undefined;
      }
      if (post.error !== null && post.error !== undefined) throw post.error;
      return invocationModel.getResponse(args.context, post.result);
    };

    const withTimeout = (work: Promise<RpcInvocationResponse>): Promise<RpcInvocationResponse> => {
      if (functionTimeoutMs === undefined) return work;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          logger.log(
            'error',
            category,
            `Timeout value of ${formatTimeSpan(functionTimeoutMs)} exceeded by function 'Functions.${name}' (Id: '${invocationId}'). Initiating cancellation.`,
          );
          reject(
            new Error(
              `Timeout value of ${formatTimeSpan(functionTimeoutMs)} was exceeded by function: Functions.${name}`,
            ),
          );
        }, functionTimeoutMs);
      });
      return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
    };

    const duration = (): number => Math.round(performance.now() - started);
    const work = withTimeout(run());
    running.add(work);
    try {
      const response = await work;
      await writeOutputs?.(fn, response);
      logger.log(
        'information',
        category,
        `Executed 'Functions.${name}' (Succeeded, Id=${invocationId}, Duration=${duration()}ms)`,
      );
      return { status: 'succeeded', invocationId, response };
    } catch (thrown) {
      const error = toError(thrown);
      logger.log(
        'error',
        category,
        `Executed 'Functions.${name}' (Failed, Id=${invocationId}, Duration=${duration()}ms)`,
      );
      logger.log(
        'error',
        category,
        `Exception while executing function: Functions.${name}. Result: Failure\nException: ${error.message}\nStack: ${error.stack ?? '(no stack)'}`,
      );
      return { status: 'failed', invocationId, error };
    } finally {
      running.delete(work);
      if (running.size === 0) idle.splice(0).forEach((resolve) => resolve());
    }
  };

  return {
    invoke,
    get inFlight() {
      return running.size;
    },
    drain(timeoutMs: number): Promise<boolean> {
      if (running.size === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        idle.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
  };
}
