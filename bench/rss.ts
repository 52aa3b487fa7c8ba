import { readFileSync } from 'node:fs';

/** Resident memory of a process over time, from /proc (Linux); empty elsewhere. */
export interface RssReport {
  /** Highest VmRSS sampled (MB). */
  peakMb: number | null;
  /** The kernel's own high-water mark, VmHWM (MB): the true peak even between samples. */
  hwmMb: number | null;
  /** VmRSS at the first and last sample (MB). */
  firstMb: number | null;
  lastMb: number | null;
  /** `[seconds since start, MB]`, at most ~120 points. */
  samples: [number, number][];
}

function readStatus(pid: number): { rssMb: number; hwmMb: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1]);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

export interface RssSampler {
  /** The report so far (sampling goes on). */
  report(): RssReport;
  stop(): RssReport;
}

/** Samples a process's VmRSS every `intervalMs` until stopped. */
export function sampleRss(pid: number, intervalMs = 250): RssSampler {
  const started = Date.now();
  const samples: [number, number][] = [];
  let hwm: number | null = null;
  const take = (): void => {
    const status = readStatus(pid);
    if (!status) return;
    samples.push([(Date.now() - started) / 1000, status.rssMb]);
    hwm = status.hwmMb;
  };
  take();
  const timer = setInterval(take, intervalMs);
  timer.unref();
  const round = (n: number | null | undefined): number | null =>
    n === null || n === undefined ? null : Math.round(n * 10) / 10;
  const report = (): RssReport => {
    const step = Math.max(1, Math.ceil(samples.length / 120));
    return {
      peakMb: samples.length ? round(Math.max(...samples.map((s) => s[1]))) : null,
      hwmMb: round(hwm),
      firstMb: round(samples[0]?.[1]),
      lastMb: round(samples[samples.length - 1]?.[1]),
      samples: samples
        .filter((_, i) => i % step === 0 || i === samples.length - 1)
        .map(([t, mb]) => [Math.round(t * 10) / 10, Math.round(mb * 10) / 10]),
    };
  };
  return {
    report,
    stop() {
      take();
      clearInterval(timer);
      return report();
    },
  };
}

/** The highest memory of some processes (MB): VmHWM where known, else the highest sample. */
export function peakRssMb(reports: (RssReport | undefined)[]): number | null {
  const values = reports.flatMap((r) => {
    const mb = r?.hwmMb ?? r?.peakMb;
    return mb === null || mb === undefined ? [] : [mb];
  });
  return values.length ? Math.max(...values) : null;
}

/** Slope of RSS over the second half of a run (MB per minute): growth that GC does not take back. */
export function rssSlope(report: RssReport | undefined): number | null {
  const samples = report?.samples ?? [];
  const half = samples.slice(Math.floor(samples.length / 2));
  if (half.length < 4) return null;
  const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
  const mx = sum(half.map((s) => s[0])) / half.length;
  const my = sum(half.map((s) => s[1])) / half.length;
  const cov = sum(half.map(([t, v]) => (t - mx) * (v - my)));
  const vx = sum(half.map(([t]) => (t - mx) ** 2));
  return vx > 0 ? Math.round((cov / vx) * 60 * 10) / 10 : null;
}
