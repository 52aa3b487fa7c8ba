import fc from 'fast-check';
import { pointerExists } from '../../test/contract/helpers';
import {
  DEFAULT_MAX_DEPTH,
  escapePointerToken,
  hasLoneSurrogate,
  parseJsonBody,
  quotePropertyName,
  toJsonPointer,
} from './json-body';

const nested = (depth: number, open = '[', close = ']'): string =>
  `${open.repeat(depth)}${close.repeat(depth)}`;

describe('parseJsonBody: valid input', () => {
  it('returns the parsed value', () => {
    const text = '{"Customer": {"FirstName": "Alex", "BillingAddress": [{"Street": "x"}]}, "n": 1.5e3}';
    expect(parseJsonBody(text)).toEqual({ ok: true, value: JSON.parse(text) });
  });

  it('ignores a leading byte order mark', () => {
    expect(parseJsonBody('\uFEFF{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
  });

  it('accepts properly paired surrogates (emoji) in names and values', () => {
    expect(parseJsonBody('{"\\ud83d\\ude00": "\\ud83d\\ude00 ok 😀"}')).toEqual({
      ok: true,
      value: { '😀': '😀 ok 😀' },
    });
  });

  it('leaves control characters in values to the schema (escaped tabs and newlines are valid JSON)', () => {
    expect(parseJsonBody('{"a": "x\\ty\\nz"}')).toEqual({ ok: true, value: { a: 'x\ty\nz' } });
  });

  it('accepts exactly maxDepth levels of nesting', () => {
    expect(parseJsonBody(nested(DEFAULT_MAX_DEPTH)).ok).toBe(true);
    expect(parseJsonBody('{"a": {"b": {}}}', { maxDepth: 3 }).ok).toBe(true);
  });

  it('allows the same property name in different objects', () => {
    expect(parseJsonBody('{"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 3}, {"x": 4}]}').ok).toBe(true);
  });
});

describe('parseJsonBody: malformed JSON', () => {
  it.each([
    ['', /empty/],
    ['   \n ', /empty/],
    ['{"a": 1,}', /not valid JSON \(syntax error at line 1, column 9\)/],
    ['{\n  "a": 1\n  "b": 2\n}', /line 3, column 3/],
    ['{"a": "x', /ends before the JSON value is complete/],
    ['[1, 2', /ends before the JSON value is complete/],
    ["{'a': 1}", /not valid JSON/],
    ['undefined', /not valid JSON/],
  ])('%j is refused at the root with a helpful detail', (text, detail) => {
    const result = parseJsonBody(text);
    expect(result).toEqual({ ok: false, pointer: '', detail: expect.stringMatching(detail) });
  });

  it('never echoes the input, even where V8 would quote it', () => {
    for (const text of [
      'secret.person@example.com',
      '{"EmailAddress": "secret.person@example.com" "x"}',
      '{"FirstName": secretname}',
    ]) {
      const result = parseJsonBody(text);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.detail).not.toMatch(/secret/);
        expect(result.detail).not.toMatch(/person/);
      }
    }
  });
});

describe('parseJsonBody: nesting depth', () => {
  it('refuses one level too many, pointing at the container that is too deep', () => {
    expect(parseJsonBody('{"a": {"b": {"c": {}}}}', { maxDepth: 3 })).toEqual({
      ok: false,
      pointer: '/a/b/c',
      detail: 'The request body is nested more than 3 levels deep.',
    });
    expect(parseJsonBody('[1, [2, [3, [4]]]]', { maxDepth: 3 })).toEqual({
      ok: false,
      pointer: '/1/1/1',
      detail: 'The request body is nested more than 3 levels deep.',
    });
  });

  it('refuses 33 levels by default', () => {
    const result = parseJsonBody(nested(33));
    expect(result).toMatchObject({ ok: false, pointer: `/0`.repeat(32) });
  });

  it('handles a hundred thousand levels without overflowing the stack', () => {
    const deepObject = parseJsonBody(`${'{"k":'.repeat(100_000)}1${'}'.repeat(100_000)}`);
    expect(deepObject).toMatchObject({ ok: false, pointer: '/k'.repeat(32) });
    const deepArray = parseJsonBody(nested(100_000));
    expect(deepArray).toMatchObject({ ok: false, detail: expect.stringMatching(/nested more than 32/) });
  });

  it('rejects a maxDepth that is not a positive integer', () => {
    expect(() => parseJsonBody('{}', { maxDepth: 0 })).toThrow(RangeError);
    expect(() => parseJsonBody('{}', { maxDepth: 1.5 })).toThrow(RangeError);
  });
});

describe('parseJsonBody: dangerous property names', () => {
  it.each([
    ['{"__proto__": {"polluted": true}}', '/__proto__'],
    ['{"Customer": {"constructor": {"prototype": {}}}}', '/Customer/constructor'],
    [
      '{"Customer": {"BillingAddress": [{"Street": "x"}, {"prototype": 1}]}}',
      '/Customer/BillingAddress/1/prototype',
    ],
    ['{"\\u005f\\u005fproto\\u005f\\u005f": 1}', '/__proto__'],
    ['[{"a": [{"__proto__": null}]}]', '/0/a/0/__proto__'],
  ])('%s is refused with a pointer to the name', (text, pointer) => {
    const result = parseJsonBody(text);
    expect(result).toEqual({
      ok: false,
      pointer,
      detail: expect.stringMatching(/^The property name ".*" is not allowed\.$/),
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('escapes "~" and "/" in pointers (RFC 6901)', () => {
    expect(parseJsonBody('{"a/b": {"c~d": {"__proto__": 1}}}')).toMatchObject({
      ok: false,
      pointer: '/a~1b/c~0d/__proto__',
    });
  });

  it('refuses a property that appears twice in one object', () => {
    expect(parseJsonBody('{"Customer": {"FirstName": "a", "LastName": "b", "FirstName": "c"}}')).toEqual({
      ok: false,
      pointer: '/Customer/FirstName',
      detail: 'The property "FirstName" appears more than once in the same object.',
    });
    // The same name spelled with an escape is the same name.
    expect(parseJsonBody('{"a": 1, "\\u0061": 2}')).toMatchObject({ ok: false, pointer: '/a' });
  });
});

describe('parseJsonBody: unpaired surrogates', () => {
  it('refuses an escaped lone surrogate in a value, pointing at the value', () => {
    expect(parseJsonBody('{"Customer": {"FirstName": "Al\\ud800ex"}}')).toEqual({
      ok: false,
      pointer: '/Customer/FirstName',
      detail: 'This text contains an invalid character (an unpaired UTF-16 surrogate).',
    });
    expect(parseJsonBody('["ok", "\\udc00"]')).toMatchObject({ ok: false, pointer: '/1' });
    expect(parseJsonBody('"\\ud83d"')).toMatchObject({ ok: false, pointer: '' });
  });

  it('refuses a raw lone surrogate in the text', () => {
    expect(parseJsonBody('{"a": "x\uD800"}')).toMatchObject({ ok: false, pointer: '/a' });
  });

  it('refuses a lone surrogate in a property name, pointing at the object that holds it', () => {
    expect(parseJsonBody('{"Customer": {"\\udfff": 1}}')).toEqual({
      ok: false,
      pointer: '/Customer',
      detail: 'A property name contains an invalid character (an unpaired UTF-16 surrogate).',
    });
  });
});

describe('pointer and text helpers', () => {
  it('builds RFC 6901 pointers', () => {
    expect(toJsonPointer([])).toBe('');
    expect(toJsonPointer(['Customer', 'BillingAddress', 0, 'CountryCode'])).toBe(
      '/Customer/BillingAddress/0/CountryCode',
    );
    expect(escapePointerToken('~/a/~')).toBe('~0~1a~1~0');
    expect(toJsonPointer(['', 'a b'])).toBe('//a b');
  });

  it('detects unpaired surrogates only', () => {
    expect(hasLoneSurrogate('plain ascii')).toBe(false);
    expect(hasLoneSurrogate('😀 王')).toBe(false);
    expect(hasLoneSurrogate('\uD83D')).toBe(true);
    expect(hasLoneSurrogate('a\uDE00b')).toBe(true);
    expect(hasLoneSurrogate('\uDE00\uD83D')).toBe(true);
  });

  it('quotes property names as escaped JSON, at most 64 characters', () => {
    expect(quotePropertyName('Foo')).toBe('"Foo"');
    expect(quotePropertyName('a\n"b"')).toBe('"a\\n\\"b\\""');
    expect(quotePropertyName('x'.repeat(100))).toBe(`"${'x'.repeat(64)}…"`);
  });

  it('never spells out a property name longer than 64 characters in a pointer', () => {
    const long = 'k'.repeat(20_000);
    const parsed = parseJsonBody(`{"Customer":{"${long}":1,"${long}":2}}`);
    expect(parsed).toEqual({
      ok: false,
      pointer: '/Customer',
      detail: `The property "${'k'.repeat(64)}…" appears more than once in the same object.`,
    });
  });
});

describe('parseJsonBody: properties', () => {
  it('agrees with JSON.parse on any JSON value without dangerous names', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value);
        const hasForbidden = /"(__proto__|constructor|prototype)":/.test(text) || hasLoneSurrogate(text);
        const result = parseJsonBody(text);
        if (hasForbidden) expect(result.ok).toBe(false);
        else expect(result).toEqual({ ok: true, value: JSON.parse(text) });
      }),
    );
  });

  it('never throws, and every pointer it reports exists in the parsed document', () => {
    const texts = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.jsonValue({ maxDepth: 8 }).map((value) => JSON.stringify(value)),
      fc
        .tuple(
          fc.jsonValue({ maxDepth: 8 }),
          fc.nat(),
          fc.constantFrom('"__proto__"', '[', '"\\ud800"', '}', '"a"'),
        )
        .map(([value, at, insert]) => {
          const text = JSON.stringify(value);
          const i = at % (text.length + 1);
          return text.slice(0, i) + insert + text.slice(i);
        }),
    );
    fc.assert(
      fc.property(texts, fc.integer({ min: 1, max: 6 }), (text, maxDepth) => {
        const result = parseJsonBody(text, { maxDepth });
        if (result.ok || result.pointer === '') return;
        let document: unknown;
        try {
          document = JSON.parse(text.replace(/^\uFEFF/, ''));
        } catch {
          throw new Error('a non-root pointer was reported for text JSON.parse rejects');
        }
        // Lone-surrogate names point at their parent; everything else at the value or name itself.
        expect(pointerExists(document, result.pointer)).toBe(true);
      }),
    );
  });
});
