import { createBoundedLog } from './bounded-log';

describe('bounded log', () => {
  it('keeps everything, oldest first, while under capacity', () => {
    const log = createBoundedLog<number>(3);
    log.push(1);
    log.push(2);
    expect(log.all()).toEqual([1, 2]);
    expect(log.size()).toBe(2);
    expect(log.dropped()).toBe(0);
  });

  it('drops the oldest beyond capacity and counts them, across many wrap-arounds', () => {
    const log = createBoundedLog<number>(3);
    for (let i = 1; i <= 10; i += 1) log.push(i);
    expect(log.all()).toEqual([8, 9, 10]);
    expect(log.size()).toBe(3);
    expect(log.dropped()).toBe(7);
  });

  it('returns a copy and starts over on clear', () => {
    const log = createBoundedLog<number>(2);
    log.push(1);
    log.all().push(99);
    expect(log.all()).toEqual([1]);
    log.push(2);
    log.push(3);
    log.clear();
    expect(log.all()).toEqual([]);
    expect(log.dropped()).toBe(0);
    log.push(4);
    expect(log.all()).toEqual([4]);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => createBoundedLog(0)).toThrow(/positive integer/);
    expect(() => createBoundedLog(1.5)).toThrow(/positive integer/);
  });
});
