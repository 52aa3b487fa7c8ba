import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { loadEntryPoints } from './app-loader';
import { keysFromEnvironment } from './auth';
import { applyLogHooks, createCoreApi, createWorkerApp, executeHooks, installCoreModule } from './core-api';
import { AppStartContext, HookContext } from './core-types';
import { formatDateTimeOffset } from './duration';
import { EventGridPlan, FunctionPlan, planFunctions } from './function-plan';
import { readHostConfig } from './host-config';
import { HostStartError } from './host-start-error';
import { createHttpServer, HttpRoute } from './http-server';
import { createInvoker, Invoker } from './invoke';
import { stdoutLines } from './line-writer';
import { createConsoleLogger, Logger } from './logger';
import { applyLocalSettings, readLocalSettings } from './local-settings';
import { connectQueueBindings } from './queue-bindings';
import { DEFAULT_LEASE_MS } from './queue-listener';
import { requestBodyLimit } from './request-body';
import { createTimerListener, TimerListener } from './timer-listener';

export { HostStartError } from './host-start-error';

export const DEFAULT_PORT = 7071;
/** How long shutdown waits for running invocations. */
export const SHUTDOWN_TIMEOUT_MS = 30_000;

export interface HostOptions {
  appDir: string;
  /** Overrides local.settings.json Host.LocalHttpPort; 0 picks a free port. */
  port?: number;
  /** Address to listen on; 127.0.0.1 by default. */
  hostname?: string;
  /** Where lines are printed (by default stdout, in batches: `line-writer.ts`). */
  write?: (line: string) => void;
}

export interface RunningHost {
  port: number;
  /** `http://localhost:<port>`. */
  url: string;
  plans: FunctionPlan[];
  /** Stops taking work, waits for running invocations (bounded), runs appTerminate hooks. */
  stop(): Promise<void>;
}

function readOnlyHookContext<T extends object>(
  hookData: object,
  appHookData: object,
  extra: T,
): HookContext & T {
  const context = { ...extra } as HookContext & T;
  Object.defineProperty(context, 'hookData', { get: () => hookData, enumerable: true });
  Object.defineProperty(context, 'appHookData', { get: () => appHookData, enumerable: true });
  return context;
}

function describe(plan: FunctionPlan, port: number, routePrefix: string): string {
  const suffix = plan.disabled ? ' (disabled)' : '';
  if (plan.kind === 'http') {
    const methods = plan.methods ? plan.methods.join(',') : 'GET,POST,PUT,DELETE,HEAD,PATCH,OPTIONS';
    const path = [routePrefix, plan.template.template].filter(Boolean).join('/');
    return `  ${plan.name}: [${methods}] http://localhost:${port}/${path}${suffix}`;
  }
  if (plan.kind === 'eventGrid') {
    return `  ${plan.name}: eventGridTrigger http://localhost:${port}/runtime/webhooks/eventgrid?functionName=${plan.name}${suffix}`;
  }
  return `  ${plan.name}: ${plan.kind}Trigger${suffix}`;
}

/**
 * Starts the local Functions host for the app in `appDir`: applies local.settings.json, reads
 * host.json, loads the app through the `@azure/functions-core` module it provides, and starts
 * the HTTP server, queue listeners and timers. Resolves once everything listens and polls.
 */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  const lines = options.write ? undefined : stdoutLines();
  const write = options.write ?? lines!.write;
  const env = process.env;
  const { appDir } = options;

  const localSettings = readLocalSettings(appDir);
  if (localSettings) applyLocalSettings(localSettings, env, write);
  env.AZURE_FUNCTIONS_ENVIRONMENT ??= 'Development';
  const config = readHostConfig(appDir, env);
  const maxBodyBytes = requestBodyLimit(env);
  const logger: Logger = { ...createConsoleLogger(config.logLevels, write), flush: () => lines?.flush() };
  if (env.WEBSITE_TIME_ZONE) {
    logger.log(
      'warning',
      'Host',
      `WEBSITE_TIME_ZONE="${env.WEBSITE_TIME_ZONE}" is ignored: timer schedules are evaluated in UTC`,
    );
  }

  const app = createWorkerApp((log) => {
    const hooked = applyLogHooks(app, log);
    logger.log(hooked.level, 'Host.Function.Console', hooked.message);
  });
  const uninstall = installCoreModule(createCoreApi(app));
  process.chdir(appDir);
  const files = await loadEntryPoints(app, appDir);
  app.indexingLocked = true;
  logger.log('debug', 'Host', `Loaded ${files.join(', ')}`);

  const capabilities = (await app.programmingModel?.getCapabilities?.({})) ?? {};
  if (capabilities.HttpUri) {
    throw new HostStartError(
      'The app enables HTTP streaming (app.setup({ enableHttpStream: true })), which this local host does not support',
      {},
    );
  }

  const plans = planFunctions(app.functions.values(), env);
  if (plans.length === 0) logger.log('warning', 'Host', 'No job functions found.');
  for (const plan of plans) {
    if (plan.fn.metadata.retryOptions) {
      logger.log(
        'warning',
        'Host',
        `Function "${plan.name}": retry options are not applied by this local host`,
      );
    }
  }

  const queueBindings = await connectQueueBindings({ plans, env, queues: config.queues, logger });
  const invoker: Invoker = createInvoker(app, logger, config.functionTimeoutMs, queueBindings.writeOutputs);
  const queueListeners = await queueBindings.listen(invoker, {
    leaseMs:
      Number(env.DEV_HOST_QUEUE_LEASE_SECONDS) > 0
        ? Number(env.DEV_HOST_QUEUE_LEASE_SECONDS) * 1000
        : DEFAULT_LEASE_MS,
  });

  const timers: TimerListener[] = plans
    .filter((p) => p.kind === 'timer' && !p.disabled)
    .map((plan) => {
      if (plan.kind !== 'timer') throw new Error('unreachable');
      return createTimerListener({
        schedule: plan.schedule,
        runOnStartup: plan.runOnStartup,
        fire: async (input, reason) => {
          await invoker.invoke(plan.fn, { reason, inputData: [{ name: plan.triggerName, data: input }] });
        },
      });
    });

  await executeHooks(
    app,
    'appStart',
    readOnlyHookContext<Pick<AppStartContext, 'functionAppDirectory'>>(
      app.appLevelOnlyHookData,
      app.appHookData,
      {
        functionAppDirectory: appDir,
      },
    ),
  );

  let stopping = false;
  const routes: HttpRoute[] = plans.flatMap((plan) =>
    plan.kind === 'http'
      ? [
          {
            fn: plan.fn,
            bindingName: plan.triggerName,
            template: plan.template,
            methods: plan.methods,
            authLevel: plan.authLevel,
            disabled: plan.disabled,
          },
        ]
      : [],
  );
  const server: Server = createHttpServer({
    routes,
    eventGrid: plans.filter((p): p is EventGridPlan => p.kind === 'eventGrid'),
    routePrefix: config.routePrefix,
    keys: keysFromEnvironment(env),
    invoker,
    logger,
    isStopping: () => stopping,
    maxBodyBytes,
    // For tests: the front end's 230 s, shorter.
    ...(Number(env.DEV_HOST_FRONT_END_TIMEOUT_SECONDS) > 0 && {
      frontEndTimeoutMs: Number(env.DEV_HOST_FRONT_END_TIMEOUT_SECONDS) * 1000,
    }),
  });
  const port = options.port ?? localSettings?.localHttpPort ?? DEFAULT_PORT;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new HostStartError(
          error.code === 'EADDRINUSE'
            ? `Port ${port} is unavailable. Close the process using that port, or specify another port using --port.`
            : error.message,
          { port },
          { cause: error },
        ),
      ),
    );
    server.listen(port, options.hostname ?? '127.0.0.1', () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;

  for (const listener of queueListeners) listener.start();
  for (const timer of timers) timer.start();

  write('');
  write('Functions:');
  write('');
  for (const plan of plans) write(describe(plan, actualPort, config.routePrefix));
  write('');
  for (const plan of plans) {
    if (plan.kind === 'timer' && !plan.disabled) {
      logger.log('debug', 'Host', `Timer ${plan.name} ("${plan.scheduleText}") is scheduled in UTC`);
    }
  }

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.log('information', 'Host', 'Stopping host: no new work is taken; waiting for running invocations');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const drained = Promise.all([
      ...queueListeners.map((l) => l.stop()),
      ...timers.map((t) => t.stop()),
      invoker.drain(SHUTDOWN_TIMEOUT_MS),
    ]).then(() => true);
    const finished = await Promise.race([
      drained,
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), SHUTDOWN_TIMEOUT_MS).unref()),
    ]);
    if (!finished) {
      logger.log(
        'warning',
        'Host',
        `Invocations still running after ${SHUTDOWN_TIMEOUT_MS / 1000}s (${invoker.inFlight}); stopping anyway`,
      );
    }
    try {
      await executeHooks(
        app,
        'appTerminate',
        readOnlyHookContext(app.appLevelOnlyHookData, app.appHookData, {}),
      );
    } catch (error) {
      logger.log('error', 'Host', `An appTerminate hook failed: ${(error as Error).stack ?? String(error)}`);
    }
    // Let responses that are being written finish, then drop whatever connection is left.
    server.closeIdleConnections();
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    server.closeAllConnections();
    uninstall();
    logger.log('information', 'Host', `Host stopped at ${formatDateTimeOffset(new Date())}`);
  };

  return { port: actualPort, url: `http://localhost:${actualPort}`, plans, stop };
}
