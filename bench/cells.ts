import { Summary } from './stats';

/** How the report writes figures in its cells: `–` for a figure that is missing. */

export const n = (value: number | null | undefined, digits = 0): string =>
  value === null || value === undefined || Number.isNaN(value)
    ? '–'
    : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export const ms = (value: number | null | undefined): string =>
  value === undefined || value === null ? '–' : `${n(value)} ms`;

/** p50 / p95 / p99 of a latency summary. */
export const pcts = (s: Summary | undefined): string =>
  s && s.count ? `${n(s.p50)} / ${n(s.p95)} / ${n(s.p99)} ms` : '–';

/** A ratio, ours over the baseline. */
export const x = (value: number): string => (Number.isNaN(value) ? '–' : `${n(value, 2)}×`);

export const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/** ✓ met, ✗ missed, · not decided by this run. */
export const mark = (met: boolean | null): string => (met === null ? '·' : met ? '✓' : '✗');
