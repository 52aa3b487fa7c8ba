/**
 * Where the host's lines go. On Linux a write to a pipe (how a parent process, a test or the bench
 * reads the host) is synchronous: every line costs the event loop a system call and wakes the
 * reader. The intake bench's CPU profile showed the host's three lines per request (`Executing`,
 * the app's own log line, `Executed`) at about 7 % of the host's CPU under load, all of it
 * blocking the loop the requests wait on. So lines are gathered and written together: at most
 * `maxDelayMs` after the first one of a batch (or at once when the batch reaches `maxBytes`), in
 * the order they were written, and always before the process exits. The HTTP server flushes before
 * it answers (a caller never has its answer before the invocation's `Executed` line is out), so an
 * HTTP request costs one write instead of three, and concurrent requests share theirs.
 */
export interface LineWriter {
  /** Queues one line (without its newline). */
  write(line: string): void;
  /** Writes what is queued now. */
  flush(): void;
}

export interface LineWriterOptions {
  /** Longest a line waits for company (ms). */
  maxDelayMs?: number;
  /** A batch this large (UTF-16 code units) is written at once. */
  maxBytes?: number;
  setTimer?: (callback: () => void, ms: number) => { unref?: () => unknown };
}

export const DEFAULT_LINE_DELAY_MS = 5;
export const DEFAULT_LINE_BATCH = 64 * 1024;

/** A `LineWriter` that hands `out` one string of whole lines per batch. */
export function batchedLineWriter(out: (text: string) => void, options: LineWriterOptions = {}): LineWriter {
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_LINE_DELAY_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_LINE_BATCH;
  const setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
  let pending: string[] = [];
  let size = 0;
  let scheduled = false;
  const flush = (): void => {
    if (pending.length === 0) return;
    const text = `${pending.join('\n')}\n`;
    pending = [];
    size = 0;
    out(text);
  };
  return {
    write(line) {
      pending.push(line);
      size += line.length + 1;
      if (size >= maxBytes || maxDelayMs <= 0) {
        flush();
        return;
      }
      if (scheduled) return;
      scheduled = true;
      // Not keeping the process alive: whatever is left is written on exit.
      setTimer(() => {
        scheduled = false;
        flush();
      }, maxDelayMs).unref?.();
    },
    flush,
  };
}

/** The setting that sets `maxDelayMs` of the host's stdout (0: every line at once, as before). */
export const LOG_BATCH_SETTING = 'DEV_HOST_LOG_BATCH_MS';

/** `DEV_HOST_LOG_BATCH_MS` as a delay: a number of 0 or more, else the default. */
export function lineDelayFrom(env: NodeJS.ProcessEnv): number {
  const value = Number(env[LOG_BATCH_SETTING] ?? NaN);
  return env[LOG_BATCH_SETTING]?.trim() && Number.isFinite(value) && value >= 0
    ? value
    : DEFAULT_LINE_DELAY_MS;
}

let stdout: LineWriter | undefined;

/** The process's stdout as a batched `LineWriter`, flushed when the process exits. */
export function stdoutLines(): LineWriter {
  if (!stdout) {
    const writer = batchedLineWriter((text) => process.stdout.write(text), {
      maxDelayMs: lineDelayFrom(process.env),
    });
    process.on('exit', () => writer.flush());
    stdout = writer;
  }
  return stdout;
}
