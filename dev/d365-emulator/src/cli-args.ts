import { parseArgs, ParseArgsConfig } from 'node:util';
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

export type CliProblem =
  'unknown-option' | 'unexpected-argument' | 'missing-value' | 'invalid-value' | 'takes-no-value';

/** A command line the CLI cannot run; `argument` is the option or argument at fault. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
  readonly problem: CliProblem;
  readonly argument: string;
  readonly value?: string;

  constructor(details: { problem: CliProblem; argument: string; value?: string; expected?: string }) {
    const { problem, argument, value, expected } = details;
    const messages: Record<CliProblem, string> = {
      'unknown-option': `unknown option '${argument}'`,
      'unexpected-argument': `unexpected argument '${argument}'`,
      'missing-value': `${argument} needs a value`,
      'invalid-value': `${argument} must be ${expected ?? 'valid'}, got '${value ?? ''}'`,
      'takes-no-value': `${argument} takes no value`,
    };
    super(messages[problem]);
    this.problem = problem;
    this.argument = argument;
    this.value = value;
  }
}

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'cert-dir': { type: 'string' },
  'throttle-rate': { type: 'string' },
  'throttle-concurrency': { type: 'string' },
  'latency-ms': { type: 'string' },
  seed: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

type ValueOption = Exclude<keyof typeof OPTIONS, 'quiet' | 'help'>;

const isValueOption = (name: string): name is ValueOption =>
  Object.hasOwn(OPTIONS, name) && OPTIONS[name as keyof typeof OPTIONS].type === 'string';

function number(flag: string, value: string, check: (n: number) => boolean, expected: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) {
    throw new CliUsageError({ problem: 'invalid-value', argument: flag, value, expected });
  }
  return n;
}

const positive = (n: number): boolean => n > 0;
const nonNegativeInteger = (n: number): boolean => Number.isInteger(n) && n >= 0;

/** Sets one option's value on `options`, checked. */
const APPLY: Record<ValueOption, (options: EmulatorOptions, flag: string, value: string) => void> = {
  host: (options, flag, value) => {
    if (value.trim() === '')
      throw new CliUsageError({ problem: 'invalid-value', argument: flag, value, expected: 'an address' });
    options.host = value;
  },
  port: (options, flag, value) => {
    options.port = number(flag, value, (n) => nonNegativeInteger(n) && n <= 65535, 'an integer 0-65535');
  },
  'cert-dir': (options, _flag, value) => {
    options.certDir = value;
  },
  'throttle-rate': (options, flag, value) => {
    options.throttle = {
      ...options.throttle,
      ratePerSecond: number(flag, value, positive, 'a positive number'),
    };
  },
  'throttle-concurrency': (options, flag, value) => {
    const concurrency = number(flag, value, (n) => Number.isInteger(n) && n > 0, 'a positive integer');
    options.throttle = { ...options.throttle, concurrency };
  },
  'latency-ms': (options, flag, value) => {
    options.latencyMs = number(flag, value, nonNegativeInteger, 'a non-negative integer');
  },
  seed: (options, flag, value) => {
    options.randomSeed = number(flag, value, nonNegativeInteger, 'a non-negative integer');
  },
};

/**
 * Parses `--flag value` and `--flag=value` arguments with `node:util` parseArgs. Its lenient mode gives the
 * tokens in order, so that `--help` wins only where it comes before a mistake, and the messages stay ours.
 * Throws CliUsageError on anything unknown or malformed.
 */
export function parseCliArgs(argv: string[]): CliCommand {
  const { tokens } = parseArgs({
    args: argv,
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const options: EmulatorOptions = {};
  let quiet = false;
  for (const token of tokens) {
    if (token.kind === 'positional')
      throw new CliUsageError({ problem: 'unexpected-argument', argument: token.value });
    if (token.kind === 'option-terminator')
      throw new CliUsageError({ problem: 'unexpected-argument', argument: '--' });
    const flag = token.rawName;
    if (token.name === 'help' || token.name === 'quiet') {
      if (token.value !== undefined) throw new CliUsageError({ problem: 'takes-no-value', argument: flag });
      if (token.name === 'help') return { kind: 'help' };
      quiet = true;
      continue;
    }
    if (!isValueOption(token.name)) throw new CliUsageError({ problem: 'unknown-option', argument: flag });
    // Lenient parseArgs takes the next argument as the value even when it is another option.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) {
      throw new CliUsageError({ problem: 'missing-value', argument: flag });
    }
    APPLY[token.name](options, flag, token.value);
  }
  return { kind: 'start', options, quiet };
}

export const readyLine = (url: string, caCertPath: string): string =>
  `Emulator ready on ${url} (CA certificate: ${caCertPath})`;
