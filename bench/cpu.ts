import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * How busy the machine was during a measurement, split into this bench's own process tree (the
 * orchestrator, Azurite, the emulator, the host or server under test, the load generator) and
 * everything else. Absolute figures on a shared machine are only as good as that split: a run
 * where other processes took a core is reported as such. Linux (/proc) only; null elsewhere.
 */
export interface CpuUsage {
  seconds: number;
  /** Average cores used by the bench's processes. */
  benchCores: number;
  /** Average cores used by every other process on the machine. */
  otherCores: number;
  cores: number;
}

interface Snapshot {
  at: number;
  /** Busy and total jiffies of the machine (all CPUs). */
  busy: number;
  total: number;
  /** utime + stime + cutime + cstime summed over the bench's process tree. */
  tree: number;
}

function machine(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] as string;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number) as number[];
  const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return { busy, total: busy + (idle ?? 0) + (iowait ?? 0) };
}

function processTable(): Map<number, { parent: number; jiffies: number }> {
  const table = new Map<number, { parent: number; jiffies: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces) in parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const parent = Number(fields[1]);
      const jiffies = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
      table.set(Number(entry), { parent, jiffies });
    } catch {
      // The process ended while we looked.
    }
  }
  return table;
}

/** CPU time a process used so far (user + system, ms), or null when it cannot be read. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

/** USER_HZ: Linux reports CPU times in 1/100 s. */
const TICK_MS = 10;

function treeJiffies(root: number): number {
  const table = processTable();
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops += 1) {
      if (p === root) return true;
      p = table.get(p)?.parent ?? 0;
    }
    return false;
  };
  let sum = 0;
  for (const [pid, { jiffies }] of table) if (inTree(pid)) sum += jiffies;
  return sum;
}

function snapshot(): Snapshot | undefined {
  try {
    return { at: Date.now(), ...machine(), tree: treeJiffies(process.pid) };
  } catch {
    return undefined;
  }
}

/** Starts measuring; `stop()` returns the usage since then. */
export function measureCpu(): { stop(): CpuUsage | null } {
  const start = snapshot();
  return {
    stop() {
      const end = snapshot();
      if (!start || !end || end.total === start.total) return null;
      const cores = availableParallelism();
      // Jiffies of one CPU that passed: the machine's total divided by its CPUs.
      const wall = (end.total - start.total) / cores;
      const bench = Math.max(0, end.tree - start.tree);
      const other = Math.max(0, end.busy - start.busy - bench);
      const round = (n: number): number => Math.round(n * 100) / 100;
      return {
        seconds: round((end.at - start.at) / 1000),
        benchCores: round(bench / wall),
        otherCores: round(other / wall),
        cores,
      };
    },
  };
}

let quietBudgetMs = 0;
let quietWaitedMs = 0;

/** How long, in all, `waitForQuiet` may wait during this run. */
export function setQuietBudget(seconds: number): void {
  quietBudgetMs = seconds * 1000;
}

/** Total time spent waiting for other processes to calm down. */
export const quietWaited = (): number => Math.round(quietWaitedMs / 100) / 10;

/**
 * Before a measurement: waits (1-second looks, within the run's budget) until the machine's other
 * processes use less than `threshold` cores, so that figures are not taken while a test suite
 * runs next to us. Returns the other processes' load seen last (null when /proc is missing).
 */
export async function waitForQuiet(log: (line: string) => void, threshold = 0.25): Promise<number | null> {
  let logged = false;
  for (;;) {
    const meter = measureCpu();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const usage = meter.stop();
    if (!usage) return null;
    if (usage.otherCores < threshold || quietWaitedMs >= quietBudgetMs) return usage.otherCores;
    if (!logged) {
      log(
        `other processes use ${usage.otherCores} cores: waiting for them (budget left ${Math.round((quietBudgetMs - quietWaitedMs) / 1000)} s)`,
      );
      logged = true;
    }
    quietWaitedMs += 1000;
  }
}
