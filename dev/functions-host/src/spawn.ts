import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { startProcess } from './child-process';

export interface SpawnHostOptions {
  /** The function app's root (holds host.json and package.json). */
  appDir: string;
  /** 0 picks a free port; default: local.settings.json Host.LocalHttpPort, else 7071. */
  port?: number;
  /** Environment of the host, over this process's environment; a key set to undefined is removed. */
  env?: NodeJS.ProcessEnv;
  /** Called with every line the host prints. */
  onLine?: (line: string) => void;
  /** How long to wait for the ready line (default 60 s). */
  timeoutMs?: number;
}

export interface HostExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedHost {
  /** Base URL to call, on loopback: `http://127.0.0.1:<port>` (routes are under `/api` by default). */
  url: string;
  port: number;
  pid: number;
  /** Every line printed so far (the last 1000). */
  output: string[];
  /** Resolves when the host process exits, however it ends. */
  exited: Promise<HostExit>;
  /** Graceful stop: SIGTERM, then waits for the exit (SIGKILL after 45 s). */
  stop(): Promise<void>;
  /** Sends `signal` (default SIGKILL) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const READY = /^Host ready on http:\/\/localhost:(\d+)$/;

/** Finds the compiled host: next to this file when it runs from the package's dist/, else <package>/dist/main.js. */
export function compiledHostPath(): string {
  const here = __dirname;
  return basename(here) === 'dist' ? join(here, 'main.js') : resolve(here, '..', 'dist', 'main.js');
}

/**
 * Starts the compiled local Functions host (`dist/main.js` of this package, so build first) as a child
 * process for the app in `appDir`, and resolves once it printed `Host ready on ...`.
 * Rejects (and kills the process) when the host exits first or is not ready within `timeoutMs`.
 */
export async function spawnHost(options: SpawnHostOptions): Promise<SpawnedHost> {
  const main = compiledHostPath();
  if (!existsSync(main)) {
    throw new Error(
      `The compiled host ${main} is missing: run \`npm run build -w dev/functions-host\` first`,
    );
  }
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  const args = [main, '--app-dir', resolve(options.appDir)];
  if (options.port !== undefined) args.push('--port', String(options.port));
  const running = await startProcess(process.execPath, args, {
    name: 'Functions host',
    cwd: resolve(options.appDir),
    env,
    readyPatterns: [READY],
    timeoutMs: options.timeoutMs ?? 60_000,
    onLine: options.onLine,
  });
  const { child } = running;
  const exited = new Promise<HostExit>((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolveExit({ code: child.exitCode, signal: child.signalCode });
    } else {
      child.once('exit', (code, signal) => resolveExit({ code, signal }));
    }
  });
  const port = Number((running.matches[0] as RegExpMatchArray)[1]);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? -1,
    output: running.output,
    exited,
    stop: () => running.stop(45_000),
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
