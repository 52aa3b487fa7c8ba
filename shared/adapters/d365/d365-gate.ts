import { D365Gate } from '../../ports';
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
