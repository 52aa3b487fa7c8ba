import { ProcessingError } from '../../domain/failure';
import { D365Gate } from '../../ports';

/**
 * The `D365Gate` port for one instance: a counting semaphore plus a pause that a 429 sets. The
 * pause is set before the throttled call's slot goes to the next waiter, so no call starts in
 * between.
 */
export function d365Gate(maxConcurrency: number, now: () => number = Date.now): D365Gate {
  let inFlight = 0;
  let resumeAt = 0;
  const waiting: (() => void)[] = [];

  const acquire = (): Promise<void> => {
    if (inFlight < maxConcurrency) {
      inFlight += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else inFlight -= 1;
  };
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  const pause = (seconds: number): void => {
    resumeAt = Math.max(resumeAt, now() + seconds * 1000);
  };

  return {
    async run(call, maxWaitMs) {
      await acquire();
      try {
        // A pause may begin while we wait for a slot: look again after every wait.
        for (let wait = resumeAt - now(); wait > 0; wait = resumeAt - now()) {
          if (wait > maxWaitMs) return { deferredUntil: resumeAt };
          await sleep(wait);
        }
        return { value: await call() };
      } catch (error) {
        if (
          error instanceof ProcessingError &&
          error.failure.kind === 'transient' &&
          error.failure.throttled
        ) {
          pause(error.failure.retryAfterSeconds ?? 1);
        }
        throw error;
      } finally {
        release();
      }
    },
    pause,
    pausedUntil: () => resumeAt,
  };
}
