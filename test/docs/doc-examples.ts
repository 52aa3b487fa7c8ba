import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The shell examples of the Markdown documentation, read the way a reader reads them: each fenced
 * `bash` block that talks to the local stack, split into commands and the output shown under each
 * (`# ` lines right after a command, up to a blank line; comments after a blank line explain).
 */
export interface DocExample {
  file: string;
  line: number;
  /** The heading the example sits under (without the #s). */
  section: string;
  steps: { command: string; expected: string[] }[];
}

/** The local stack's addresses as the documentation writes them. */
export const DOC_HOST_URL = 'http://localhost:7071';
export const DOC_EMULATOR_URL = 'https://127.0.0.1:7443';
export const DOC_EMULATOR_CA = '.local/emulator/ca.pem';

/** The commands that try the local stack without naming its URL (README "Try everything locally"). */
const TRY_COMMANDS = /^(npm run (callbacks|webhook)\b|npx newman run )/m;

/** The README section whose examples run on a real `npm start` (test/docs/try-everything.test.ts). */
export const TRY_SECTION = 'Try everything locally: callbacks, webhooks, Postman';

export function docExamples(root: string, files: string[]): DocExample[] {
  const examples: DocExample[] = [];
  for (const file of files) {
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    let section = '';
    for (let i = 0; i < lines.length; i += 1) {
      const heading = /^#{1,6} (.*)$/.exec(lines[i]!);
      if (heading) section = heading[1]!.trim();
      if (lines[i]!.trim() !== '```bash') continue;
      const start = i + 1;
      let end = start;
      while (end < lines.length && lines[end]!.trim() !== '```') end += 1;
      const body = lines.slice(start, end);
      i = end;
      const text = body.join('\n');
      if (!text.includes(DOC_HOST_URL) && !text.includes(DOC_EMULATOR_URL) && !TRY_COMMANDS.test(text))
        continue;
      examples.push({ file, line: start, section, steps: splitSteps(body) });
    }
  }
  return examples;
}

function splitSteps(lines: string[]): DocExample['steps'] {
  const steps: DocExample['steps'] = [];
  let command: string[] = [];
  let expected: string[] | undefined;
  const flush = (): void => {
    if (command.length > 0) steps.push({ command: command.join('\n'), expected: expected ?? [] });
    command = [];
    expected = undefined;
  };
  for (const line of lines) {
    const comment = /^#( |$)/.test(line);
    if (line.trim() === '') {
      flush();
    } else if (comment) {
      // Output shown under a command; a comment before any command only explains.
      if (command.length > 0) (expected ??= []).push(line.replace(/^# ?/, ''));
    } else {
      if (expected !== undefined) flush();
      command.push(line);
    }
  }
  flush();
  return steps;
}

export interface ParsedOutput {
  statusLine?: string;
  headers: Record<string, string>;
  body: string;
}

/** Output without the lines npm prints before running a script (`> pkg@1.0.0 name`, `> command`). */
export function withoutNpmBanner(output: string): string {
  return output.replace(/^(\s*\n)*(> [^\n]*\n)+\s*\n?/, '');
}

/** curl's output: with `-i` a status line and headers, then the body. */
export function parseCurlOutput(output: string): ParsedOutput {
  output = withoutNpmBanner(output);
  if (!output.startsWith('HTTP/')) return { headers: {}, body: output.trim() };
  const split = output.search(/\r?\n\r?\n/);
  const head = (split < 0 ? output : output.slice(0, split)).split(/\r?\n/);
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    statusLine: head[0]!.trim(),
    headers,
    body: split < 0 ? '' : output.slice(split).trim(),
  };
}

/**
 * What the shown output promises, as a list of mismatches (empty when the actual output keeps every
 * promise): the status line exactly; each header shown (a value ending in `…` by its beginning);
 * each `"field": value` of the body shown (a `…` value only by its beginning, `"…"` only that the
 * field is there).
 */
export function compareOutput(expected: string[], actual: ParsedOutput): string[] {
  const problems: string[] = [];
  let rest = [...expected];
  if (rest[0]?.startsWith('HTTP/')) {
    if (actual.statusLine !== rest[0].trim())
      problems.push(`status line: shown "${rest[0]}", got "${actual.statusLine ?? '(none)'}"`);
    rest = rest.slice(1);
  }
  while (rest.length > 0 && /^[A-Za-z][A-Za-z0-9-]*: /.test(rest[0]!)) {
    const line = rest.shift()!;
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const got = actual.headers[name];
    if (got === undefined) problems.push(`header ${name}: shown, but not sent`);
    else if (value.includes('…') ? !got.startsWith(value.slice(0, value.indexOf('…'))) : got !== value)
      problems.push(`header ${name}: shown "${value}", got "${got}"`);
  }
  const shownBody = rest.join('\n').trim();
  if (shownBody === '') return problems;
  // Output that is no JSON document (a command's lines, a table): each line shown, in order.
  if (!/^[[{]/.test(shownBody)) return [...problems, ...compareLines(rest, actual.body)];
  let compact: string;
  try {
    compact = JSON.stringify(JSON.parse(actual.body));
  } catch {
    return [...problems, `body: shown JSON, got ${JSON.stringify(actual.body.slice(0, 200))}`];
  }
  const pairs = shownBody.matchAll(/"([^"]+)"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null)/g);
  let count = 0;
  for (const [, key, value] of pairs) {
    count += 1;
    const ellipsis = value!.indexOf('…');
    const promise = ellipsis < 0 ? `"${key}":${value}` : `"${key}":${value!.slice(0, ellipsis)}`;
    if (!compact.includes(promise))
      problems.push(`body: shown ${key}: ${value}, got ${compact.slice(0, 600)}`);
  }
  if (count === 0) problems.push(`body: no field shown in ${shownBody}`);
  return problems;
}

/**
 * Each line shown must be one of the output's lines, in order: whitespace runs count as one space
 * (tables), and `…` stands for anything (each part between them must come in order).
 */
export function compareLines(expected: string[], output: string): string[] {
  const normalize = (line: string): string => line.replace(/\s+/g, ' ').trim();
  const actual = output.split('\n').map(normalize);
  const matches = (shown: string, line: string): boolean => {
    let from = 0;
    for (const part of shown.split('…')) {
      const at = line.indexOf(part, from);
      if (at < 0) return false;
      from = at + part.length;
    }
    return true;
  };
  const problems: string[] = [];
  let next = 0;
  for (const raw of expected.filter((l) => l.trim() !== '')) {
    const shown = normalize(raw);
    const found = actual.findIndex((line, i) => i >= next && matches(shown, line));
    if (found < 0)
      problems.push(`line not printed: "${raw}" (output: ${JSON.stringify(output.slice(0, 600))})`);
    else next = found + 1;
  }
  return problems;
}
