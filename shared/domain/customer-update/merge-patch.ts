/**
 * JSON Merge Patch (RFC 7396): the update intake's body format. Pure.
 *
 * https://www.rfc-editor.org/rfc/rfc7396#section-2: a patch that is not an object replaces the
 * target; an object patch sets each member, `null` removes it, and nested objects merge recursively.
 * Arrays are values like any other: a patch that names `BillingAddress` replaces the whole list.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** RFC 7396 section 2's MergePatch(Target, Patch), without changing either argument. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete result[name];
    else result[name] = applyMergePatch(result[name], value);
  }
  return result;
}
