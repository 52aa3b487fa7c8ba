/**
 * Where a text stops being JSON (RFC 8259): the offset of the first character that cannot continue
 * it, or the text's length when it ends before its value is complete; -1 when it is JSON.
 *
 * Why not V8's message: since Node 20 `JSON.parse` gives a position for some errors ("Expected ','
 * … at position 9") and none for others ("Unexpected token 'x', "…" is not valid JSON", which also
 * quotes the input). A caller told "line 3, column 12" finds the mistake in any editor; this scanner
 * gives that for every malformed body. Iterative (an explicit stack), so deep nesting cannot
 * overflow it.
 */
export function syntaxErrorOffset(source: string): number {
  const open: string[] = [];
  let i = 0;
  let expect: 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'comma-or-close' | 'end' =
    'value';
  const afterValue = () => (open.length > 0 ? 'comma-or-close' : 'end');
  for (;;) {
    while (i < source.length && ' \t\n\r'.includes(source[i]!)) i++;
    if (i >= source.length) return expect === 'end' ? -1 : i;
    const c = source[i]!;
    if (expect === 'end') return i;
    if (expect === 'colon') {
      if (c !== ':') return i;
      i++;
      expect = 'value';
      continue;
    }
    if (expect === 'comma-or-close' || expect === 'key-or-close' || expect === 'value-or-close') {
      const closer = open.at(-1) === '{' ? '}' : ']';
      if (c === closer) {
        open.pop();
        i++;
        expect = afterValue();
        continue;
      }
      if (expect === 'comma-or-close') {
        if (c !== ',') return i;
        i++;
        expect = open.at(-1) === '{' ? 'key' : 'value';
        continue;
      }
      expect = expect === 'key-or-close' ? 'key' : 'value';
    }
    if (expect === 'key') {
      if (c !== '"') return i;
      const end = stringEnd(source, i);
      if (end < 0) return -end - 1;
      i = end;
      expect = 'colon';
      continue;
    }
    // A value.
    if (c === '{' || c === '[') {
      open.push(c);
      i++;
      expect = c === '{' ? 'key-or-close' : 'value-or-close';
      continue;
    }
    const end = c === '"' ? stringEnd(source, i) : scalarEnd(source, i);
    if (end < 0) return -end - 1;
    i = end;
    expect = afterValue();
  }
}

/** The offset after the string starting at `start` (a `"`), or `-(offset of the error) - 1`. */
function stringEnd(source: string, start: number): number {
  for (let i = start + 1; i < source.length; i++) {
    const code = source.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code < 0x20) return -i - 1;
    if (code === 0x5c) {
      const next = source[i + 1];
      if (next === undefined) return -(i + 1) - 1;
      if (next === 'u') {
        for (let k = i + 2; k < i + 6; k++) {
          if (k >= source.length) return -k - 1;
          if (!/[0-9a-fA-F]/.test(source[k]!)) return -k - 1;
        }
        i += 5;
      } else if ('"\\/bfnrt'.includes(next)) i += 1;
      else return -(i + 1) - 1;
    }
  }
  return -source.length - 1;
}

/** The offset after the literal or number at `start`, or `-(offset of the error) - 1`. */
function scalarEnd(source: string, start: number): number {
  for (const word of ['true', 'false', 'null']) {
    if (source[start] !== word[0]) continue;
    for (let k = 1; k < word.length; k++) if (source[start + k] !== word[k]) return -(start + k) - 1;
    return start + word.length;
  }
  return numberEnd(source, start);
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** A number's end, or its error where V8 finds it: the first character that cannot continue it. */
function numberEnd(source: string, start: number): number {
  let i = start;
  if (source[i] === '-') i++;
  if (source[i] === '0') i++;
  else if (isDigit(source[i])) while (isDigit(source[i])) i++;
  else return -i - 1;
  if (source[i] === '.') {
    i++;
    if (!isDigit(source[i])) return -i - 1;
    while (isDigit(source[i])) i++;
  }
  if (source[i] === 'e' || source[i] === 'E') {
    i++;
    if (source[i] === '+' || source[i] === '-') i++;
    if (!isDigit(source[i])) return -i - 1;
    while (isDigit(source[i])) i++;
  }
  return i;
}
