import { ProcessingError } from '../../domain/failure';
import { D365Gate, GateAcquireOptions, GateSlot, GateSlotReleasedError } from '../../ports';
import { waitingLine } from './waiting-line';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A counting semaphore whose waiters can give up after a while, lined up fairly (waiting-line.ts). */
export function localSemaphore(max: number): {
  acquire(maxWaitMs: number, options?: GateAcquireOptions): Promise<boolean>;
  release(): void;
} {
  let inFlight = 0;
  type Entry = { ahead: boolean; share?: GateAcquireOptions['share']; grant(granted: boolean): void };
  const waiting: Entry[] = [];
  const line = waitingLine<Entry>();
  return {
    acquire(maxWaitMs, options) {
      if (inFlight < max) {
        inFlight += 1;
        return Promise.resolve(true);
      }
      return new Promise((resolve) => {
        const entry: Entry = {
          ahead: options?.ahead === true,
          share: options?.share,
          grant(granted: boolean): void {
            clearTimeout(timer);
            resolve(granted);
          },
        };
        const timer = Number.isFinite(maxWaitMs)
          ? setTimeout(() => {
              waiting.splice(waiting.indexOf(entry), 1);
              resolve(false);
            }, maxWaitMs)
          : undefined;
        line.queue(waiting, entry);
      });
    },
    release() {
      const next = waiting.shift();
      if (next) next.grant(true);
      else inFlight -= 1;
    },
  };
}

/** Whether a failure is D365 (or a shop) asking us to slow down: a 429. */
export const throttledFor = (error: unknown): number | undefined =>
  error instanceof ProcessingError && error.failure.kind === 'transient' && error.failure.throttled
    ? (error.failure.retryAfterSeconds ?? 1)
    : undefined;

/** The gate of one instance, with the call-wrapping form that the shop clients use. */
export interface InstanceGate extends D365Gate {
  /**
   * Waits for a free slot and for any throttling pause to end, then runs `call`. When the pause
   * ends later than `maxWaitMs` from now, does not wait: resolves `{ deferredUntil }` instead.
   */
  run<T>(call: () => Promise<T>, maxWaitMs: number): Promise<{ value: T } | { deferredUntil: number }>;
  pause(seconds: number): void;
}

/**
 * The gate of one instance, in memory (unit tests, shop clients, and the first stage of the fleet
 * gate): at most `maxConcurrency` slots held at once, and no call during a throttling pause. A 429
 * pauses it before the throttled call's slot goes to the next waiter, so no call starts in between.
 */
export function d365Gate(maxConcurrency: number, now: () => number = Date.now): InstanceGate {
  const slots = localSemaphore(maxConcurrency);
  let resumeAt = 0;
  const pause = (seconds: number): void => {
    resumeAt = Math.max(resumeAt, now() + seconds * 1000);
  };
  const pauseIfThrottled = (error: unknown): void => {
    const seconds = throttledFor(error);
    if (seconds !== undefined) pause(seconds);
  };
  const waitOutPause = async (deadline: number): Promise<boolean> => {
    for (let wait = resumeAt - now(); wait > 0; wait = resumeAt - now()) {
      if (now() + wait > deadline) return false;
      await sleep(wait);
    }
    return true;
  };
  return {
    async acquire(maxWaitMs, options) {
      const deadline = now() + maxWaitMs;
      if (resumeAt > deadline) return { retryAt: resumeAt, reason: 'paused' };
      if (!(await slots.acquire(maxWaitMs, options))) return { retryAt: now() + 100, reason: 'busy' };
      if (!(await waitOutPause(deadline))) {
        slots.release();
        return { retryAt: resumeAt, reason: 'paused' };
      }
      let released = false;
      const slot: GateSlot = {
        async run(call) {
          if (released) throw new GateSlotReleasedError();
          await waitOutPause(Number.POSITIVE_INFINITY);
          try {
            return await call();
          } catch (error) {
            pauseIfThrottled(error);
            throw error;
          }
        },
        async release() {
          if (released) return;
          released = true;
          slots.release();
        },
      };
      return slot;
    },
    async run(call, maxWaitMs) {
      await slots.acquire(Number.POSITIVE_INFINITY);
      try {
        // A pause may begin while we wait for a slot: look again after every wait.
        for (let wait = resumeAt - now(); wait > 0; wait = resumeAt - now()) {
          if (wait > maxWaitMs) return { deferredUntil: resumeAt };
          await sleep(wait);
        }
        return { value: await call() };
      } catch (error) {
        pauseIfThrottled(error);
        throw error;
      } finally {
        slots.release();
      }
    },
    pause,
    pausedUntil: () => resumeAt,
  };
}
