import { n, x } from './cells';
import type { IntakeResult, IntakeRun } from './intake';
import type { Results } from './results';
import { ratio } from './stats';

/** A row of the table without its section (as `table-rows.ts` builds them). */
interface Section {
  measure: string;
  ours: string;
  baseline?: string;
  ratio?: string;
  target?: string;
}

const delay = (run: IntakeRun): string => {
  const d = run.probe?.eventLoopDelay;
  return d ? `${n(d.p50, 1)} / ${n(d.p99, 1)} / ${n(d.max, 1)} ms` : '–';
};
const gc = (run: IntakeRun): string => {
  const g = run.probe?.gc;
  return g ? `${n(g.count)}; ${n(g.totalMs)} ms; ${n(g.maxMs, 1)} ms` : '–';
};
const busy = (run: IntakeRun): string => (run.probe ? n(run.probe.eventLoopUtilization, 2) : '–');

/**
 * What the probe (`loop-probe.ts`) saw inside each server during the open-loop run at half the
 * saturating rate, next to its p99: how late the event loop ran ready callbacks, how busy it was,
 * and the garbage collector's pauses.
 */
export function intakeProbeRows(i: IntakeResult): Section[] {
  const ours = i.oursHalfRate;
  const base = i.baselineHalfRate;
  if (!ours.probe && !base.probe) return [];
  return [
    {
      measure: `  event-loop delay p50 / p99 / max, in the server at ${n(i.halfRate)}/s`,
      ours: delay(ours),
      baseline: delay(base),
      ratio: x(ratio(ours.probe?.eventLoopDelay.p99 ?? NaN, base.probe?.eventLoopDelay.p99 ?? NaN)),
    },
    { measure: '  event-loop utilisation (busy fraction)', ours: busy(ours), baseline: busy(base) },
    {
      measure: '  GC pauses: count; total; longest',
      ours: gc(ours),
      baseline: gc(base),
      ratio: x(ratio(ours.probe?.gc.totalMs ?? NaN, base.probe?.gc.totalMs ?? NaN)),
    },
  ];
}

/**
 * The profiled runs' summary (`--intake-cpu-profile 1`): where each server's CPU went, per request,
 * by area and (ours) by function, as text lines.
 */
export function intakeProfileLines(r: Results, top = 12): string[] {
  const ours = r.intake?.oursProfiled;
  const base = r.intake?.baselineProfiled;
  const p = ours?.cpuProfile;
  if (!ours || !p) return [];
  // The profile covers the measured run only (the warm-up is its own segment).
  const perRequest = (run: IntakeRun | undefined, ms: number | undefined): string =>
    run && ms !== undefined && run.requests ? `${n((ms / run.requests) * 1000)} µs` : '–';
  const baseAreas = new Map((base?.cpuProfile?.byArea ?? []).map((a) => [a.area, a.selfMs]));
  const pct = (share: number): string => `${n(share * 100, 1)} %`;
  return [
    `CPU profiles at ${n(r.intake!.halfRate)}/s (one more run of each under the profiler; their latencies are not figures):`,
    `  busy per request (wall-clock time the loop was not idle, descheduled time included): ours ${perRequest(ours, p.busyMs)}, baseline ${perRequest(base, base?.cpuProfile?.busyMs)}`,
    `  ${p.file}${base?.cpuProfile ? `, ${base.cpuProfile.file}` : ''}`,
    '  self time per request by area, ours (baseline):',
    ...p.byArea
      .slice(0, top)
      .map(
        (a) =>
          `    ${a.area}: ${perRequest(ours, a.selfMs)} (${perRequest(base, baseAreas.get(a.area) ?? 0)}), ${pct(a.share)} of ours`,
      ),
    '  top self time, ours:',
    ...p.top
      .slice(0, top)
      .map((f) => `    ${n(f.selfMs)} ms (${pct(f.share)}) ${f.functionName} ${f.location}`.trimEnd()),
  ];
}
