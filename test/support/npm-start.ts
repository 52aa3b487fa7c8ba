import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StackState } from '../../dev/local-stack/stack-state';
import { trustCertificate } from './app-stack';

/** The repository's root (npm start's folder). */
export const ROOT = join(__dirname, '..', '..');

/** A running `npm start` (dist-dev/dev/local-stack/stack.js, what `npm start` runs after its build). */
export interface NpmStart {
  /** `http://127.0.0.1:<port>` (the README writes http://localhost:7071). */
  url: string;
  emulatorUrl: string;
  /** LOCAL_STACK_DIR: what README calls `.local/`. */
  dir: string;
  /** Every line it printed so far. */
  lines: string[];
  /** Its `.local/stack.json`. */
  state(): StackState;
  stop(): Promise<void>;
}

/**
 * Starts the local stack as `npm start` does (the same script, after the build `npm test` already
 * ran), on free ports and with a `.local` folder of its own, so it never meets a developer's own
 * `npm start`. Resolves once every `Ready:` line is printed.
 */
export async function startNpmStart(env: Record<string, string> = {}): Promise<NpmStart> {
  const dir = mkdtempSync(join(tmpdir(), 'npm-start-'));
  const lines: string[] = [];
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'dist-dev/dev/local-stack/stack.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      EMULATOR_PORT: '0',
      AZURITE_PORT: '0',
      LOCAL_STACK_DIR: dir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let buffered = '';
  const onData = (chunk: Buffer): void => {
    buffered += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      lines.push(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 120_000;
  while (!lines.some((l) => l.startsWith('Ready: Postman'))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`npm start did not become ready:\n${lines.slice(-30).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = /^Ready: POST (http:\/\/\S+)\/api\/customers/.exec(
    lines.find((l) => l.startsWith('Ready: POST'))!,
  )![1]!;
  const emulatorUrl = /D365 emulator\s+(https:\/\/\S+)/.exec(
    lines.find((l) => l.includes('D365 emulator'))!,
  )![1]!;
  const state = (): StackState => JSON.parse(readFileSync(join(dir, 'stack.json'), 'utf8')) as StackState;
  trustCertificate(readFileSync(state().emulatorCaPath!, 'utf8'));
  return { url, emulatorUrl, dir, lines, state, stop };
}
