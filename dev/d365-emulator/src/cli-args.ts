import { DEFAULT_PORT, EmulatorOptions } from './options';

/** What the CLI (`main.ts`) was asked to do. */
export type CliCommand = { kind: 'help' } | { kind: 'start'; options: EmulatorOptions; quiet: boolean };

export const USAGE = `Usage: d365-emulator [options]

Starts the local HTTPS emulator of Microsoft Entra ID, Azure Key Vault and Dynamics 365 F&O.

Options:
  --host <address>               interface to listen on (default 127.0.0.1)
  --port <number>                port (default ${DEFAULT_PORT}; 0 picks a free port)
  --cert-dir <folder>            where ca.pem is written (default: a new temporary folder)
  --throttle-rate <n>            D365 requests per second before 429 (default: off)
  --throttle-concurrency <n>     D365 requests at the same time before 429 (default: off)
  --latency-ms <n>               latency added to every D365 request (default 0)
  --seed <n>                     seed for probability faults (default: random)
  --quiet                        do not log requests
  --help                         show this text`;

export class CliUsageError extends Error {}

function number(flag: string, value: string, check: (n: number) => boolean, what: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n))
    throw new CliUsageError(`${flag} must be ${what}, got '${value}'`);
  return n;
}

const positive = (n: number): boolean => n > 0;
const nonNegativeInteger = (n: number): boolean => Number.isInteger(n) && n >= 0;

/** Parses `--flag value` and `--flag=value` arguments. Throws CliUsageError on anything unknown or malformed. */
export function parseCliArgs(argv: string[]): CliCommand {
  const options: EmulatorOptions = {};
  let quiet = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (arg === '--quiet') {
      quiet = true;
      continue;
    }
    const match = /^(--[a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new CliUsageError(`unexpected argument '${arg}'`);
    const flag = match[1] ?? '';
    let value = match[2];
    const takesValue = [
      '--host',
      '--port',
      '--cert-dir',
      '--throttle-rate',
      '--throttle-concurrency',
      '--latency-ms',
      '--seed',
    ].includes(flag);
    if (!takesValue) throw new CliUsageError(`unknown option '${flag}'`);
    if (value === undefined) {
      value = argv[i + 1];
      i += 1;
      if (value === undefined || value.startsWith('--')) throw new CliUsageError(`${flag} needs a value`);
    }
    switch (flag) {
      case '--host':
        if (value.trim() === '') throw new CliUsageError('--host must not be empty');
        options.host = value;
        break;
      case '--port':
        options.port = number(flag, value, (n) => nonNegativeInteger(n) && n <= 65535, 'an integer 0-65535');
        break;
      case '--cert-dir':
        options.certDir = value;
        break;
      case '--throttle-rate':
        options.throttle = {
          ...options.throttle,
          ratePerSecond: number(flag, value, positive, 'a positive number'),
        };
        break;
      case '--throttle-concurrency':
        options.throttle = {
          ...options.throttle,
          concurrency: number(flag, value, (n) => Number.isInteger(n) && n > 0, 'a positive integer'),
        };
        break;
      case '--latency-ms':
        options.latencyMs = number(flag, value, nonNegativeInteger, 'a non-negative integer');
        break;
      case '--seed':
        options.randomSeed = number(flag, value, nonNegativeInteger, 'a non-negative integer');
        break;
    }
  }
  return { kind: 'start', options, quiet };
}

export const readyLine = (url: string, caCertPath: string): string =>
  `Emulator ready on ${url} (CA certificate: ${caCertPath})`;
