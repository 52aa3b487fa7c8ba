// Hand-written: cron-parser and croner follow Vixie cron (day-of-month OR day-of-week) by default, NCRONTAB needs both; 160 lines pinned by ncrontab.test.ts beat a new dependency.
/**
 * Six-field NCRONTAB expressions as the timer trigger uses them:
 * `{second} {minute} {hour} {day} {month} {day-of-week}`, each field `*`, a value, a range `a-b`,
 * a step `*\/n`, `a-b/n` or `a/n`, or a comma-separated list of those; months `JAN`-`DEC` and days
 * `SUN`-`SAT` may be named. As in NCrontab, a time matches when every field matches (day of month
 * AND day of week). Evaluated in UTC.
 */

export interface CronSchedule {
  expression: string;
  seconds: ReadonlySet<number>;
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  daysOfWeek: ReadonlySet<number>;
}

/** An NCRONTAB expression that does not parse; keeps the expression. */
export class CronError extends Error {
  override readonly name = 'CronError';
  constructor(
    message: string,
    readonly expression: string,
  ) {
    super(message);
  }
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly FieldSpec[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  { name: 'day-of-week', min: 0, max: 6, names: DAY_NAMES },
];

function parseValue(text: string, spec: FieldSpec, expression: string): number {
  const upper = text.toUpperCase();
  const nameIndex = spec.names?.findIndex((n) => upper === n || upper === fullName(n, spec)) ?? -1;
  if (nameIndex >= 0) return nameIndex + spec.min;
  if (!/^\d+$/.test(text))
    throw new CronError(`"${expression}": "${text}" is not a valid ${spec.name} value`, expression);
  const value = Number(text);
  if (value < spec.min || value > spec.max) {
    throw new CronError(
      `"${expression}": ${spec.name} ${value} is outside ${spec.min}-${spec.max}`,
      expression,
    );
  }
  return value;
}

/** NCrontab also accepts full names (MONDAY, JANUARY). */
function fullName(short: string, spec: FieldSpec): string {
  const months: Record<string, string> = {
    JAN: 'JANUARY',
    FEB: 'FEBRUARY',
    MAR: 'MARCH',
    APR: 'APRIL',
    JUN: 'JUNE',
    JUL: 'JULY',
    AUG: 'AUGUST',
    SEP: 'SEPTEMBER',
    OCT: 'OCTOBER',
    NOV: 'NOVEMBER',
    DEC: 'DECEMBER',
  };
  const days: Record<string, string> = {
    SUN: 'SUNDAY',
    MON: 'MONDAY',
    TUE: 'TUESDAY',
    WED: 'WEDNESDAY',
    THU: 'THURSDAY',
    FRI: 'FRIDAY',
    SAT: 'SATURDAY',
  };
  return (spec.names === MONTH_NAMES ? months[short] : days[short]) ?? short;
}

function parseField(text: string, spec: FieldSpec, expression: string): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') throw new CronError(`"${expression}": empty item in the ${spec.name} field`, expression);
    const [rangeText = '', stepText, extra] = item.split('/');
    if (extra !== undefined)
      throw new CronError(`"${expression}": "${item}" has more than one "/"`, expression);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) {
        throw new CronError(
          `"${expression}": "${stepText}" is not a valid step in the ${spec.name} field`,
          expression,
        );
      }
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    if (rangeText === '*') {
      from = spec.min;
      to = spec.max;
    } else if (rangeText.includes('-')) {
      const [a = '', b = '', more] = rangeText.split('-');
      if (more !== undefined)
        throw new CronError(`"${expression}": "${rangeText}" is not a valid range`, expression);
      from = parseValue(a, spec, expression);
      to = parseValue(b, spec, expression);
      if (from > to) throw new CronError(`"${expression}": range "${rangeText}" goes backwards`, expression);
    } else {
      from = parseValue(rangeText, spec, expression);
      to = stepText !== undefined ? spec.max : from;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/** Parses a six-field NCRONTAB expression; throws CronError naming the problem. */
export function parseNcrontab(expression: string): CronSchedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new CronError(
      `"${expression}" is not a valid NCRONTAB expression: the timer trigger needs six fields ` +
        `"{second} {minute} {hour} {day} {month} {day-of-week}", found ${fields.length}`,
      expression,
    );
  }
  const [seconds, minutes, hours, days, months, daysOfWeek] = fields.map((text, i) =>
    parseField(text, FIELDS[i] as FieldSpec, expression),
  ) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  return { expression, seconds, minutes, hours, days, months, daysOfWeek };
}

/**
 * The first time strictly after `after` (UTC, whole seconds) that matches, or undefined when
 * none exists in the next five years (e.g. `0 0 0 30 2 *`).
 */
export function nextOccurrence(schedule: CronSchedule, after: Date): Date | undefined {
  const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
  const limit = after.getTime() + 5 * 366 * 86_400_000;
  while (t.getTime() <= limit) {
    if (!schedule.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!schedule.days.has(t.getUTCDate()) || !schedule.daysOfWeek.has(t.getUTCDay())) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!schedule.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!schedule.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    if (!schedule.seconds.has(t.getUTCSeconds())) {
      t.setUTCSeconds(t.getUTCSeconds() + 1, 0);
      continue;
    }
    return t;
  }
  return undefined;
}
