import { createThrottle } from './throttle';

describe('throttle', () => {
  it('admits everything when both limits are off, counting what is in flight', () => {
    const throttle = createThrottle({ ratePerSecond: null, concurrency: null });
    const admissions = Array.from({ length: 50 }, () => throttle.admit());
    expect(admissions.every((a) => a.ok)).toBe(true);
    expect(throttle.inFlight()).toBe(50);
    for (const a of admissions) if (a.ok) a.release();
    expect(throttle.inFlight()).toBe(0);
    expect(throttle.maxInFlight()).toBe(50);
  });

  it('admits a second worth of requests, then asks to wait until a token refills', () => {
    const throttle = createThrottle({ ratePerSecond: 4, concurrency: null });
    const now = Date.now();
    const first = Array.from({ length: 4 }, () => throttle.admit(now));
    expect(first.every((a) => a.ok)).toBe(true);
    expect(throttle.admit(now)).toEqual({ ok: false, reason: 'rate', retryAfterSeconds: 1 });
    expect(throttle.admit(now + 300).ok).toBe(true); // 300 ms refill 1.2 tokens
  });

  it('gives Retry-After in whole seconds of at least 1, longer for slow rates', () => {
    const throttle = createThrottle({ ratePerSecond: 0.25, concurrency: null });
    const now = Date.now();
    expect(throttle.admit(now).ok).toBe(true);
    expect(throttle.admit(now)).toMatchObject({ ok: false, retryAfterSeconds: 4 });
  });

  it('limits concurrency and frees a slot on release (once)', () => {
    const throttle = createThrottle({ ratePerSecond: null, concurrency: 2 });
    const a = throttle.admit();
    const b = throttle.admit();
    expect(throttle.admit()).toMatchObject({ ok: false, reason: 'concurrency' });
    if (a.ok) {
      a.release();
      a.release();
    }
    expect(throttle.inFlight()).toBe(1);
    expect(throttle.admit().ok).toBe(true);
    expect(throttle.admit().ok).toBe(false);
    expect(b.ok).toBe(true);
  });
});
