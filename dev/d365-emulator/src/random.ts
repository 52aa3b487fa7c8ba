import { randomInt } from 'node:crypto';

/** A small seedable pseudo-random generator (mulberry32), so `probability` faults can be replayed. */
export interface Rng {
  readonly seed: number;
  /** A number in [0, 1). */
  next(): number;
}

export function createRng(seed: number = randomInt(0, 2 ** 31)): Rng {
  let state = seed >>> 0;
  return {
    seed,
    next(): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}
