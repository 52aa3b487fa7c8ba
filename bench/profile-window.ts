import { areaOf, shortLocation } from './probe';

/**
 * Where a process's CPU went over a window of its life, from a whole-life `--cpu-prof` profile:
 * only the samples taken between `fromUs` and `toUs` (the monotonic clock both V8's profiler and
 * `process.hrtime` read on Linux, in µs) count, so the host's start and the bench's other runs on it
 * stay out. Three views: self time by area (the code that ran), by group (issue 33's questions:
 * our app's layers, the Azure SDK, the host's listener / front end / logger, zod, HTTP, GC), and by
 * caller (node's internals and native code charged to the nearest frame of a package or our code,
 * so node:crypto under the SDK's request signing counts as the SDK's).
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

export interface WholeProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  name: string;
  /** Sampled ms per customer (the window's busy samples divided by the customers). */
  msPerCustomer: number;
  /** Of the window's busy samples. */
  share: number;
}

export interface WindowSummary {
  /** Busy (not idle) sampled ms in the window: wall-clock time of the main thread, descheduled time included. */
  busyMs: number;
  idleMs: number;
  byArea: Share[];
  byGroup: Share[];
  byCaller: Share[];
  top: (Share & { location: string })[];
}

/** The host's own files by what they do (dev/functions-host/src). */
const HOST_ROLES: [RegExp, string][] = [
  [/queue-(listener|message|bindings|names)|timer-listener|ncrontab/, 'host: queue/timer listeners'],
  [/front-end|http-server|request-body|route-|auth|trace-parent/, 'host: HTTP front end'],
  [/logger|line-writer/, 'host: logger'],
  [/invoke|core-api|app-loader|function-plan/, 'host: invocation'],
];

/** A finer area than `areaOf`: the host by role. */
export function windowArea(frame: CallFrame, repo?: string): string {
  const area = areaOf(frame.functionName, frame.url, repo);
  if (area !== 'our host (dev/functions-host)') return area;
  const file = shortLocation(frame.url, repo);
  return HOST_ROLES.find(([pattern]) => pattern.test(file))?.[1] ?? 'host: other';
}

/** Issue 33's groups of areas. */
export function groupOf(area: string): string {
  if (area.startsWith('our app')) return area;
  if (area.startsWith('host:')) return area;
  if (area === '@azure/functions' || area === '@azure/functions-core')
    return 'programming model (@azure/functions)';
  if (/^@azure\/core-xml$|^fast-xml-parser$|^strnum$/.test(area)) return 'Azure SDK: XML';
  if (/^@azure\/(data-tables|storage-queue|storage-blob|storage-common)$/.test(area))
    return 'Azure SDK: storage clients (incl. request signing)';
  if (/^@azure\/core-(rest-pipeline|client|http-compat|tracing|util|auth|lro|paging)$/.test(area))
    return 'Azure SDK: core pipeline (policies, retries, serialisation)';
  if (area.startsWith('@azure/') || area.startsWith('@typespec/')) return `Azure SDK: other (${area})`;
  if (area === 'zod') return 'zod';
  if (
    area === 'undici' ||
    /^node:(_?http|net|tls|stream|undici|webstreams|dns|url|buffer|events|event_target|timers|abort_controller|encoding|freelist)/.test(
      area,
    )
  )
    return 'HTTP, sockets, streams (node, undici)';
  if (area === 'node:crypto') return 'node:crypto';
  if (area === 'node:process' || area === 'node:async_hooks')
    return 'node: nextTick, microtasks, async hooks';
  if (area === 'GC') return 'GC';
  if (area.startsWith('node:')) return 'node: other';
  return area;
}

const isNodeOrNative = (frame: CallFrame): boolean =>
  !frame.url || frame.url.startsWith('node:') || frame.functionName.startsWith('(');

/** Summary of the samples between `fromUs` and `toUs`, per customer. */
export function summarizeWindow(
  profile: WholeProfile,
  window: { fromUs: number; toUs: number; customers: number },
  { repo, top = 20 }: { repo?: string; top?: number } = {},
): WindowSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  /** A native function (no script) is charged to the nearest JavaScript frame, as probe.ts does. */
  const selfFrame = (id: number): CallFrame => {
    const own = byId.get(id)!;
    if (own.url || own.functionName.startsWith('(')) return own;
    for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
      const frame = byId.get(up)!;
      if (frame.url) return frame;
    }
    return own;
  };
  const callerMemo = new Map<number, string>();
  /** The nearest frame (itself or up) in a package or our code; GC and (program) stay themselves. */
  const callerArea = (id: number): string => {
    const known = callerMemo.get(id);
    if (known) return known;
    const own = selfFrame(id);
    let area = windowArea(own, repo);
    if (isNodeOrNative(own) && area !== 'GC' && !area.startsWith('V8/')) {
      for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
        const frame = byId.get(up)!;
        if (!isNodeOrNative(frame)) {
          area = windowArea(frame, repo);
          break;
        }
      }
    }
    callerMemo.set(id, area);
    return area;
  };
  const areas = new Map<string, number>();
  const groups = new Map<string, number>();
  const callers = new Map<string, number>();
  const functions = new Map<string, { name: string; location: string; us: number }>();
  const add = (map: Map<string, number>, key: string, us: number): void => {
    map.set(key, (map.get(key) ?? 0) + us);
  };
  let busyUs = 0;
  let idleUs = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < window.fromUs || at > window.toUs) return;
    const frame = byId.get(id);
    const us = Math.max(0, profile.timeDeltas[i + 1] ?? 0);
    if (!frame) return;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      return;
    }
    busyUs += us;
    const area = windowArea(selfFrame(id), repo);
    add(areas, area, us);
    add(groups, groupOf(area), us);
    add(callers, groupOf(callerArea(id)), us);
    const location = frame.url ? `${shortLocation(frame.url, repo)}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName}\u0000${location}`;
    const entry = functions.get(key) ?? { name: frame.functionName || '(anonymous)', location, us: 0 };
    entry.us += us;
    functions.set(key, entry);
  });
  const per = (us: number): number => Math.round((us / 1000 / window.customers) * 100) / 100;
  const share = (us: number): number => (busyUs ? Math.round((us / busyUs) * 1000) / 1000 : 0);
  const ranked = (map: Map<string, number>): Share[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, msPerCustomer: per(us), share: share(us) }));
  return {
    busyMs: Math.round(busyUs / 100) / 10,
    idleMs: Math.round(idleUs / 100) / 10,
    byArea: ranked(areas),
    byGroup: ranked(groups),
    byCaller: ranked(callers),
    top: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, location: f.location, msPerCustomer: per(f.us), share: share(f.us) })),
  };
}
