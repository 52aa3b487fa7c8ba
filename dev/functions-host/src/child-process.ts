import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';

/** A child process started by the local tooling, with the lines it printed so far. */
export interface RunningProcess {
  readonly child: ChildProcess;
  readonly output: string[];
  /** Sends SIGTERM (then SIGKILL after `graceMs`) and resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartProcessOptions extends SpawnOptions {
  /** Printed name used in error messages. */
  name: string;
  /** Resolves once every pattern matched a line of stdout or stderr. */
  readyPatterns: RegExp[];
  timeoutMs?: number;
  /** Called with every line the process prints. */
  onLine?: (line: string) => void;
}

/**
 * Spawns a process and waits until it prints the lines that say it is ready.
 * Rejects (and kills the process) when it exits first or the timeout passes.
 */
export function startProcess(
  command: string,
  args: string[],
  options: StartProcessOptions,
): Promise<RunningProcess & { matches: RegExpMatchArray[] }> {
  const { name, readyPatterns, timeoutMs = 30_000, onLine, ...spawnOptions } = options;
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...spawnOptions });
  const output: string[] = [];
  const matches: (RegExpMatchArray | undefined)[] = readyPatterns.map(() => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (graceMs = 5_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop(0);
      reject(
        new Error(`${name} did not become ready within ${timeoutMs} ms:\n${output.slice(-20).join('\n')}`),
      );
    }, timeoutMs);
    let buffered = '';
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).replace(/\r$/, '');
        buffered = buffered.slice(newline + 1);
        output.push(line);
        if (output.length > 1000) output.shift();
        onLine?.(line);
        readyPatterns.forEach((pattern, i) => {
          matches[i] ??= line.match(pattern) ?? undefined;
        });
        if (matches.every(Boolean)) {
          clearTimeout(timer);
          resolve({ child, output, stop, matches: matches as RegExpMatchArray[] });
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`${name} exited (${signal ?? code}) before it was ready:\n${output.slice(-20).join('\n')}`),
      );
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
