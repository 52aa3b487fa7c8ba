import { availableAt, book, BudgetState, changesNothing, merge } from './shop-budget';

const bucket = (available: number, at = 0): BudgetState => ({
  model: 'bucket',
  maximumAvailable: 100,
  restoreRate: 10,
  available,
  at,
});

describe('shop budget: Shopify bucket', () => {
  it('refills at the restore rate up to the bucket size', () => {
    expect(availableAt(bucket(20), 3000)).toBe(50);
    expect(availableAt(bucket(90), 60_000)).toBe(100);
  });

  it('books a cost only while what stays is at or above the reserve, and says how long to wait otherwise', () => {
    // share 0.5: reserve 50.
    expect(book(bucket(61), 11, 0.5, 0)).toEqual({ kind: 'taken', state: { ...bucket(50) } });
    expect(book(bucket(60), 11, 0.5, 0)).toEqual({ kind: 'wait', waitMs: 100 });
    // From empty: 61 points at 10/s.
    expect(book(bucket(0), 11, 0.5, 0)).toEqual({ kind: 'wait', waitMs: 6100 });
    expect(book(bucket(0), 11, 0.5, 6100).kind).toBe('taken');
  });

  it("keeps the lower of the estimate and the shop's figure (bookings in flight elsewhere stay counted)", () => {
    const seen = { model: 'bucket', maximumAvailable: 100, currentlyAvailable: 80, restoreRate: 10 } as const;
    expect(merge(bucket(40, 0), seen, 1000)).toMatchObject({ available: 50 });
    expect(merge(bucket(95, 0), seen, 1000)).toMatchObject({ available: 80 });
    expect(merge(undefined, seen, 1000)).toMatchObject({ available: 80, at: 1000 });
  });
});

describe('shop budget: BigCommerce window', () => {
  const window = (left: number, resetAt: number): BudgetState => ({
    model: 'window',
    quota: 10,
    windowMs: 1000,
    left,
    resetAt,
    at: 0,
  });

  it('books requests down to the reserve, then waits for the reset; a reset window is whole again', () => {
    expect(book(window(6, 500), 1, 0.5, 0)).toMatchObject({ kind: 'taken', state: { left: 5 } });
    expect(book(window(5, 500), 1, 0.5, 0)).toEqual({ kind: 'wait', waitMs: 500 });
    expect(book(window(5, 500), 1, 0.5, 600)).toMatchObject({
      kind: 'taken',
      state: { left: 9, resetAt: 1600 },
    });
  });

  it("takes the shop's count within the same window, and the shop's alone after a reset", () => {
    const seen = { model: 'window', quota: 10, left: 7, resetMs: 400, windowMs: 1000 } as const;
    expect(merge(window(4, 500), seen, 100)).toMatchObject({ left: 4, resetAt: 500 });
    expect(merge(window(4, 500), { ...seen, resetMs: 900 }, 600)).toMatchObject({ left: 7, resetAt: 1500 });
  });
});

describe('shop budget: what an answer changes', () => {
  it('needs no write when the shop reports no less than the estimate, and one when it reports less', () => {
    const current = bucket(40, 0);
    const higher = merge(
      current,
      { model: 'bucket', maximumAvailable: 100, currentlyAvailable: 90, restoreRate: 10 },
      1000,
    );
    const lower = merge(
      current,
      { model: 'bucket', maximumAvailable: 100, currentlyAvailable: 20, restoreRate: 10 },
      1000,
    );
    expect(changesNothing(current, higher, 1000)).toBe(true);
    expect(changesNothing(current, lower, 1000)).toBe(false);
  });
});
