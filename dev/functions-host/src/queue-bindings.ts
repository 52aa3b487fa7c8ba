import { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { RegisteredFunction } from './core-api';
import { RpcInvocationResponse, RpcTypedData } from './core-types';
import { FunctionPlan, QueuePlan } from './function-plan';
import { QueuesConfig } from './host-config';
import { HostStartError } from './host-start-error';
import { Invoker } from './invoke';
import { Logger } from './logger';
import { createQueueListener, QueueListener } from './queue-listener';
import { encodeMessageBody, toOutputMessages, toTriggerData, toTriggerMetadata } from './queue-message';
import { resolveStorageConnection } from './storage-connection';

export interface QueueBindingsOptions {
  plans: FunctionPlan[];
  env: NodeJS.ProcessEnv;
  queues: QueuesConfig;
  logger: Logger;
}

export interface QueueBindings {
  /** Writes a successful invocation's queue outputs and wakes this host's listener of each queue written to. */
  writeOutputs(fn: RegisteredFunction, response: RpcInvocationResponse): Promise<void>;
  /** Creates (not yet started) one listener per enabled queue-triggered function, creating its queue when missing. */
  listen(invoker: Invoker, options: { leaseMs: number }): Promise<QueueListener[]>;
}

/**
 * The Storage queue side of the host: one queue service client per connection string, the output
 * queues of every function (created when missing, at start, as the extension does), and the trigger
 * listeners. Start-up problems are HostStartErrors naming the function and binding.
 */
export async function connectQueueBindings(options: QueueBindingsOptions): Promise<QueueBindings> {
  const { plans, env, queues, logger } = options;
  const serviceClients = new Map<string, QueueServiceClient>();
  const queueClient = (connection: string | undefined, queueName: string, usedBy: string): QueueClient => {
    const { connectionString, settingName } = resolveStorageConnection(connection, env, usedBy);
    let service = serviceClients.get(connectionString);
    if (!service) {
      try {
        // Few, short retries: an unreachable storage account fails the start quickly, with its name.
        service = QueueServiceClient.fromConnectionString(connectionString, {
          retryOptions: { maxTries: 3, retryDelayInMs: 500, maxRetryDelayInMs: 2000, tryTimeoutInMs: 30_000 },
        });
      } catch (error) {
        throw new HostStartError(
          `${usedBy}: the connection string in "${settingName}" is invalid: ${(error as Error).message}`,
          { usedBy },
          { cause: error },
        );
      }
      serviceClients.set(connectionString, service);
    }
    return service.getQueueClient(queueName);
  };
  const ensureQueue = async (client: QueueClient, usedBy: string): Promise<void> => {
    try {
      await client.createIfNotExists();
    } catch (error) {
      throw new HostStartError(
        `${usedBy}: cannot create or reach queue "${client.name}": ${(error as Error).message}`,
        { usedBy, queueName: client.name },
        { cause: error },
      );
    }
  };

  const listeners = new Map<string, QueueListener>();
  const listenerKey = (client: QueueClient): string => client.url.toLowerCase();
  const outputs = new Map<string, Map<string, QueueClient>>();
  for (const plan of plans) {
    const clients = new Map<string, QueueClient>();
    for (const output of plan.queueOutputs) {
      const usedBy = `Function "${plan.name}", output "${output.bindingName}"`;
      const client = queueClient(output.connection, output.queueName, usedBy);
      await ensureQueue(client, usedBy);
      clients.set(output.bindingName, client);
    }
    outputs.set(plan.name, clients);
  }

  const writeOutputs = async (fn: RegisteredFunction, response: RpcInvocationResponse): Promise<void> => {
    const clients = outputs.get(fn.metadata.name);
    if (!clients || clients.size === 0) return;
    const values: [string, RpcTypedData | null | undefined][] = (response.outputData ?? []).map((o) => [
      o.name ?? '',
      o.data,
    ]);
    if (clients.has('$return')) values.push(['$return', response.returnValue]);
    for (const [bindingName, data] of values) {
      const client = clients.get(bindingName);
      if (!client) continue;
      for (const body of toOutputMessages(data)) {
        await client.sendMessage(encodeMessageBody(body, queues.messageEncoding));
      }
      listeners.get(listenerKey(client))?.notify();
    }
  };

  const listen = async (invoker: Invoker, { leaseMs }: { leaseMs: number }): Promise<QueueListener[]> => {
    const queuePlans = plans.filter((p): p is QueuePlan => p.kind === 'queue' && !p.disabled);
    for (const plan of queuePlans) {
      const usedBy = `Function "${plan.name}"`;
      const queue = queueClient(plan.connection, plan.queueName, usedBy);
      await ensureQueue(queue, usedBy);
      const poisonQueue = plan.poisonQueueName
        ? queueClient(plan.connection, plan.poisonQueueName, usedBy)
        : undefined;
      listeners.set(
        listenerKey(queue),
        createQueueListener({
          functionName: plan.name,
          queue,
          poisonQueue,
          config: queues,
          leaseMs,
          logger,
          process: async (message, body) => {
            const result = await invoker.invoke(plan.fn, {
              reason: `New queue message detected on '${plan.queueName}'.`,
              inputData: [{ name: plan.triggerName, data: toTriggerData(body, plan.dataType) }],
              triggerMetadata: toTriggerMetadata(message, body, plan.name),
            });
            return result.status === 'succeeded';
          },
        }),
      );
    }
    return [...listeners.values()];
  };

  return { writeOutputs, listen };
}
