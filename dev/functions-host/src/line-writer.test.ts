import { batchedLineWriter, DEFAULT_LINE_DELAY_MS, lineDelayFrom } from './line-writer';

/** A timer the test fires by hand. */
function manualTimer() {
  const due: { callback: () => void; ms: number }[] = [];
  return {
    due,
    setTimer: (callback: () => void, ms: number) => {
      due.push({ callback, ms });
      return {};
    },
    fire: () => due.splice(0).forEach((t) => t.callback()),
  };
}

describe('batchedLineWriter', () => {
  it('writes the lines of a batch together, in order, once the delay has passed', () => {
    const out: string[] = [];
    const timer = manualTimer();
    const writer = batchedLineWriter((text) => out.push(text), { maxDelayMs: 5, setTimer: timer.setTimer });
    writer.write('Executing a');
    writer.write('customer.accepted');
    writer.write('Executed a');
    expect(out).toEqual([]);
    expect(timer.due).toHaveLength(1);
    expect(timer.due[0]!.ms).toBe(5);
    timer.fire();
    expect(out).toEqual(['Executing a\ncustomer.accepted\nExecuted a\n']);
  });

  it('starts a new batch after a flush, with its own timer', () => {
    const out: string[] = [];
    const timer = manualTimer();
    const writer = batchedLineWriter((text) => out.push(text), { setTimer: timer.setTimer });
    writer.write('one');
    timer.fire();
    writer.write('two');
    expect(timer.due).toHaveLength(1);
    timer.fire();
    expect(out).toEqual(['one\n', 'two\n']);
  });

  it('writes at once when the batch reaches its size limit', () => {
    const out: string[] = [];
    const timer = manualTimer();
    const writer = batchedLineWriter((text) => out.push(text), { maxBytes: 10, setTimer: timer.setTimer });
    writer.write('12345');
    expect(out).toEqual([]);
    writer.write('67890');
    expect(out).toEqual(['12345\n67890\n']);
    timer.fire();
    expect(out).toEqual(['12345\n67890\n']);
  });

  it('flush writes what is queued now and nothing when the queue is empty', () => {
    const out: string[] = [];
    const writer = batchedLineWriter((text) => out.push(text), { setTimer: manualTimer().setTimer });
    writer.flush();
    writer.write('Host ready on http://localhost:7071');
    writer.flush();
    writer.flush();
    expect(out).toEqual(['Host ready on http://localhost:7071\n']);
  });

  it('with no delay writes every line at once', () => {
    const out: string[] = [];
    const writer = batchedLineWriter((text) => out.push(text), { maxDelayMs: 0 });
    writer.write('a');
    writer.write('b');
    expect(out).toEqual(['a\n', 'b\n']);
  });
});

describe('lineDelayFrom (DEV_HOST_LOG_BATCH_MS)', () => {
  it.each([
    [undefined, DEFAULT_LINE_DELAY_MS],
    ['', DEFAULT_LINE_DELAY_MS],
    ['0', 0],
    ['20', 20],
    ['-1', DEFAULT_LINE_DELAY_MS],
    ['soon', DEFAULT_LINE_DELAY_MS],
  ])('%p gives %p ms', (value, expected) => {
    expect(lineDelayFrom(value === undefined ? {} : { DEV_HOST_LOG_BATCH_MS: value })).toBe(expected);
  });
});
