import { RunningEmulator } from '../src';
import { call, d365Token, useEmulator } from './support/emulator';

const THROTTLE_MESSAGE =
  'This request could not be processed at this time due to system experiencing high resource utilization.';

const burst = async (emulator: RunningEmulator, token: string, n: number) => {
  const started = performance.now();
  const answers = await Promise.all(
    Array.from({ length: n }, () => call(emulator, 'GET', '/data/CustomersV3?$top=1', { token })),
  );
  return { answers, seconds: (performance.now() - started) / 1000 };
};

describe('throttle model configured at start', () => {
  const emulator = useEmulator({ throttle: { ratePerSecond: 5 } });
  let token: string;

  beforeAll(async () => {
    token = await d365Token(emulator);
  });

  it('answers requests beyond the rate with 429, Retry-After and the service protection message', async () => {
    const { answers, seconds } = await burst(emulator, token, 30);
    const ok = answers.filter((a) => a.status === 200);
    const throttled = answers.filter((a) => a.status === 429);
    expect(ok.length + throttled.length).toBe(30);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    // A bucket of 5 plus what refilled while the burst ran.
    expect(ok.length).toBeLessThanOrEqual(5 + Math.ceil(seconds * 5) + 1);
    expect(throttled.length).toBeGreaterThan(0);
    for (const answer of throttled) {
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number.isInteger(Number(answer.headers.get('retry-after')))).toBe(true);
      expect(answer.body).toMatchObject({ error: { message: THROTTLE_MESSAGE } });
    }
    const stats = await call<{ throttled: number; responses429: number }>(
      emulator,
      'GET',
      '/_emulator/stats',
    );
    expect(stats.body.throttled).toBe(throttled.length);
    expect(stats.body.responses429).toBe(throttled.length);
  });

  it('admits requests again once Retry-After has passed', async () => {
    const { answers } = await burst(emulator, token, 10);
    const retryAfter = Math.max(
      ...answers.filter((a) => a.status === 429).map((a) => Number(a.headers.get('retry-after'))),
      1,
    );
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    expect((await call(emulator, 'GET', '/data/CustomersV3?$top=1', { token })).status).toBe(200);
  });
});

describe('throttle model configured through the control API', () => {
  const emulator = useEmulator();
  let token: string;

  beforeAll(async () => {
    token = await d365Token(emulator);
  });

  it('is off by default', async () => {
    const settings = await call(emulator, 'GET', '/_emulator/settings');
    expect(settings.body.throttle).toEqual({ ratePerSecond: null, concurrency: null });
    const { answers } = await burst(emulator, token, 20);
    expect(answers.every((a) => a.status === 200)).toBe(true);
  });

  it('answers requests beyond the concurrency limit with 429 and never runs more at once', async () => {
    const patched = await call(emulator, 'PATCH', '/_emulator/settings', {
      body: { throttle: { concurrency: 2 }, latencyMs: 1000 },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.throttle).toEqual({ ratePerSecond: null, concurrency: 2 });
    await call(emulator, 'POST', '/_emulator/stats/reset');
    try {
      const { answers } = await burst(emulator, token, 6);
      const throttled = answers.filter((a) => a.status === 429);
      expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(2);
      expect(throttled.length).toBeGreaterThanOrEqual(1);
      for (const answer of throttled)
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const stats = await call<{ d365: { maxConcurrent: number } }>(emulator, 'GET', '/_emulator/stats');
      expect(stats.body.d365.maxConcurrent).toBeLessThanOrEqual(2);
      expect(stats.body.d365.maxConcurrent).toBeGreaterThanOrEqual(1);
    } finally {
      await call(emulator, 'PATCH', '/_emulator/settings', {
        body: { throttle: { concurrency: null }, latencyMs: 0 },
      });
    }
    const { answers } = await burst(emulator, token, 6);
    expect(answers.every((a) => a.status === 200)).toBe(true);
  });

  it('rejects invalid throttle settings with 400', async () => {
    const answer = await call(emulator, 'PATCH', '/_emulator/settings', {
      body: { throttle: { ratePerSecond: -1 } },
    });
    expect(answer.status).toBe(400);
  });
});
