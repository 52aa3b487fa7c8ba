import { resolve } from 'node:path';

export interface CliArgs {
  appDir: string;
  port?: number;
  hostname: string;
}

export class UsageError extends Error {}

export const USAGE = 'Usage: functions-host [--app-dir DIR] [--port N] [--host 127.0.0.1]';

/** Parses `--app-dir DIR`, `--port N` (0 = any free port) and `--host ADDRESS` (also as `--flag=value`). */
export function parseCliArgs(argv: string[], cwd: string = process.cwd()): CliArgs {
  const args: CliArgs = { appDir: cwd, hostname: '127.0.0.1' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--app-dir':
        args.appDir = resolve(cwd, value());
        break;
      case '--port': {
        const text = value();
        const port = Number(text);
        if (!/^\d+$/.test(text) || port > 65535)
          throw new UsageError(`--port must be a port number (got "${text}")\n${USAGE}`);
        args.port = port;
        break;
      }
      case '--host':
        args.hostname = value();
        break;
      case '--help':
      case '-h':
        throw new UsageError(USAGE);
      default:
        throw new UsageError(`Unknown argument "${arg}"\n${USAGE}`);
    }
  }
  return args;
}
