import { QueueClient, RestError } from '@azure/storage-queue';
import { QueuesConfig } from './host-config';
import { Logger } from './logger';
import { decodeMessageBody, ReceivedMessage } from './queue-message';

/** The host's minimum polling interval; the delay doubles from here up to maxPollingInterval. */
export const MIN_POLLING_INTERVAL_MS = 100;
/** How long a received message stays invisible while its function runs (renewed at half-time): 10 minutes, as in the host. */
export const DEFAULT_LEASE_MS = 600_000;

export interface QueueListenerOptions {
  functionName: string;
  queue: QueueClient;
  /** Undefined for queues that have no poison queue (names ending in -poison or too long). */
  poisonQueue?: QueueClient;
  config: QueuesConfig;
  leaseMs?: number;
  logger: Logger;
  /** Runs the function for a decoded message; resolves true when it succeeded. */
  process(message: ReceivedMessage, body: Buffer): Promise<boolean>;
}

export interface QueueListener {
  /** Starts polling (the queue must exist). */
  start(): void;
  /** Polls at once (another function of this host just added a message to the queue). */
  notify(): void;
  /** Stops polling and resolves when every received message has been completed. */
  stop(): Promise<void>;
  readonly inFlight: number;
}

function isIgnorableCompletionError(error: unknown): boolean {
  // The message is gone or someone else took it over (pop receipt mismatch): nothing to complete.
  return (
    error instanceof RestError &&
    (error.statusCode === 404 || error.statusCode === 400 || error.statusCode === 409)
  );
}

/**
 * Polls one queue for one function, with the Storage queue extension's semantics:
 * - receives up to `batchSize` messages, and receives again as soon as the number of messages
 *   still processing is at or below `newBatchThreshold`;
 * - when a poll finds nothing, waits before the next one, from 100 ms doubling (with a little
 *   jitter) up to `maxPollingInterval`; finding messages resets the delay;
 * - keeps each message invisible while its function runs (renewing the visibility at half-time);
 * - deletes the message when the function succeeds; when it fails, moves it to `<queue>-poison` once
 *   its dequeue count reached `maxDequeueCount`, else makes it visible again after `visibilityTimeout`;
 * - a message that cannot be decoded (not base64 while `messageEncoding` is base64) goes straight
 *   to the poison queue without running the function, as the extension's decoding-failure handler does.
 */
export function createQueueListener(options: QueueListenerOptions): QueueListener {
  const { queue, poisonQueue, config, logger, functionName } = options;
  const category = `Host.Triggers.Queue`;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const leaseSeconds = Math.max(1, Math.round(leaseMs / 1000));
  const processing = new Set<Promise<void>>();
  let stopping = false;
  let delayMs = MIN_POLLING_INTERVAL_MS;
  let wakeSleep: (() => void) | undefined;
  let wakeThreshold: (() => void) | undefined;
  let loop: Promise<void> | undefined;
  let poisonQueueCreated = false;
  let lastReceiveError = '';

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        wakeSleep = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakeSleep = done;
    });

  const nextDelay = (current: number): number => {
    const doubled = current * 2 * (0.9 + Math.random() * 0.2);
    return Math.min(config.maxPollingIntervalMs, Math.max(MIN_POLLING_INTERVAL_MS, Math.round(doubled)));
  };

  const deleteMessage = async (messageId: string, popReceipt: string): Promise<void> => {
    try {
      await queue.deleteMessage(messageId, popReceipt);
    } catch (error) {
      if (!isIgnorableCompletionError(error)) throw error;
      logger.log(
        'debug',
        category,
        `Unable to delete queue message '${messageId}': it is gone or was taken over`,
      );
    }
  };

  const moveToPoison = async (
    message: ReceivedMessage,
    popReceipt: string,
    reason: string,
  ): Promise<void> => {
    if (!poisonQueue) return;
    logger.log('warning', category, reason);
    if (!poisonQueueCreated) {
      await poisonQueue.createIfNotExists();
      poisonQueueCreated = true;
    }
    // The raw message text: same content, same encoding as the original.
    await poisonQueue.sendMessage(message.messageText);
    await deleteMessage(message.messageId, popReceipt);
  };

  /** Keeps the message invisible while its function runs; returns the latest pop receipt when stopped. */
  const holdLease = (message: ReceivedMessage): { release(): Promise<string> } => {
    let popReceipt = message.popReceipt;
    let renewing: Promise<void> = Promise.resolve();
    let held = true;
    const timer = setInterval(() => {
      renewing = renewing.then(async () => {
        if (!held) return;
        try {
          const response = await queue.updateMessage(message.messageId, popReceipt, undefined, leaseSeconds);
          if (response.popReceipt) popReceipt = response.popReceipt;
        } catch (error) {
          held = false;
          clearInterval(timer);
          logger.log(
            'debug',
            category,
            `Could not renew the visibility of message '${message.messageId}': ${(error as Error).message}`,
          );
        }
      });
    }, leaseMs / 2);
    return {
      async release() {
        clearInterval(timer);
        await renewing;
        held = false;
        return popReceipt;
      },
    };
  };

  const handle = async (message: ReceivedMessage): Promise<void> => {
    const maxDequeueCount = config.maxDequeueCount;
    if (message.dequeueCount > maxDequeueCount) {
      await moveToPoison(
        message,
        message.popReceipt,
        `Message has reached MaxDequeueCount of ${maxDequeueCount}. Moving message to queue '${poisonQueue?.name}'.`,
      );
      return;
    }
    const body = decodeMessageBody(message, config.messageEncoding);
    if (!body) {
      logger.log(
        'warning',
        category,
        `Message decoding has failed! Check MessageEncoding settings. MessageId=${message.messageId}.`,
      );
      await moveToPoison(
        message,
        message.popReceipt,
        `Moving undecodable message to queue '${poisonQueue?.name}'.`,
      );
      return;
    }
    const lease = holdLease(message);
    let succeeded = false;
    try {
      succeeded = await options.process(message, body);
    } catch {
      succeeded = false;
    }
    const popReceipt = await lease.release();
    if (succeeded) {
      await deleteMessage(message.messageId, popReceipt);
    } else if (poisonQueue) {
      if (message.dequeueCount >= maxDequeueCount) {
        await moveToPoison(
          message,
          popReceipt,
          `Message has reached MaxDequeueCount of ${maxDequeueCount}. Moving message to queue '${poisonQueue.name}'.`,
        );
      } else {
        try {
          await queue.updateMessage(
            message.messageId,
            popReceipt,
            undefined,
            Math.floor(config.visibilityTimeoutMs / 1000),
          );
        } catch (error) {
          if (!isIgnorableCompletionError(error)) throw error;
        }
      }
    }
    // Without a poison queue a failed message stays invisible until its lease ends, as in the host.
  };

  const track = (message: ReceivedMessage): void => {
    const task = handle(message)
      .catch((error: unknown) => {
        logger.log(
          'error',
          category,
          `Completing message '${message.messageId}' of queue '${queue.name}' for Functions.${functionName} failed: ${(error as Error).message}`,
        );
      })
      .finally(() => {
        processing.delete(task);
        wakeThreshold?.();
      });
    processing.add(task);
  };

  const waitForThreshold = async (): Promise<void> => {
    while (!stopping && processing.size > config.newBatchThreshold) {
      await new Promise<void>((resolve) => {
        wakeThreshold = resolve;
      });
      wakeThreshold = undefined;
    }
  };

  const receive = async (): Promise<ReceivedMessage[]> => {
    try {
      const response = await queue.receiveMessages({
        numberOfMessages: config.batchSize,
        visibilityTimeout: leaseSeconds,
      });
      lastReceiveError = '';
      return response.receivedMessageItems;
    } catch (error) {
      const text = (error as Error).message;
      if (text !== lastReceiveError) {
        logger.log(
          'warning',
          category,
          `Polling queue '${queue.name}' for Functions.${functionName} failed: ${text}`,
        );
        lastReceiveError = text;
      }
      if (error instanceof RestError && error.statusCode === 404) {
        await queue.createIfNotExists().catch(() => undefined);
      }
      return [];
    }
  };

  const run = async (): Promise<void> => {
    while (!stopping) {
      await waitForThreshold();
      if (stopping) break;
      const messages = await receive();
      if (stopping) {
        // Received while stopping: give them back at once instead of starting new work.
        await Promise.all(
          messages.map((m) =>
            queue.updateMessage(m.messageId, m.popReceipt, undefined, 0).catch(() => undefined),
          ),
        );
        break;
      }
      if (messages.length > 0) {
        delayMs = MIN_POLLING_INTERVAL_MS;
        messages.forEach(track);
        continue;
      }
      await sleep(delayMs);
      delayMs = nextDelay(delayMs);
    }
  };

  return {
    start() {
      loop ??= run();
    },
    notify() {
      delayMs = MIN_POLLING_INTERVAL_MS;
      wakeSleep?.();
    },
    async stop() {
      stopping = true;
      wakeSleep?.();
      wakeThreshold?.();
      await loop;
      await Promise.all([...processing]);
    },
    get inFlight() {
      return processing.size;
    },
  };
}
