#!/usr/bin/env node
import { parseCliArgs, UsageError } from './cli-args';
import { RunningHost, startHost } from './host';
import { stdoutLines } from './line-writer';

/**
 * The local Azure Functions host: `functions-host [--app-dir DIR] [--port N] [--host ADDRESS]`.
 * Prints the functions, then `Host ready on http://localhost:<port>`; SIGINT/SIGTERM stop it
 * gracefully (exit code 0); a second signal exits at once.
 */
async function main(): Promise<void> {
  let args;
  try {
    args = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }

  let host: RunningHost | undefined;
  let stopping = false;
  // The host's lines are batched (line-writer.ts); these go in the same order, and at once.
  const lines = stdoutLines();
  const say = (line: string): void => {
    lines.write(line);
    lines.flush();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      say(`Received ${signal} again: exiting without waiting.`);
      process.exit(1);
    }
    stopping = true;
    say(`Received ${signal}: shutting down.`);
    if (!host) process.exit(0);
    host.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Shutdown failed: ${(error as Error).stack ?? String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('unhandledRejection', (reason) => {
    const text = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
    process.stderr.write(
      `[${new Date().toISOString()}] Error: Unhandled promise rejection in the app: ${text}\n`,
    );
  });

  try {
    host = await startHost({ appDir: args.appDir, port: args.port, hostname: args.hostname });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    lines.flush();
    process.stderr.write(`Host failed to start: ${text}\n`);
    process.exit(1);
  }
  if (stopping) {
    await host.stop();
    process.exit(0);
  }
  say(`Host ready on http://localhost:${host.port}`);
}

void main();
