import { z } from 'zod';

/** A setting holding a JSON array (`WEBHOOK_SOURCES`, `CALLER_KEYS`): the text → `items`, or `must be a JSON array of <what>`. */
export function jsonArraySetting<T extends z.ZodType>(what: string, items: T) {
  const message = `must be a JSON array of ${what}`;
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
    })
    .pipe(z.array(items, { message }));
}
