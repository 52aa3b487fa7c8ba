import { RpcLogLevel } from './core-types';

/** Levels in increasing severity, named as in host.json `logging.logLevel`. */
const LEVELS = ['trace', 'debug', 'information', 'warning', 'error', 'critical', 'none'] as const;
const DISPLAY: Record<RpcLogLevel, string> = {
  trace: 'Trace',
  debug: 'Debug',
  information: 'Information',
  warning: 'Warning',
  error: 'Error',
  critical: 'Critical',
  none: 'None',
};

export function parseLogLevel(value: unknown): RpcLogLevel | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return (LEVELS as readonly string[]).includes(lower) ? (lower as RpcLogLevel) : undefined;
}

function severity(level: RpcLogLevel): number {
  return LEVELS.indexOf(level);
}

export interface LogTarget {
  functionName?: string;
  invocationId?: string;
}

export interface Logger {
  /**
   * Writes one log entry if `category`'s configured level lets it through.
   * Categories follow the host's: `Host.*`, `Function.<name>` (host lines about a function) and
   * `Function.<name>.User` (the function's own context.log).
   */
  log(level: RpcLogLevel, category: string, message: string, target?: LogTarget): void;
  /** True when an entry of `level` in `category` would be written. */
  enabled(level: RpcLogLevel, category: string): boolean;
  /** Writes out what a batching writer still holds (`line-writer.ts`); nothing to do for others. */
  flush?(): void;
}

/**
 * Resolves the minimum level of a category from host.json `logging.logLevel` the way .NET logging
 * filters do: the longest configured prefix of the category wins, else `default`, else Information.
 */
export function levelForCategory(logLevels: Record<string, RpcLogLevel>, category: string): RpcLogLevel {
  const lowerCategory = category.toLowerCase();
  let best: { length: number; level: RpcLogLevel } | undefined;
  for (const [key, level] of Object.entries(logLevels)) {
    const lowerKey = key.toLowerCase();
    if (lowerKey === 'default') continue;
    if (lowerCategory === lowerKey || lowerCategory.startsWith(`${lowerKey}.`)) {
      if (!best || lowerKey.length > best.length) best = { length: lowerKey.length, level };
    }
  }
  if (best) return best.level;
  const defaultKey = Object.keys(logLevels).find((key) => key.toLowerCase() === 'default');
  return (defaultKey && logLevels[defaultKey]) || 'information';
}

/** One line per entry: newlines inside a message are written as `\n` so each entry stays one line. */
export function oneLine(message: string): string {
  return message.replace(/\r?\n/g, '\\n');
}

/**
 * The host's console logger. Host-level lines look like the Functions host's
 * (`[timestamp] Executing 'Functions.x' (...)`); a function's own logs carry the level, function
 * name and invocation id: `[timestamp] Information Functions.x (Id=...): message`.
 */
export function createConsoleLogger(
  logLevels: Record<string, RpcLogLevel>,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger {
  const cache = new Map<string, RpcLogLevel>();
  const minimum = (category: string): RpcLogLevel => {
    let level = cache.get(category);
    if (!level) {
      level = levelForCategory(logLevels, category);
      cache.set(category, level);
    }
    return level;
  };
  const enabled = (level: RpcLogLevel, category: string): boolean =>
    level !== 'none' && severity(level) >= severity(minimum(category));
  return {
    enabled,
    log(level, category, message, target) {
      if (!enabled(level, category)) return;
      const timestamp = `[${new Date().toISOString()}]`;
      if (category.endsWith('.User') && target?.functionName) {
        const id = target.invocationId ? ` (Id=${target.invocationId})` : '';
        write(`${timestamp} ${DISPLAY[level]} Functions.${target.functionName}${id}: ${oneLine(message)}`);
      } else {
        const prefix = level === 'information' ? '' : `${DISPLAY[level]}: `;
        write(`${timestamp} ${prefix}${message}`);
      }
    },
  };
}
