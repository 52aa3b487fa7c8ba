import { CronError, nextOccurrence, parseNcrontab } from './ncrontab';

const next = (expression: string, after: string): string | undefined =>
  nextOccurrence(parseNcrontab(expression), new Date(after))?.toISOString();

describe('NCRONTAB schedules', () => {
  it('fires on the next matching second, in UTC', () => {
    expect(next('*/5 * * * * *', '2024-03-01T10:00:03.400Z')).toBe('2024-03-01T10:00:05.000Z');
    expect(next('*/5 * * * * *', '2024-03-01T10:00:05.000Z')).toBe('2024-03-01T10:00:10.000Z');
    expect(next('0 */5 * * * *', '2024-03-01T10:07:00Z')).toBe('2024-03-01T10:10:00.000Z');
    expect(next('0 30 9 * * *', '2024-03-01T10:00:00Z')).toBe('2024-03-02T09:30:00.000Z');
  });

  it('supports lists, ranges, steps over ranges and names', () => {
    expect(next('0 0 9-17/4 * * *', '2024-03-01T10:00:00Z')).toBe('2024-03-01T13:00:00.000Z');
    expect(next('0 0 8,20 * * *', '2024-03-01T08:00:00Z')).toBe('2024-03-01T20:00:00.000Z');
    expect(next('0 0 0 * * MON', '2024-03-01T00:00:00Z')).toBe('2024-03-04T00:00:00.000Z'); // a Friday -> Monday
    expect(next('0 0 0 1 JAN-MAR *', '2024-03-02T00:00:00Z')).toBe('2025-01-01T00:00:00.000Z');
    expect(next('0 0 0 * * sat,sun', '2024-03-01T12:00:00Z')).toBe('2024-03-02T00:00:00.000Z');
    expect(next('10/20 * * * * *', '2024-03-01T00:00:31Z')).toBe('2024-03-01T00:00:50.000Z');
  });

  it('requires both day of month and day of week to match, as NCrontab does', () => {
    expect(next('0 0 0 13 * FRI', '2024-01-01T00:00:00Z')).toBe('2024-09-13T00:00:00.000Z');
  });

  it('handles month ends and leap days', () => {
    expect(next('0 0 0 31 * *', '2024-04-01T00:00:00Z')).toBe('2024-05-31T00:00:00.000Z');
    expect(next('0 0 0 29 2 *', '2024-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(next('0 0 0 30 2 *', '2024-03-01T00:00:00Z')).toBeUndefined();
  });

  it('rejects expressions that are not six valid fields, naming the problem', () => {
    expect(() => parseNcrontab('*/5 * * * *')).toThrow(/six fields.*found 5/);
    expect(() => parseNcrontab('60 * * * * *')).toThrow(/second 60 is outside 0-59/);
    expect(() => parseNcrontab('0 0 0 * * 7')).toThrow(CronError);
    expect(() => parseNcrontab('0 0 0 * FOO *')).toThrow(/"FOO" is not a valid month value/);
    expect(() => parseNcrontab('*/0 * * * * *')).toThrow(/not a valid step/);
    expect(() => parseNcrontab('0 0 10-5 * * *')).toThrow(/goes backwards/);
  });
});
