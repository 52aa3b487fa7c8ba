import { FixtureEvent, FixtureHost, startFixtureHost, Storage, useStorage, waitFor } from './host-test-kit';

interface TimerEvent extends FixtureEvent {
  timer: {
    isPastDue: boolean;
    schedule: { adjustForDST: boolean };
    scheduleStatus: { last: string; next: string; lastUpdated: string };
  };
}

describe('local host: timer triggers', () => {
  let storage: Storage;
  let host: FixtureHost;

  beforeAll(async () => {
    storage = await useStorage();
    host = await startFixtureHost(storage, { env: { FIXTURE_TIMER_SCHEDULE: '*/2 * * * * *' } });
  });

  afterAll(async () => {
    await host?.stop();
    await storage?.stop();
  });

  it('fires on a six-field NCRONTAB schedule and passes the Timer object', async () => {
    const events = await waitFor(() => {
      const fired = host.events('timer') as TimerEvent[];
      return fired.length >= 3 ? fired : undefined;
    }, 'three timer invocations');
    const [first, second, third] = events as [TimerEvent, TimerEvent, TimerEvent];
    // Every two seconds, on even seconds (UTC); `next` is the occurrence being run, `last` the one before.
    for (const event of [first, second, third]) {
      expect(event.timer.isPastDue).toBe(false);
      expect(event.timer.schedule).toEqual({ adjustForDST: true });
      const scheduled = Date.parse(event.timer.scheduleStatus.next);
      expect(new Date(scheduled).getUTCSeconds() % 2).toBe(0);
      expect(event.at).toBeGreaterThanOrEqual(scheduled);
    }
    expect(first.timer.scheduleStatus.last).toBe('0001-01-01T00:00:00');
    expect(Date.parse(second.timer.scheduleStatus.next) - Date.parse(first.timer.scheduleStatus.next)).toBe(
      2000,
    );
    expect(second.timer.scheduleStatus.last).toBe(first.timer.scheduleStatus.next);
    expect(third.timer.scheduleStatus.last).toBe(second.timer.scheduleStatus.next);
    expect(
      host.lines.some((l) =>
        /Executing 'Functions.fixtureTimer' \(Reason='Timer fired at \d{4}-.*\+00:00'/.test(l),
      ),
    ).toBe(true);
  });
});
