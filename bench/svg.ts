import { Results } from './results';
import { Cdf } from './stats';

/** bench/latency.svg: the latency distributions (CDFs) and the host's memory, hand-written SVG. */

interface Series {
  label: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
}

interface PanelOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  xLog?: boolean;
  /** The y axis is a fraction of samples (0–1, shown as %). */
  fraction?: boolean;
}

const W = 580;
const H = 350;
const M = { left: 62, right: 16, top: 34, bottom: 82 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf', '#7f7f7f'];

const esc = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number): string => (v >= 1000 ? `${v / 1000}k` : String(Math.round(v * 100) / 100));

function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 0.001; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  if ((ticks[ticks.length - 1] ?? 0) < max) ticks.push((ticks[ticks.length - 1] ?? 0) + step);
  return ticks;
}

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e += 1) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= min * 0.999 && v <= max * 1.001) ticks.push(v);
    }
  }
  return ticks;
}

function panel(x0: number, y0: number, series: Series[], o: PanelOptions): string {
  const shown = series.filter((s) => s.points.length > 0);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const xs = shown.flatMap((s) => s.points.map((p) => p[0]));
  const ys = shown.flatMap((s) => s.points.map((p) => p[1]));
  const xMaxData = xs.length ? Math.max(...xs) : 1;
  const xMinData = xs.length ? Math.max(0.5, Math.min(...xs.filter((v) => v > 0))) : 1;
  const xTicks = o.xLog
    ? logTicks(10 ** Math.floor(Math.log10(xMinData)), 10 ** Math.ceil(Math.log10(xMaxData)))
    : niceTicks(xMaxData);
  const xMin = o.xLog ? (xTicks[0] ?? 1) : 0;
  const xMax = xTicks[xTicks.length - 1] ?? 1;
  const yTicks = o.fraction ? [0, 0.25, 0.5, 0.75, 0.9, 1] : niceTicks(ys.length ? Math.max(...ys) : 1);
  const yMax = o.fraction ? 1 : (yTicks[yTicks.length - 1] ?? 1);
  const sx = (v: number): number =>
    o.xLog
      ? ((Math.log10(Math.max(v, xMin)) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * pw
      : (v / xMax) * pw;
  const sy = (v: number): number => ph - (v / yMax) * ph;
  const parts: string[] = [`<g transform="translate(${x0},${y0})">`];
  parts.push(
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(o.title)}</text>`,
  );
  parts.push(`<g transform="translate(${M.left},${M.top})">`);
  parts.push(`<rect width="${pw}" height="${ph}" fill="#fafafa" stroke="#999"/>`);
  for (const t of xTicks) {
    const px = sx(t).toFixed(1);
    parts.push(`<line x1="${px}" x2="${px}" y1="0" y2="${ph}" stroke="#e3e3e3"/>`);
    parts.push(`<text x="${px}" y="${ph + 14}" text-anchor="middle" font-size="10">${fmt(t)}</text>`);
  }
  for (const t of yTicks) {
    const py = sy(t).toFixed(1);
    parts.push(`<line x1="0" x2="${pw}" y1="${py}" y2="${py}" stroke="#e3e3e3"/>`);
    parts.push(
      `<text x="-6" y="${py}" text-anchor="end" dominant-baseline="middle" font-size="10">${o.fraction ? `${Math.round(t * 100)}%` : fmt(t)}</text>`,
    );
  }
  parts.push(
    `<text x="${pw / 2}" y="${ph + 30}" text-anchor="middle" font-size="11">${esc(o.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(-46,${ph / 2}) rotate(-90)" text-anchor="middle" font-size="11">${esc(o.yLabel)}</text>`,
  );
  for (const s of shown) {
    const d = s.points
      .map(([vx, vy], k) => `${k === 0 ? 'M' : 'L'}${sx(vx).toFixed(1)},${sy(vy).toFixed(1)}`)
      .join(' ');
    parts.push(
      `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
  }
  shown.forEach((s, k) => {
    const lx = (k % 2) * (pw / 2);
    const ly = ph + 46 + Math.floor(k / 2) * 15;
    parts.push(
      `<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    parts.push(
      `<text x="${lx + 28}" y="${ly}" dominant-baseline="middle" font-size="10">${esc(s.label)}</text>`,
    );
  });
  if (shown.length === 0) {
    parts.push(
      `<text x="${pw / 2}" y="${ph / 2}" text-anchor="middle" font-size="12" fill="#777">not measured in this run</text>`,
    );
  }
  parts.push('</g></g>');
  return parts.join('\n');
}

const cdfSeries = (label: string, cdf: Cdf | undefined, color: string, dashed = false): Series => ({
  label,
  color,
  points: cdf ?? [],
  dashed,
});

export function latencySvg(r: Results): string {
  const i = r.intake;
  const lastRound = i?.rounds[i.rounds.length - 1];
  const intake = panel(
    0,
    0,
    [
      cdfSeries('baseline, saturated', lastRound?.baseline.latency.cdf, COLORS[0]!),
      cdfSeries('ours, saturated', lastRound?.ours.latency.cdf, COLORS[1]!),
      cdfSeries(
        `baseline, ${i?.halfRate ?? ''}/s open loop`,
        i?.baselineHalfRate.latency.cdf,
        COLORS[0]!,
        true,
      ),
      cdfSeries(`ours, ${i?.halfRate ?? ''}/s open loop`, i?.oursHalfRate.latency.cdf, COLORS[1]!, true),
    ],
    {
      title: `1. Intake: POST → 202 (${i?.connections ?? '?'} connections)`,
      xLabel: 'latency (ms, log scale)',
      yLabel: 'requests answered',
      xLog: true,
      fraction: true,
    },
  );
  const l = r.lowLoad;
  const steadyNaive = r.naive?.runs.find((s) => s.scenario === 'steady' && s.side === 'naive');
  const cashier = panel(
    W,
    0,
    [
      ...(l?.variants ?? []).map((v, k) =>
        cdfSeries(v.label, v.clientFelt.cdf, COLORS[k + 1]!, v.preferWait > 0),
      ),
      cdfSeries(`naive proxy, ${r.naive?.ratePerSecond ?? ''}/s`, steadyNaive?.latency.cdf, COLORS[0]!),
    ],
    {
      title: `2. Low load: sending → account in hand (D365 ${l?.d365LatencyMs ?? r.options.d365LatencyMs} ms)`,
      xLabel: 'latency (ms)',
      yLabel: 'customers',
      fraction: true,
    },
  );
  const runs = r.endToEnd?.runs ?? [];
  const drain = panel(
    0,
    H,
    runs.map((d, k) =>
      cdfSeries(
        `${d.label}: ${d.customers}`,
        d.acceptToSucceeded.cdf.map(([v, f]) => [v / 1000, f] as [number, number]),
        COLORS[k + 1]!,
      ),
    ),
    {
      title: `2. Drain: accept → succeeded (${r.options.throttleRate}/s throttle, ${r.options.d365LatencyMs} ms)`,
      xLabel: 'latency (s)',
      yLabel: 'customers',
      fraction: true,
    },
  );
  const memory = panel(
    W,
    H,
    [
      ...runs.map((d, k) => ({ label: `host, ${d.label}`, color: COLORS[k + 1]!, points: d.rss.samples })),
      ...(lastRound
        ? [{ label: 'host, intake (saturated)', color: COLORS[5]!, points: lastRound.ours.rss.samples }]
        : []),
      ...(lastRound
        ? [
            {
              label: 'baseline server, intake',
              color: COLORS[0]!,
              points: lastRound.baseline.rss.samples,
              dashed: true,
            },
          ]
        : []),
    ],
    { title: '5. Resident memory (VmRSS) over time', xLabel: 'seconds since start', yLabel: 'MB' },
  );
  const m = r.machine;
  const footer = `d365-customer-sync npm run bench, ${m.date.slice(0, 16).replace('T', ' ')} UTC, ${m.cpu}, ${m.cores} cores, Node ${m.node}, commit ${m.commit}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W * 2}" height="${H * 2 + 24}" viewBox="0 0 ${W * 2} ${H * 2 + 24}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    intake,
    cashier,
    drain,
    memory,
    `<text x="${W}" y="${H * 2 + 16}" text-anchor="middle" font-size="11" fill="#555">${esc(footer)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
