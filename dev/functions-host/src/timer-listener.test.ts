import { RpcTypedData } from './core-types';
import { createTimerListener, parseTimerSchedule } from './timer-listener';

interface Fired {
  timer: { IsPastDue: boolean; ScheduleStatus: { Last: string; Next: string } };
  reason: string;
}

describe('timer listener', () => {
  it('accepts NCRONTAB expressions and TimeSpan intervals, and explains other schedules', () => {
    expect(parseTimerSchedule('0 */5 * * * *').kind).toBe('cron');
    expect(parseTimerSchedule('00:00:30')).toEqual({ kind: 'interval', intervalMs: 30_000 });
    expect(() => parseTimerSchedule('every minute')).toThrow(/six fields/);
    expect(() => parseTimerSchedule('soon')).toThrow(
      /neither a six-field NCRONTAB expression nor a TimeSpan/,
    );
  });

  it('runs on startup when asked, then on the schedule, never overlapping itself', async () => {
    const fired: Fired[] = [];
    let running = 0;
    let overlapped = false;
    const listener = createTimerListener({
      schedule: parseTimerSchedule('00:00:00.300'),
      runOnStartup: true,
      fire: async (input: RpcTypedData, reason: string) => {
        running += 1;
        overlapped ||= running > 1;
        fired.push({ timer: JSON.parse(input.json as string) as Fired['timer'], reason });
        await new Promise((resolve) => setTimeout(resolve, 400));
        running -= 1;
      },
    });
    listener.start();
    await new Promise((resolve) => setTimeout(resolve, 1600));
    await listener.stop();
    const count = fired.length;
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(fired.length).toBe(count); // nothing fires after stop
    expect(count).toBeGreaterThanOrEqual(2);
    expect(fired[0]?.reason).toMatch(/runOnStartup/);
    expect(fired[1]?.reason).toMatch(/^Timer fired at /);
    expect(fired.every((f) => f.timer.IsPastDue === false)).toBe(true);
    expect(overlapped).toBe(false);
  });
});
