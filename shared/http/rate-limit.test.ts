import { concurrencyLimit, rateLimiter } from './rate-limit';

describe('the per-caller rate limit', () => {
  it('allows a burst of the per-minute budget, then answers with the seconds until the next token', () => {
    let t = 0;
    const limiter = rateLimiter(60, () => t);
    for (let i = 0; i < 60; i += 1) expect(limiter.take('pos-1')).toEqual({ ok: true });
    expect(limiter.take('pos-1')).toEqual({ ok: false, retryAfterSeconds: 1 });
    // Another caller has its own budget.
    expect(limiter.take('web-1')).toEqual({ ok: true });
    t += 1000;
    expect(limiter.take('pos-1')).toEqual({ ok: true });
    expect(limiter.take('pos-1')).toMatchObject({ ok: false });
  });

  it('is off at 0', () => {
    const limiter = rateLimiter(0);
    for (let i = 0; i < 1000; i += 1) expect(limiter.take('x').ok).toBe(true);
  });

  it('forgets the least recently seen callers beyond its size', () => {
    const limiter = rateLimiter(1, () => 0, 2);
    limiter.take('a');
    limiter.take('b');
    limiter.take('c'); // 'a' is forgotten, so it has a full bucket again
    expect(limiter.take('a')).toEqual({ ok: true });
    expect(limiter.take('c')).toMatchObject({ ok: false });
  });
});

describe('the concurrent-wait cap', () => {
  it('admits at most max at once', () => {
    const waits = concurrencyLimit(2);
    expect([waits.tryEnter(), waits.tryEnter(), waits.tryEnter()]).toEqual([true, true, false]);
    waits.leave();
    expect(waits.tryEnter()).toBe(true);
    expect(waits.active).toBe(2);
  });
});
