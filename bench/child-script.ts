import { spawn } from 'node:child_process';
import { startProcess } from '@d365-customer-sync/functions-host';
import { benchScript } from './paths';

/** A bench script (dist-dev/bench/<name>.js) that failed: its exit code and the end of its output. */
export class BenchScriptError extends Error {
  override readonly name = 'BenchScriptError';
  constructor(
    message: string,
    readonly script: string,
    /** null: it exited 0 but printed no JSON result. */
    readonly exitCode: number | null,
    readonly outputTail: string,
  ) {
    super(message);
  }
}

/** What the bench's servers (baseline, naive proxy) print once they listen. */
export const LISTENING = /^Listening on (http:\/\/127\.0\.0\.1:\d+)$/;

export interface RunningServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts dist-dev/bench/<name>.js as a child process and resolves once it listens. */
export async function startServerScript(name: string, env: NodeJS.ProcessEnv): Promise<RunningServer> {
  const running = await startProcess(process.execPath, [benchScript(name)], {
    name,
    env: { ...process.env, ...env },
    readyPatterns: [LISTENING],
  });
  return {
    url: (running.matches[0] as RegExpMatchArray)[1] as string,
    pid: running.child.pid ?? -1,
    stop: () => running.stop(),
  };
}

/**
 * Runs dist-dev/bench/<name>.js to completion and parses the JSON it prints last on stdout. Used for
 * the load generator (so it never shares an event loop with the orchestrator) and the load-time
 * probes (so each starts from a cold module cache).
 */
export function runJsonScript<T>(
  name: string,
  input: unknown,
  { env = {}, nodeArgs = [] }: { env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {},
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, benchScript(name)], {
      env: { ...process.env, ...env, BENCH_INPUT: JSON.stringify(input) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0) {
        const tail = stderr.slice(-2000) || last;
        reject(new BenchScriptError(`${name} exited with ${code}: ${tail}`, name, code, tail));
        return;
      }
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        const tail = `${stdout.slice(-500)} ${stderr.slice(-500)}`;
        reject(new BenchScriptError(`${name} printed no JSON result: ${tail}`, name, null, tail));
      }
    });
  });
}

/** The input a script started by `runJsonScript` was given. */
export function scriptInput<T>(): T {
  const raw = process.env.BENCH_INPUT;
  if (!raw) throw new Error('BENCH_INPUT is not set: run this script through the bench');
  return JSON.parse(raw) as T;
}
