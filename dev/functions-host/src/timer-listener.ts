import { RpcTypedData } from './core-types';
import { formatDateTimeOffset, parseTimeSpan } from './duration';
import { CronSchedule, nextOccurrence, parseNcrontab } from './ncrontab';

export type TimerSchedule = { kind: 'cron'; cron: CronSchedule } | { kind: 'interval'; intervalMs: number };

/** A timer schedule that is neither NCRONTAB nor a TimeSpan; keeps the schedule. */
export class TimerScheduleError extends Error {
  override readonly name = 'TimerScheduleError';
  constructor(
    message: string,
    readonly schedule: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Parses a timer trigger's schedule like the host: an NCRONTAB expression (six fields), or a
 * TimeSpan such as `00:05:00` meaning "every five minutes from host start".
 */
export function parseTimerSchedule(schedule: string): TimerSchedule {
  const text = schedule.trim();
  if (/\s/.test(text)) {
    try {
      return { kind: 'cron', cron: parseNcrontab(text) };
    } catch (error) {
      throw new TimerScheduleError((error as Error).message, schedule, { cause: error });
    }
  }
  const intervalMs = parseTimeSpan(text);
  if (intervalMs === undefined || intervalMs <= 0) {
    throw new TimerScheduleError(
      `"${schedule}" is neither a six-field NCRONTAB expression nor a TimeSpan such as "00:05:00"`,
      schedule,
    );
  }
  return { kind: 'interval', intervalMs };
}

/**
 * What `@azure/functions` turns into the handler's Timer object (after camel-casing). As in the
 * host's schedule status: `Next` is the occurrence being run, `Last` the one before (MinValue on
 * the first run), `LastUpdated` when the status was last recorded.
 */
export function timerInput(info: {
  last?: Date;
  next?: Date;
  lastUpdated: Date;
  isPastDue: boolean;
}): RpcTypedData {
  const MIN_VALUE = '0001-01-01T00:00:00';
  return {
    json: JSON.stringify({
      Schedule: { AdjustForDST: true },
      ScheduleStatus: {
        Last: info.last ? formatDateTimeOffset(info.last) : MIN_VALUE,
        Next: info.next ? formatDateTimeOffset(info.next) : MIN_VALUE,
        LastUpdated: formatDateTimeOffset(info.lastUpdated),
      },
      IsPastDue: info.isPastDue,
    }),
  };
}

export interface TimerListenerOptions {
  schedule: TimerSchedule;
  runOnStartup: boolean;
  /** Runs the function; the listener never runs two invocations of one timer at once. */
  fire(input: RpcTypedData, reason: string): Promise<void>;
  now?: () => Date;
}

export interface TimerListener {
  start(): void;
  /** Cancels future occurrences and resolves when a running invocation has finished. */
  stop(): Promise<void>;
  /** The next time the timer fires, if any. */
  readonly next: Date | undefined;
}

/** Longest delay setTimeout accepts; longer waits are chained. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export function createTimerListener(options: TimerListenerOptions): TimerListener {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;
  let last: Date | undefined;
  let next: Date | undefined;
  let lastUpdated = startedAt;

  const following = (after: Date): Date | undefined => {
    const { schedule } = options;
    if (schedule.kind === 'cron') return nextOccurrence(schedule.cron, after);
    const elapsed = after.getTime() - startedAt.getTime();
    const periods = Math.floor(elapsed / schedule.intervalMs) + 1;
    return new Date(startedAt.getTime() + periods * schedule.intervalMs);
  };

  /** Runs the function for the occurrence `scheduled` (undefined for runOnStartup). */
  const run = (scheduled: Date | undefined, reason: string): Promise<void> => {
    const input = timerInput({ last, next: scheduled ?? following(now()), lastUpdated, isPastDue: false });
    running = options.fire(input, reason).finally(() => {
      running = undefined;
      if (scheduled) last = scheduled;
      lastUpdated = now();
    });
    return running;
  };

  const arm = (): void => {
    if (stopped) return;
    next = following(now());
    if (!next) return;
    const wait = (): void => {
      if (stopped || !next) return;
      const remaining = next.getTime() - now().getTime();
      if (remaining > 0) {
        timer = setTimeout(wait, Math.min(remaining, MAX_TIMEOUT_MS));
        return;
      }
      const scheduled = next;
      void run(scheduled, `Timer fired at ${formatDateTimeOffset(scheduled)}`).finally(arm);
    };
    wait();
  };

  return {
    start() {
      if (options.runOnStartup) {
        void run(undefined, 'Timer fired at startup (runOnStartup)').finally(arm);
      } else {
        arm();
      }
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
    get next() {
      return next;
    },
  };
}
