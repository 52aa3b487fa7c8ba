import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export interface CliArgs {
  appDir: string;
  port?: number;
  hostname: string;
}

export const USAGE = 'Usage: functions-host [--app-dir DIR] [--port N] [--host 127.0.0.1]';

/** A command line the host cannot run with; the message ends with the usage text. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The argument at fault as given (undefined for `--help`). */
  readonly argument?: string;
  constructor(problem: string | undefined, argument?: string) {
    super(problem ? `${problem}\n${USAGE}` : USAGE);
    this.argument = argument;
  }
}

const OPTIONS = {
  'app-dir': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Parses `--app-dir DIR`, `--port N` (0 = any free port) and `--host ADDRESS` (also as
 * `--flag=value`; the last one wins) with `node:util` `parseArgs`. Its tokens are checked here
 * (not by its strict mode) so that every mistake is reported with the argument as it was typed.
 */
export function parseCliArgs(argv: string[], cwd: string = process.cwd()): CliArgs {
  const args: CliArgs = { appDir: cwd, hostname: '127.0.0.1' };
  const { tokens } = parseArgs({
    args: argv,
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    const raw = argv[token.index] as string;
    if (token.kind !== 'option' || !Object.hasOwn(OPTIONS, token.name)) {
      throw new UsageError(`Unknown argument "${raw}"`, raw);
    }
    if (token.name === 'help') throw new UsageError(undefined);
    const value = token.value;
    if (value === undefined || value === '') throw new UsageError(`${token.rawName} needs a value`, raw);
    switch (token.name) {
      case 'app-dir':
        args.appDir = resolve(cwd, value);
        break;
      case 'port': {
        const port = Number(value);
        if (!/^\d+$/.test(value) || port > 65535) {
          throw new UsageError(`--port must be a port number (got "${value}")`, raw);
        }
        args.port = port;
        break;
      }
      case 'host':
        args.hostname = value;
        break;
    }
  }
  return args;
}
