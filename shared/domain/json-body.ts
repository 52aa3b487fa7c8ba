import { syntaxErrorOffset } from './json-syntax';

/**
 * A defensive JSON body reader: `JSON.parse` plus the checks a public endpoint needs before any schema
 * sees the value.
 *
 * - Malformed JSON is reported with its line and column (`json-syntax.ts`: V8 gives no position for
 *   some errors), never with the text around it (V8's own messages quote the input, which may hold
 *   personal data).
 * - Nesting deeper than `maxDepth` (default 32) is refused. V8's `JSON.parse` itself does not overflow
 *   on deep input, but the code that walks the value later might.
 * - The property names `__proto__`, `constructor` and `prototype` are refused anywhere: they are the
 *   usual vehicle for prototype pollution in code that copies or merges objects.
 * - A property that appears twice in one object is refused: parsers disagree on which copy wins
 *   (`JSON.parse` keeps the last), so a duplicate is at best a bug and at worst an attempt to show a
 *   validator one value and a later consumer another.
 * - Unpaired UTF-16 surrogates (`"\ud800"`) are refused in names and values: they are not text, cannot be
 *   encoded as UTF-8, and make `encodeURIComponent` throw.
 *
 * Control characters in string values are left to the schema, which rejects them per field with a
 * message that names the field (see `customer-contract/`).
 *
 * Every problem carries an RFC 6901 JSON Pointer to where it is (`''` is the whole document).
 */

export type JsonBodyResult = { ok: true; value: unknown } | { ok: false; detail: string; pointer: string };

export interface JsonBodyOptions {
  /** How many objects/arrays may be nested inside each other; the outermost one is level 1. Default 32. */
  maxDepth?: number;
}

export const DEFAULT_MAX_DEPTH = 32;

/** Property names refused anywhere in a body. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `text` holds a UTF-16 surrogate that is not part of a pair. */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** Escapes one reference token of an RFC 6901 JSON Pointer (`~` becomes `~0`, `/` becomes `~1`). */
export function escapePointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Builds an RFC 6901 JSON Pointer from a path: `['Customer', 'BillingAddress', 0]` gives `/Customer/BillingAddress/0`. */
export function toJsonPointer(path: readonly (string | number)[]): string {
  return path.map((token) => `/${escapePointerToken(token)}`).join('');
}

/** The longest property name a pointer spells out; a longer one is named by the object holding it. */
export const MAX_POINTER_PROPERTY_LENGTH = 64;

/**
 * The pointer to property `key` of the object at `parent`, or `parent` itself when the name is
 * longer than {@link MAX_POINTER_PROPERTY_LENGTH}: a problem never echoes a 20 KB name, and its
 * pointer still resolves in the body (the message quotes the name's start).
 */
export function propertyPointer(parent: string, key: string): string {
  return key.length > MAX_POINTER_PROPERTY_LENGTH ? parent : `${parent}/${escapePointerToken(key)}`;
}

/**
 * Quotes a property name for a message: JSON string syntax (so control characters and quotes are
 * escaped), cut to 64 characters so a hostile name cannot flood a response or a log line.
 */
export function quotePropertyName(name: string): string {
  const shown = name.length > 64 ? `${name.slice(0, 64)}…` : name;
  // JSON.stringify escapes control characters and unpaired surrogates (\ud800), so the result is safe text.
  return JSON.stringify(shown);
}

/** Parses a request body. Never throws; never echoes the input in a message. */
export function parseJsonBody(text: string, options: JsonBodyOptions = {}): JsonBodyResult {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 1) {
    throw new RangeError('maxDepth must be a positive integer');
  }
  if (typeof text !== 'string') {
    return { ok: false, pointer: '', detail: 'The request body must be JSON text.' };
  }
  // RFC 8259 section 8.1: a parser may ignore a byte order mark; some clients still send one.
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (source.trim() === '') {
    return {
      ok: false,
      pointer: '',
      detail: 'The request body is empty; send a JSON object such as {"Customer": {...}}.',
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch {
    return { ok: false, pointer: '', detail: describeSyntaxError(source) };
  }
  const problem = scan(source, maxDepth);
  return problem ? { ok: false, ...problem } : { ok: true, value };
}

function describeSyntaxError(source: string): string {
  const offset = syntaxErrorOffset(source);
  if (offset < 0) return 'The request body is not valid JSON.';
  if (offset >= source.length) {
    return 'The request body is not valid JSON: it ends before the JSON value is complete.';
  }
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `The request body is not valid JSON (syntax error at line ${line}, column ${column}).`;
}

interface Frame {
  kind: 'object' | 'array';
  pointer: string;
  /** Objects: the names seen so far. */
  keys: Set<string>;
  /** Objects: true between `{`/`,` and the next name. */
  expectKey: boolean;
  /** Objects: the name whose value comes next. */
  key: string;
  /** Arrays: the index of the current element. */
  index: number;
}

/**
 * Walks text that `JSON.parse` has already accepted, so it only has to recognise tokens, not validate
 * them. Iterative (no recursion), so its own stack use does not grow with the input's nesting.
 */
function scan(text: string, maxDepth: number): { pointer: string; detail: string } | undefined {
  const stack: Frame[] = [];
  const childPointer = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    return `${top.pointer}/${escapePointerToken(top.kind === 'object' ? top.key : top.index)}`;
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '{' || c === '[') {
      const pointer = childPointer();
      if (stack.length + 1 > maxDepth) {
        return {
          pointer,
          detail: `The request body is nested more than ${maxDepth} levels deep.`,
        };
      }
      stack.push({
        kind: c === '{' ? 'object' : 'array',
        pointer,
        keys: new Set(),
        expectKey: true,
        key: '',
        index: 0,
      });
      i += 1;
    } else if (c === '}' || c === ']') {
      stack.pop();
      i += 1;
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.kind === 'object') top.expectKey = true;
      else if (top) top.index += 1;
      i += 1;
    } else if (c === '"') {
      const end = endOfString(text, i);
      const raw = text.slice(i, end + 1);
      const decoded = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
      const top = stack[stack.length - 1];
      if (top?.kind === 'object' && top.expectKey) {
        if (hasLoneSurrogate(decoded)) {
          return {
            pointer: top.pointer,
            detail: 'A property name contains an invalid character (an unpaired UTF-16 surrogate).',
          };
        }
        const pointer = propertyPointer(top.pointer, decoded);
        if (FORBIDDEN_KEYS.has(decoded)) {
          return { pointer, detail: `The property name ${quotePropertyName(decoded)} is not allowed.` };
        }
        if (top.keys.has(decoded)) {
          return {
            pointer,
            detail: `The property ${quotePropertyName(decoded)} appears more than once in the same object.`,
          };
        }
        top.keys.add(decoded);
        top.key = decoded;
        top.expectKey = false;
      } else if (hasLoneSurrogate(decoded)) {
        return {
          pointer: childPointer(),
          detail: 'This text contains an invalid character (an unpaired UTF-16 surrogate).',
        };
      }
      i = end + 1;
    } else {
      // Whitespace, ':', or a character of a number / true / false / null.
      i += 1;
    }
  }
  return undefined;
}

/** Index of the closing quote of the string that opens at `start` (the text is known to be valid JSON). */
function endOfString(text: string, start: number): number {
  let j = start + 1;
  while (j < text.length) {
    const c = text[j];
    if (c === '\\') j += 2;
    else if (c === '"') return j;
    else j += 1;
  }
  return text.length - 1;
}
