import { stallDetector } from './settle';

describe('stallDetector', () => {
  it('gives up only after the quiet time passed with no request ending', () => {
    let clock = 0;
    const stalled = stallDetector(10, () => clock);
    expect(stalled(100)).toBe(false);
    clock = 9_000;
    expect(stalled(100)).toBe(false);
    clock = 15_000; // progress at 15 s: the quiet time starts again
    expect(stalled(90)).toBe(false);
    clock = 24_000;
    expect(stalled(90)).toBe(false);
    clock = 25_001;
    expect(stalled(90)).toBe(true);
  });

  it('does not count a pending count that went up (a retry seen late) as progress', () => {
    let clock = 0;
    const stalled = stallDetector(1, () => clock);
    stalled(5);
    clock = 900;
    expect(stalled(6)).toBe(false);
    clock = 1_001;
    expect(stalled(6)).toBe(true);
  });
});
