/**
 * Which members of a customer request differ between two versions, as JSON pointers (RFC 6901):
 * the audit log's account of an edit, with no value in it. A list (`BillingAddress`) that differs is
 * named by its entries (`/Customer/BillingAddress/0/City`), or whole when its length changed. Pure.
 */
export function changedPointers(before: unknown, after: unknown, path = ''): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const bothObjects = [before, after].every((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
  if (bothObjects) {
    const a = before as Record<string, unknown>;
    const b = after as Record<string, unknown>;
    return [...new Set([...Object.keys(a), ...Object.keys(b)])]
      .sort()
      .flatMap((key) => changedPointers(a[key], b[key], `${path}/${escape(key)}`));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length)
    return before.flatMap((item, i) => changedPointers(item, after[i], `${path}/${i}`));
  return [path];
}

const escape = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');
