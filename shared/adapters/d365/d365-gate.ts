/**
 * Back-pressure towards D365, shared by every invocation in the instance: at most
 * `maxConcurrency` calls in flight, and when D365 answers 429 with `Retry-After`, no call at all
 * until that time has passed — not just for the request that got the 429.
 */
export interface D365Gate {
  /**
   * Waits for a free slot and for any throttling pause to end, then runs `call`. When the pause
   * ends later than `maxWaitMs` from now, does not wait: resolves `{ deferredUntil }` instead so
   * the caller can reschedule the work through the queue.
   */
  run<T>(call: () => Promise<T>, maxWaitMs: number): Promise<{ value: T } | { deferredUntil: number }>;
  /** D365 asked us to wait: no call starts before `now + seconds`. */
  pause(seconds: number): void;
  /** When calls may start again (epoch ms; in the past when not paused). */
  pausedUntil(): number;
}

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
      } finally {
        release();
      }
    },
    pause(seconds) {
      resumeAt = Math.max(resumeAt, now() + seconds * 1000);
    },
    pausedUntil: () => resumeAt,
  };
}
