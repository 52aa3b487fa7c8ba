/** Percentiles and distributions of latency samples (milliseconds). */

export interface Summary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** A cumulative distribution: `[latency ms, fraction of samples ≤ it]`, at most ~200 points. */
export type Cdf = [number, number][];

/** Nearest-rank percentile of ascending samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (n: number): number => Math.round(n * 10) / 10;
  return {
    count: sorted.length,
    min: round(sorted[0] ?? NaN),
    mean: round(sorted.reduce((sum, v) => sum + v, 0) / (sorted.length || NaN)),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
  };
}

export function cdf(samples: readonly number[], points = 200): Cdf {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const out: Cdf = [];
  const step = Math.max(1, Math.floor(sorted.length / points));
  for (let i = step - 1; i < sorted.length; i += step) {
    out.push([Math.round((sorted[i] as number) * 10) / 10, (i + 1) / sorted.length]);
  }
  const last = sorted[sorted.length - 1] as number;
  if (out[out.length - 1]?.[1] !== 1) out.push([Math.round(last * 10) / 10, 1]);
  return out;
}

/** A distribution as the results keep it: the summary and the curve. */
export interface Distribution extends Summary {
  cdf: Cdf;
}

export function distribution(samples: readonly number[]): Distribution {
  return { ...summarize(samples), cdf: cdf(samples) };
}

export const ratio = (ours: number, baseline: number): number =>
  baseline > 0 ? Math.round((ours / baseline) * 100) / 100 : NaN;
