#!/usr/bin/env node
import { CliUsageError, parseCliArgs, readyLine, USAGE } from './cli-args';
import { RunningEmulator, startEmulator } from './index';

/**
 * The emulator's command line: `d365-emulator [--port 7443] ...`. Prints one ready line,
 * then one line per request (method, path without query values, status, duration: never secrets, tokens
 * or customer data). SIGINT/SIGTERM stop it with exit code 0.
 */
export async function runCli(argv: string[]): Promise<RunningEmulator | undefined> {
  let command;
  try {
    command = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    console.error(`emulator: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return undefined;
  }
  if (command.kind === 'help') {
    console.log(USAGE);
    return undefined;
  }
  const log = command.quiet
    ? undefined
    : (line: string): void => console.log(`${new Date().toISOString()} ${line}`);
  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator({ ...command.options, log });
  } catch (error) {
    console.error(`emulator: could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
    return undefined;
  }
  const shutdown = (): void => {
    void emulator.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  console.log(readyLine(emulator.url, emulator.caCertPath));
  return emulator;
}

if (require.main === module) {
  void runCli(process.argv.slice(2));
}
