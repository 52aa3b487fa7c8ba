import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProbeSegment } from './loop-probe';
import { benchScript } from './paths';

export type { ProbeSegment } from './loop-probe';

/** A server process the probe (`loop-probe.ts`) is preloaded into. */
export interface Probe {
  /** Environment for the server: NODE_OPTIONS with the preload, and where it writes. */
  env: NodeJS.ProcessEnv;
  /**
   * The segment the load generator's `marks`-th mark closed (2: its measured run), waiting up to
   * `timeoutMs` for the server to write it (a CPU profile takes a moment); undefined if none came.
   * With a profile, that segment's is kept as `<profileDir>/<label>.cpuprofile` and the others removed.
   */
  measured(marks: number, timeoutMs?: number): Promise<ProbeSegment | undefined>;
}

let scratch: string | undefined;

/**
 * A probe for one server run. Its segments go to a scratch file; with `profileDir`, the CPU profile
 * of the measured segment to `<profileDir>/<label>.cpuprofile`.
 */
export function probe(label: string, { profileDir }: { profileDir?: string } = {}): Probe {
  scratch ??= mkdtempSync(join(tmpdir(), 'bench-probe-'));
  const file = join(scratch, `${label}.${randomBytes(4).toString('hex')}.jsonl`);
  const base = profileDir ? join(profileDir, label) : '';
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const preload = `--require "${benchScript('loop-probe')}"`;
  return {
    env: {
      NODE_OPTIONS: [process.env.NODE_OPTIONS, preload].filter(Boolean).join(' '),
      BENCH_PROBE_FILE: file,
      BENCH_PROBE_CPU_PROFILE: base,
    },
    async measured(marks, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let lines: string[] = [];
      while (lines.length < marks && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
      }
      const segments = lines.map((line) => JSON.parse(line) as ProbeSegment);
      const wanted = segments[marks - 1];
      for (const s of segments) {
        if (!s.cpuProfile || !existsSync(s.cpuProfile)) continue;
        if (s === wanted) {
          renameSync(s.cpuProfile, `${base}.cpuprofile`);
          s.cpuProfile = `${base}.cpuprofile`;
        } else rmSync(s.cpuProfile);
      }
      return wanted;
    },
  };
}

/** One function of a CPU profile, by self time. */
export interface ProfileFunction {
  functionName: string;
  /** `file:line`, shortened to the package or the repository path. */
  location: string;
  selfMs: number;
  /** Of the profile's sampled time, idle excluded. */
  share: number;
}

export interface ProfileSummary {
  file: string;
  /** Sampled time, idle excluded (ms). */
  busyMs: number;
  idleMs: number;
  top: ProfileFunction[];
  /** Self time by where the code lives (a package, node's internals, our app, our host, GC). */
  byArea: { area: string; selfMs: number; share: number }[];
}

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** `.../node_modules/@azure/functions/dist/x.js` → `@azure/functions/dist/x.js`; the repo's own paths from its root. */
export function shortLocation(url: string, repo?: string): string {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) return path.slice(modules + '/node_modules/'.length);
  if (repo && path.startsWith(`${repo}/`)) return path.slice(repo.length + 1);
  return path;
}

/** The area a function's code lives in, for the summary by area. */
export function areaOf(functionName: string, url: string, repo?: string): string {
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return 'V8/native (program)';
  if (!url) return functionName.startsWith('(') ? functionName : 'native';
  if (url.startsWith('node:')) {
    const module = /^node:internal\/(?:deps\/)?([\w-]+)/.exec(url)?.[1] ?? url.slice(5).split('/')[0];
    return `node:${module}`;
  }
  const path = shortLocation(url, repo);
  if (url.includes('/node_modules/')) return /^(@[^/]+\/[^/]+|[^/]+)/.exec(path)?.[1] ?? path;
  if (path.startsWith('dev/functions-host/')) return 'our host (dev/functions-host)';
  const top = /^(?:dist\/)?(functions|shared\/[\w-]+|shared)\//.exec(path)?.[1];
  return top ? `our app (${top})` : path;
}

/** Self time per function and per area of a `.cpuprofile` (Chrome DevTools format). */
export function summarizeCpuProfile(
  profile: CpuProfile,
  { file = '', top = 15, repo }: { file?: string; top?: number; repo?: string } = {},
): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  /** A native function (no script) is charged to the nearest JavaScript caller's area. */
  const caller = (id: number): CallFrame | undefined => {
    for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
      const frame = byId.get(up);
      if (frame?.url) return frame;
    }
    return undefined;
  };
  const self = new Map<
    string,
    { functionName: string; url: string; line: number; area: string; us: number }
  >();
  let idleUs = 0;
  let busyUs = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id);
    // The delta before a sample is the time it stands for (the first one's is the start offset).
    const us = Math.max(0, profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0);
    if (!frame) return;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      return;
    }
    busyUs += us;
    const native = !frame.url && !frame.functionName.startsWith('(') ? caller(id) : undefined;
    const url = native ? native.url : frame.url;
    const line = native ? native.lineNumber : frame.lineNumber;
    const key = `${frame.functionName}\u0000${url}\u0000${line}`;
    const entry = self.get(key) ?? {
      functionName: native
        ? `${frame.functionName} (native, from ${native.functionName || '(anonymous)'})`
        : frame.functionName,
      url,
      line,
      area: areaOf(frame.functionName, url, repo),
      us: 0,
    };
    entry.us += us;
    self.set(key, entry);
  });
  const share = (us: number): number => (busyUs ? Math.round((us / busyUs) * 1000) / 1000 : 0);
  const ms = (us: number): number => Math.round(us / 100) / 10;
  const entries = [...self.values()].sort((a, b) => b.us - a.us);
  const areas = new Map<string, number>();
  for (const e of entries) areas.set(e.area, (areas.get(e.area) ?? 0) + e.us);
  return {
    file,
    busyMs: ms(busyUs),
    idleMs: ms(idleUs),
    top: entries.slice(0, top).map((e) => ({
      functionName: e.functionName || '(anonymous)',
      location: e.url ? `${shortLocation(e.url, repo)}:${e.line + 1}` : '',
      selfMs: ms(e.us),
      share: share(e.us),
    })),
    byArea: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([area, us]) => ({ area, selfMs: ms(us), share: share(us) })),
  };
}

/** Reads and summarizes a `.cpuprofile` file. */
export function summarizeCpuProfileFile(
  file: string,
  options: { top?: number; repo?: string } = {},
): ProfileSummary {
  return summarizeCpuProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, { ...options, file });
}
