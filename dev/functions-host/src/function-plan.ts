import { AuthLevel } from './auth';
import { RegisteredFunction } from './core-api';
import { RpcBindingInfo } from './core-types';
import { poisonQueueName, validateQueueName } from './queue-names';
import { parseRouteTemplate, RouteTemplate, RouteTemplateError } from './route-template';
import { parseTimerSchedule, TimerSchedule, TimerScheduleError } from './timer-listener';

export interface QueueOutputPlan {
  bindingName: string;
  queueName: string;
  connection?: string;
}

interface PlanBase {
  name: string;
  fn: RegisteredFunction;
  triggerName: string;
  disabled: boolean;
  queueOutputs: QueueOutputPlan[];
}

export interface HttpPlan extends PlanBase {
  kind: 'http';
  template: RouteTemplate;
  methods?: string[];
  authLevel: AuthLevel;
}

export interface QueuePlan extends PlanBase {
  kind: 'queue';
  queueName: string;
  poisonQueueName?: string;
  connection?: string;
  dataType?: unknown;
}

export interface TimerPlan extends PlanBase {
  kind: 'timer';
  schedule: TimerSchedule;
  scheduleText: string;
  runOnStartup: boolean;
}

/** An Event Grid trigger: run by the extension's webhook (event-grid-webhook.ts), one event per invocation. */
export interface EventGridPlan extends PlanBase {
  kind: 'eventGrid';
}

export type FunctionPlan = HttpPlan | QueuePlan | TimerPlan | EventGridPlan;

/** A function this host cannot run; keeps the functions and the app setting at fault. */
export class FunctionPlanError extends Error {
  override readonly name = 'FunctionPlanError';
  /** Names of the functions at fault (several when the problems of every function are reported together). */
  readonly functionNames: readonly string[];
  /** The app setting a `%Setting%` expression named, when that is the problem. */
  readonly setting?: string;
  /** When every function's problems are reported together: each function's own error. */
  readonly problems: readonly Error[];
  constructor(
    message: string,
    context: { functionNames: readonly string[]; setting?: string; problems?: readonly Error[] },
  ) {
    super(message);
    this.functionNames = context.functionNames;
    this.setting = context.setting;
    this.problems = context.problems ?? [];
  }
}

/** Resolves `%AppSetting%` binding expressions from the environment, as the host does. */
export function resolveAppSettings(
  value: string,
  env: NodeJS.ProcessEnv,
  where: string,
  functionName: string,
): string {
  return value.replace(/%([^%]+)%/g, (_match, name: string) => {
    const resolved = env[name];
    if (resolved === undefined) {
      throw new FunctionPlanError(
        `${where}: '%${name}%' does not resolve to a value (no app setting "${name}")`,
        { functionNames: [functionName], setting: name },
      );
    }
    return resolved;
  });
}

function isEnabledSetting(value: string | undefined): boolean {
  return value !== undefined && ['true', '1'].includes(value.trim().toLowerCase());
}

function option(binding: RpcBindingInfo, name: string): unknown {
  return binding[name];
}

/**
 * Works out how to run each registered function from its binding metadata: the trigger (HTTP,
 * Storage queue, timer or Event Grid) with its options, and queue output bindings. Anything this host cannot
 * run faithfully (other triggers, other input/output bindings) is an error naming the function.
 */
export function planFunctions(
  functions: Iterable<RegisteredFunction>,
  env: NodeJS.ProcessEnv,
): FunctionPlan[] {
  const plans: FunctionPlan[] = [];
  const problems: string[] = [];
  const failed: string[] = [];
  const errors: Error[] = [];
  for (const fn of functions) {
    const name = fn.metadata.name;
    const where = `Function "${name}"`;
    try {
      if (!/^[a-z][a-z0-9_-]{0,127}$/i.test(name)) {
        throw new FunctionPlanError(
          `${where}: invalid name; it must start with a letter and contain only letters, digits, "_" and "-"`,
          { functionNames: [name] },
        );
      }
      const bindings = Object.entries(fn.metadata.bindings);
      const triggers = bindings.filter(([, b]) => /trigger$/i.test(b.type ?? ''));
      if (triggers.length !== 1)
        throw new FunctionPlanError(`${where}: expected exactly one trigger binding`, {
          functionNames: [name],
        });
      const [triggerName, trigger] = triggers[0] as [string, RpcBindingInfo];
      const triggerType = (trigger.type ?? '').toLowerCase();
      const queueOutputs: QueueOutputPlan[] = [];
      for (const [bindingName, binding] of bindings) {
        if (binding === trigger) continue;
        const type = (binding.type ?? '').toLowerCase();
        if (binding.direction === 'out' && type === 'http' && triggerType === 'httptrigger') continue;
        if (binding.direction === 'out' && type === 'queue') {
          const queueName = resolveAppSettings(
            String(option(binding, 'queueName') ?? ''),
            env,
            `${where}, output "${bindingName}"`,
            name,
          );
          const invalid = validateQueueName(queueName);
          if (invalid)
            throw new FunctionPlanError(`${where}: output queue name "${queueName}" ${invalid}`, {
              functionNames: [name],
            });
          const connection = option(binding, 'connection');
          queueOutputs.push({
            bindingName,
            queueName,
            connection:
              typeof connection === 'string' ? resolveAppSettings(connection, env, where, name) : undefined,
          });
          continue;
        }
        throw new FunctionPlanError(
          `${where}: ${binding.direction ?? 'in'}put binding "${bindingName}" of type "${binding.type}" is not supported by this local host ` +
            '(it supports HTTP, Storage queue, timer and Event Grid triggers, and Storage queue outputs)',
          { functionNames: [name] },
        );
      }
      const disabled = isEnabledSetting(
        env[`AzureWebJobs.${name}.Disabled`] ?? env[`AzureWebJobs__${name}__Disabled`],
      );
      const base = { name, fn, triggerName, disabled, queueOutputs };
      if (triggerType === 'httptrigger') {
        const route = option(trigger, 'route');
        const routeText = typeof route === 'string' && route.trim() !== '' ? route : name;
        const methodsValue = option(trigger, 'methods');
        const methods =
          Array.isArray(methodsValue) && methodsValue.length > 0
            ? methodsValue.map((m) => String(m).toUpperCase())
            : undefined;
        const level = String(option(trigger, 'authLevel') ?? 'function').toLowerCase();
        const authLevel: AuthLevel = level === 'anonymous' || level === 'function' ? level : 'admin';
        plans.push({ ...base, kind: 'http', template: parseRouteTemplate(routeText), methods, authLevel });
      } else if (triggerType === 'queuetrigger') {
        const queueName = resolveAppSettings(String(option(trigger, 'queueName') ?? ''), env, where, name);
        const invalid = validateQueueName(queueName);
        if (invalid)
          throw new FunctionPlanError(`${where}: queue name "${queueName}" ${invalid}`, {
            functionNames: [name],
          });
        const connection = option(trigger, 'connection');
        plans.push({
          ...base,
          kind: 'queue',
          queueName,
          poisonQueueName: poisonQueueName(queueName),
          connection:
            typeof connection === 'string' ? resolveAppSettings(connection, env, where, name) : undefined,
          dataType: trigger.dataType,
        });
      } else if (triggerType === 'timertrigger') {
        const scheduleText = resolveAppSettings(String(option(trigger, 'schedule') ?? ''), env, where, name);
        plans.push({
          ...base,
          kind: 'timer',
          schedule: parseTimerSchedule(scheduleText),
          scheduleText,
          runOnStartup: option(trigger, 'runOnStartup') === true,
        });
      } else if (triggerType === 'eventgridtrigger') {
        plans.push({ ...base, kind: 'eventGrid' });
      } else {
        throw new FunctionPlanError(
          `${where}: trigger type "${trigger.type}" is not supported by this local host (it supports httpTrigger, queueTrigger, timerTrigger and eventGridTrigger)`,
          { functionNames: [name] },
        );
      }
    } catch (error) {
      if (error instanceof Error) {
        failed.push(name);
        errors.push(error);
      }
      if (error instanceof RouteTemplateError || error instanceof TimerScheduleError) {
        problems.push(`${where}: ${error.message}`);
      } else if (error instanceof FunctionPlanError) {
        problems.push(error.message);
      } else {
        throw error;
      }
    }
  }
  if (problems.length > 0)
    throw new FunctionPlanError(problems.join('\n'), { functionNames: failed, problems: errors });
  return plans;
}
