import fc from 'fast-check';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * Schema-driven variations (what Portman calls them): from a valid body and its JSON Schema, bodies
 * the schema says are invalid, one broken keyword each (`type`, `required`, `additionalProperties`,
 * `pattern`, `maxLength`, `maxItems`, an item's type), each with the JSON Pointer of what it broke.
 * The walk follows the schema, not a list of fields, so a new field or rule gets its variations by
 * itself. Values are drawn with fast-check from a fixed seed, so a run repeats; an outside
 * validator (Ajv) confirms that each body really is invalid before it is used.
 */

export type Json = Record<string, unknown>;

export interface Variation {
  /** The keyword broken, e.g. `pattern`. */
  keyword: string;
  /** RFC 6901 pointer of the value broken (a removed or added member: where it is or would be). */
  pointer: string;
  body: unknown;
}

const escape = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');
const typeOf = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'array'
      : Number.isInteger(value)
        ? 'integer'
        : typeof value;

/** A copy of `body` with the value at `path` replaced (`undefined`: removed). */
function withValue(body: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(body) as Json;
  let node = copy as Json;
  for (const key of path.slice(0, -1)) node = node[key] as Json;
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

const WRONG_TYPES: unknown[] = [42, 1.5, true, 'text', { a: 1 }, ['x'], null];

/** Strings the pattern refuses (within `maxLength`): random text, and the valid value nudged. */
function nonMatching(
  pattern: string,
  maxLength: number,
  valid: string | undefined,
  seed: number,
  count: number,
) {
  const regex = new RegExp(pattern, 'u');
  const nudge = fc
    .tuple(
      fc.nat(),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 2 }),
      fc.constantFrom('insert', 'replace', 'case'),
    )
    .map(([at, text, how]) => {
      const base = valid ?? '';
      const i = at % (base.length + 1);
      if (how === 'case')
        return base.toLowerCase() === base ? `${base}${text}` : base.slice(0, i) + text + base.slice(i + 1);
      return how === 'insert'
        ? base.slice(0, i) + text + base.slice(i)
        : base.slice(0, i) + text + base.slice(i + 1);
    });
  const candidates = fc.oneof(
    nudge,
    fc.string({ maxLength: 24 }),
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.constantFrom('', ' ', '-', '@', '0', 'ZZZ', 'zz', '++', '01/32/1990', 'a@b', 'US'),
  );
  return fc.sample(
    candidates.filter((s) => s.length <= maxLength && !regex.test(s)),
    { seed, numRuns: count },
  );
}

/** The variations of one body against its schema; `perPattern` values for each `pattern`. */
export function schemaVariations(
  schema: Json,
  valid: unknown,
  options: { seed: number; perPattern: number },
): Variation[] {
  const out: Variation[] = [];
  let seed = options.seed;
  const walk = (node: Json, path: string[], value: unknown): void => {
    const pointer = path.map((p) => `/${escape(p)}`).join('');
    const types = ([] as string[]).concat((node.type as string | string[] | undefined) ?? []);
    const replaced = (replacement: unknown) =>
      path.length === 0 ? replacement : withValue(valid, path, replacement);
    if (types.length > 0) {
      const wrongTypes = WRONG_TYPES.filter(
        (c) => !types.includes(typeOf(c)) && !(typeOf(c) === 'integer' && types.includes('number')),
      );
      // Two wrong types per value: the first that fits, and one more drawn by the seed.
      for (const wrong of new Set([wrongTypes[0], wrongTypes[seed++ % wrongTypes.length]])) {
        if (wrong !== undefined) out.push({ keyword: 'type', pointer, body: replaced(wrong) });
      }
    }
    if (typeof node.pattern === 'string') {
      const maxLength = (node.maxLength as number | undefined) ?? 64;
      for (const text of nonMatching(
        node.pattern,
        maxLength,
        typeof value === 'string' ? value : undefined,
        seed++,
        options.perPattern,
      )) {
        out.push({ keyword: 'pattern', pointer, body: withValue(valid, path, text) });
      }
    }
    if (typeof node.maxLength === 'number') {
      out.push({
        keyword: 'maxLength',
        pointer,
        body: withValue(valid, path, 'a'.repeat(node.maxLength + 1)),
      });
    }
    if (typeof node.minProperties === 'number' && node.minProperties > 0) {
      out.push({ keyword: 'minProperties', pointer, body: replaced({}) });
    }
    if (node.properties) {
      const properties = node.properties as Record<string, Json>;
      const object = (value ?? {}) as Json;
      for (const name of (node.required as string[] | undefined) ?? []) {
        if (name in object)
          out.push({
            keyword: 'required',
            pointer: `${pointer}/${escape(name)}`,
            body: withValue(valid, [...path, name], undefined),
          });
      }
      if (node.additionalProperties === false) {
        const [extra] = fc.sample(
          fc
            .stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,11}$/)
            .filter(
              (n) =>
                !(n in properties) &&
                !Object.keys(properties).some((p) => p.toLowerCase() === n.toLowerCase()),
            ),
          { seed: seed++, numRuns: 1 },
        );
        out.push({
          keyword: 'additionalProperties',
          pointer: `${pointer}/${escape(extra!)}`,
          body: withValue(valid, [...path, extra!], 'x'),
        });
      }
      for (const [name, child] of Object.entries(properties)) walk(child, [...path, name], object[name]);
    }
    if (node.items && Array.isArray(value) && value.length > 0) {
      const items = node.items as Json;
      if (typeof node.maxItems === 'number') {
        const many = Array.from({ length: node.maxItems + 1 }, () => structuredClone(value[0]));
        out.push({ keyword: 'maxItems', pointer, body: withValue(valid, path, many) });
      }
      walk(items, [...path, '0'], value[0]);
    }
  };
  walk(schema, [], valid);
  return out;
}

/** Ajv (draft 2020-12, formats) on a schema with `#/components/...` references into `document`. */
export function schemaValidator(document: Json, schema: Json): (value: unknown) => boolean {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const base = 'https://d365-customer-sync.invalid/openapi.json';
  ajv.addSchema({ $id: base, components: document.components });
  const absolute = (node: unknown): unknown =>
    Array.isArray(node)
      ? node.map(absolute)
      : node && typeof node === 'object'
        ? Object.fromEntries(
            Object.entries(node).map(([k, v]) => [
              k,
              k === '$ref' && typeof v === 'string' && v.startsWith('#') ? `${base}${v}` : absolute(v),
            ]),
          )
        : node;
  const validate = ajv.compile(absolute(schema) as Json);
  return (value) => validate(value) as boolean;
}

/** `#/components/schemas/X` resolved in `document`. */
export function resolveSchema(document: Json, schema: Json): Json {
  const ref = schema.$ref as string | undefined;
  if (!ref) return schema;
  return ref
    .slice(2)
    .split('/')
    .reduce<Json>((node, key) => node[key] as Json, document);
}

export interface HeaderVariation {
  header: string;
  value: string;
}

/**
 * Header values each header parameter's schema refuses (`pattern`, `maxLength`, `format: uri`),
 * sendable as they are: visible ASCII, no surrounding white space (which HTTP would strip).
 */
export function headerVariations(
  parameters: Json[],
  options: { seed: number; perHeader: number },
): HeaderVariation[] {
  const sendable = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
  const out: HeaderVariation[] = [];
  let seed = options.seed;
  for (const parameter of parameters) {
    if (parameter.in !== 'header') continue;
    const schema = parameter.schema as Json;
    const validate = new Ajv2020({ strict: false });
    addFormats(validate);
    const check = validate.compile(schema);
    const candidates = fc.oneof(
      fc.string({ minLength: 1, maxLength: 40 }),
      fc.constantFrom(
        '"',
        'a b',
        '::',
        'x'.repeat(((schema.maxLength as number | undefined) ?? 300) + 1),
        'not a url',
        'http://',
      ),
    );
    const values = fc.sample(
      candidates.filter((v) => sendable.test(v) && !check(v)),
      { seed: seed++, numRuns: options.perHeader },
    );
    for (const value of new Set(values)) out.push({ header: parameter.name as string, value });
  }
  return out;
}
