import fc from 'fast-check';
import { parseJsonBody } from './json-body';
import { syntaxErrorOffset } from './json-syntax';

describe('syntaxErrorOffset: where a text stops being JSON', () => {
  it.each([
    // V8 names no position for these ("Unexpected token 'x', … is not valid JSON").
    ['{"a": x}', 6],
    ['{"a":tru}', 8],
    ['{"FirstName": secretname}', 14],
    ["{'a': 1}", 1],
    ['undefined', 0],
    ['{"a": -}', 7],
    // …and V8 does for these; the same offsets.
    ['{"a":1,}', 7],
    ['{"a" 1}', 5],
    ['[1 2]', 3],
    ['{"a":1}}', 7],
    ['{\n  "a": 01\n}', 10],
    ['{"a":"b\n"}', 7],
    ['{"a":"\\x"}', 7],
    ['{"a":"\\u12G4"}', 10],
  ])('%j: at %i', (text, offset) => {
    expect(syntaxErrorOffset(text)).toBe(offset);
  });

  it.each([['{"a": "x'], ['[1, 2'], ['{"a"'], ['{"a":'], ['-'], ['{"a":"\\u12']])(
    '%j ends before its value is complete: its length',
    (text) => {
      expect(syntaxErrorOffset(text)).toBe(text.length);
    },
  );

  it('finds nothing in JSON, however it is spaced or nested', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, spaced) => {
        expect(syntaxErrorOffset(JSON.stringify(value, null, spaced ? 2 : undefined))).toBe(-1);
      }),
    );
    expect(syntaxErrorOffset('['.repeat(100_000) + ']'.repeat(100_000))).toBe(-1);
  });

  it('agrees with V8 wherever V8 gives a position (one character of JSON changed)', () => {
    let compared = 0;
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 3 }),
        fc.nat(),
        fc.constantFrom('}', ']', ',', ':', '"', 'x', '0', ' ', '\n', '{', '['),
        (value, at, replacement) => {
          const json = JSON.stringify(value, null, 1);
          const index = at % json.length;
          const text = json.slice(0, index) + replacement + json.slice(index + 1);
          let position: number | undefined;
          try {
            JSON.parse(text);
            return;
          } catch (error) {
            const found = /at position (\d+)/.exec((error as Error).message);
            if (!found) return;
            position = Number(found[1]);
          }
          compared += 1;
          expect(syntaxErrorOffset(text)).toBe(position);
        },
      ),
      { numRuns: 500 },
    );
    expect(compared).toBeGreaterThan(100);
  });
});

describe('parseJsonBody: malformed JSON answered with its line and column', () => {
  it.each([
    ['{\n  "Customer": {\n    "FirstName": Jane\n  }\n}', 'line 3, column 18'],
    ['{"Customer": {"FirstName": "Jane",}}', 'line 1, column 35'],
    ['{"Customer": tru}', 'line 1, column 17'],
  ])('%j: %s, with nothing of the input quoted', (text, where) => {
    const result = parseJsonBody(text);
    expect(result).toEqual({
      ok: false,
      pointer: '',
      detail: `The request body is not valid JSON (syntax error at ${where}).`,
    });
  });
});
