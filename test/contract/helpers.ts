import { sampleCustomer, sampleCustomerText } from '../fixtures/sample-customers';

/** The two sample payloads of the source article, as text. */
export const fixtureText = { full: sampleCustomerText('full'), minimal: sampleCustomerText('minimal') };

/** A fresh deep copy of a fixture, safe to mutate. */
export const fixture = sampleCustomer;

/** Splits an RFC 6901 pointer into its unescaped reference tokens. */
export function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`not a JSON pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Whether `pointer` names a value that exists in `document`. */
export function pointerExists(document: unknown, pointer: string): boolean {
  let node: unknown = document;
  for (const token of pointerTokens(pointer)) {
    if (Array.isArray(node)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token) || Number(token) >= node.length) return false;
      node = node[Number(token)];
    } else if (
      typeof node === 'object' &&
      node !== null &&
      Object.prototype.hasOwnProperty.call(node, token)
    ) {
      node = (node as Record<string, unknown>)[token];
    } else {
      return false;
    }
  }
  return true;
}

/** The pointer of the parent of what `pointer` names. */
export function parentPointer(pointer: string): string {
  return pointer.slice(0, Math.max(0, pointer.lastIndexOf('/')));
}

/** A copy of `value` whose object keys are in the order `order(keys)` gives, at every level. */
export function reorderKeys(value: unknown, order: (keys: string[]) => string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => reorderKeys(item, order));
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(
      order(Object.keys(record)).map((key) => [key, reorderKeys(record[key], order)]),
    );
  }
  return value;
}

/** Every string value in a JSON document (not property names). */
export function stringValues(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringValues);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(stringValues);
  return [];
}
