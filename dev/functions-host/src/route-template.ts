// Hand-written: no npm package implements ASP.NET Core route templates (constraints, `{p=default}`, precedence); path-to-regexp has Express's syntax.
import { Constraint, isKnownConstraint, satisfies } from './route-constraints';

/**
 * ASP.NET Core route templates as the Functions host uses them for HTTP triggers:
 * literal segments (matched case-insensitively), `{name}`, `{name?}`, `{name=default}`,
 * `{name:constraint(args)}` (int, long, bool, guid, alpha, decimal, double, float, datetime,
 * minlength, maxlength, length, min, max, range, regex, required), catch-all `{*rest}` / `{**rest}`
 * in the last segment, and segments mixing literals and parameters such as `{name}.{ext}`.
 */

interface ParameterPart {
  kind: 'parameter';
  name: string;
  optional: boolean;
  catchAll: boolean;
  defaultValue?: string;
  constraints: Constraint[];
}

interface LiteralPart {
  kind: 'literal';
  text: string;
}

type Part = ParameterPart | LiteralPart;

interface Segment {
  parts: Part[];
}

export interface RouteTemplate {
  template: string;
  segments: Segment[];
  /** Lower is more specific (ASP.NET's inbound route precedence). */
  precedence: number;
}

/** A route template that does not parse; keeps the template. */
export class RouteTemplateError extends Error {
  override readonly name = 'RouteTemplateError';
  constructor(
    message: string,
    readonly template: string,
  ) {
    super(message);
  }
}

function parseParameter(body: string, template: string): ParameterPart {
  let text = body;
  let catchAll = false;
  if (text.startsWith('**')) {
    catchAll = true;
    text = text.slice(2);
  } else if (text.startsWith('*')) {
    catchAll = true;
    text = text.slice(1);
  }
  let defaultValue: string | undefined;
  let optional = false;
  // The default value or `?` follow the constraints; a regex constraint may contain `=` or `?`,
  // so read the constraints first.
  const nameMatch = /^[^:=?]+/.exec(text);
  if (!nameMatch)
    throw new RouteTemplateError(`Route "${template}": a parameter in "{${body}}" has no name`, template);
  const name = nameMatch[0].trim();
  let rest = text.slice(nameMatch[0].length);
  const constraints: Constraint[] = [];
  while (rest.startsWith(':')) {
    const constraintMatch = /^:([A-Za-z]+)/.exec(rest);
    if (!constraintMatch)
      throw new RouteTemplateError(`Route "${template}": invalid constraint in "{${body}}"`, template);
    const constraintName = (constraintMatch[1] as string).toLowerCase();
    rest = rest.slice(constraintMatch[0].length);
    let args: string[] = [];
    if (rest.startsWith('(')) {
      // Arguments run to the matching `)` (a regex argument may contain parentheses).
      let depth = 0;
      let end = -1;
      for (let i = 0; i < rest.length; i++) {
        if (rest[i] === '\\') {
          i++;
        } else if (rest[i] === '(') {
          depth++;
        } else if (rest[i] === ')' && --depth === 0) {
          end = i;
          break;
        }
      }
      if (end < 0) throw new RouteTemplateError(`Route "${template}": unclosed "(" in "{${body}}"`, template);
      const inner = rest.slice(1, end);
      args = constraintName === 'regex' ? [inner] : inner.split(',').map((a) => a.trim());
      rest = rest.slice(end + 1);
    }
    if (!isKnownConstraint(constraintName)) {
      throw new RouteTemplateError(
        `Route "${template}": the constraint reference '${constraintName}' could not be resolved`,
        template,
      );
    }
    constraints.push({ name: constraintName, args });
  }
  if (rest.startsWith('=')) {
    defaultValue = rest.slice(1);
    rest = '';
  } else if (rest === '?') {
    optional = true;
    rest = '';
  }
  if (rest !== '') throw new RouteTemplateError(`Route "${template}": cannot parse "{${body}}"`, template);
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw new RouteTemplateError(`Route "${template}": invalid parameter name "${name}"`, template);
  }
  if (catchAll && optional) {
    throw new RouteTemplateError(
      `Route "${template}": a catch-all parameter cannot be marked optional`,
      template,
    );
  }
  return { kind: 'parameter', name, optional, catchAll, defaultValue, constraints };
}

function parseSegment(text: string, template: string): Segment {
  const parts: Part[] = [];
  let literal = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '{' && text[i + 1] === '{') {
      literal += '{';
      i++;
    } else if (char === '}' && text[i + 1] === '}') {
      literal += '}';
      i++;
    } else if (char === '{') {
      // The parameter runs to the next single "}"; "{{" and "}}" inside it (e.g. in a regex) are escapes.
      let body = '';
      let j = i + 1;
      for (; j < text.length; j++) {
        if ((text[j] === '}' || text[j] === '{') && text[j + 1] === text[j]) {
          body += text[j];
          j++;
        } else if (text[j] === '}') {
          break;
        } else {
          body += text[j];
        }
      }
      if (j >= text.length) throw new RouteTemplateError(`Route "${template}": unclosed "{"`, template);
      if (literal) parts.push({ kind: 'literal', text: literal });
      literal = '';
      parts.push(parseParameter(body, template));
      i = j;
    } else if (char === '}') {
      throw new RouteTemplateError(`Route "${template}": unmatched "}"`, template);
    } else {
      literal += char;
    }
  }
  if (literal) parts.push({ kind: 'literal', text: literal });
  return { parts };
}

function segmentPrecedence(segment: Segment): number {
  const [only] = segment.parts;
  if (segment.parts.length > 1) return 2;
  if (!only || only.kind === 'literal') return 1;
  if (only.catchAll) return 5;
  return only.constraints.length > 0 ? 3 : 4;
}

/** Parses a route template; throws RouteTemplateError with the template in the message. */
export function parseRouteTemplate(template: string): RouteTemplate {
  const trimmed = template.replace(/^[~/]+/, '').replace(/\/+$/, '');
  const segments = trimmed === '' ? [] : trimmed.split('/').map((text) => parseSegment(text, template));
  const names = new Set<string>();
  segments.forEach((segment, index) => {
    if (segment.parts.length === 0)
      throw new RouteTemplateError(`Route "${template}": empty segment`, template);
    segment.parts.forEach((part, partIndex) => {
      if (part.kind !== 'parameter') return;
      const lower = part.name.toLowerCase();
      if (names.has(lower))
        throw new RouteTemplateError(`Route "${template}": parameter "${part.name}" appears twice`, template);
      names.add(lower);
      if (part.catchAll && (index !== segments.length - 1 || segment.parts.length > 1)) {
        throw new RouteTemplateError(
          `Route "${template}": a catch-all parameter must be the whole last segment`,
          template,
        );
      }
      const previous = segment.parts[partIndex - 1];
      if (previous?.kind === 'parameter') {
        throw new RouteTemplateError(
          `Route "${template}": parameters in one segment must be separated by a literal`,
          template,
        );
      }
      if (part.optional && segment.parts.length > 1 && partIndex !== segment.parts.length - 1) {
        throw new RouteTemplateError(
          `Route "${template}": an optional parameter must end its segment`,
          template,
        );
      }
    });
  });
  // An optional parameter (or one with a default) can only be followed by other optional ones.
  let sawOptional = false;
  for (const segment of segments) {
    const only = segment.parts.length === 1 ? segment.parts[0] : undefined;
    const canBeOmitted =
      only?.kind === 'parameter' && (only.optional || only.defaultValue !== undefined || only.catchAll);
    if (sawOptional && !canBeOmitted) {
      throw new RouteTemplateError(
        `Route "${template}": an optional parameter must be at the end of the route`,
        template,
      );
    }
    if (canBeOmitted) sawOptional = true;
  }
  const precedence = segments.reduce((sum, segment, i) => sum + segmentPrecedence(segment) / 10 ** i, 0);
  return { template: trimmed, segments, precedence };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Decodes a path segment like ASP.NET Core: percent-escapes are decoded except `%2F`. */
function decodeSegment(raw: string): string | undefined {
  try {
    return raw
      .split(/%2F/i)
      .map((piece) => decodeURIComponent(piece))
      .join('%2F');
  } catch {
    return undefined;
  }
}

function matchSegment(segment: Segment, value: string, values: Record<string, string>): boolean {
  const [only] = segment.parts;
  if (segment.parts.length === 1 && only) {
    if (only.kind === 'literal') return only.text.toLowerCase() === value.toLowerCase();
    if (value === '' || !only.constraints.every((c) => satisfies(c, value))) return false;
    values[only.name] = value;
    return true;
  }
  // A complex segment such as `{name}.{ext}` or `file-{id?}`.
  const pattern = segment.parts
    .map((part) => (part.kind === 'literal' ? escapeRegExp(part.text) : part.optional ? '(.*)' : '(.+)'))
    .join('');
  const match = new RegExp(`^${pattern}$`, 'i').exec(value);
  if (!match) return false;
  let group = 1;
  for (const part of segment.parts) {
    if (part.kind !== 'parameter') continue;
    const captured = match[group++] ?? '';
    if (captured === '') {
      if (!part.optional) return false;
      continue;
    }
    if (!part.constraints.every((c) => satisfies(c, captured))) return false;
    values[part.name] = captured;
  }
  return true;
}

/**
 * Matches a request path (relative to the route prefix, still percent-encoded, without query)
 * against a template. Returns the route values (decoded strings; omitted optional parameters
 * without a default are absent), or undefined when the path does not match.
 */
export function matchRoute(route: RouteTemplate, rawPath: string): Record<string, string> | undefined {
  const trimmed = rawPath.replace(/^\/+/, '').replace(/\/$/, '');
  const rawSegments = trimmed === '' ? [] : trimmed.split('/');
  const values: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const segment = route.segments[i] as Segment;
    const only = segment.parts.length === 1 ? segment.parts[0] : undefined;
    if (only?.kind === 'parameter' && only.catchAll) {
      const rest = rawSegments.slice(i).map(decodeSegment);
      if (rest.some((s) => s === undefined)) return undefined;
      const value = rest.join('/');
      if (value !== '') {
        if (!only.constraints.every((c) => satisfies(c, value))) return undefined;
        values[only.name] = value;
      } else if (only.defaultValue !== undefined) {
        values[only.name] = only.defaultValue;
      }
      return values;
    }
    const raw = rawSegments[i];
    if (raw === undefined) {
      // Path is shorter than the template: the rest must be optional or have defaults.
      if (only?.kind !== 'parameter' || (!only.optional && only.defaultValue === undefined)) return undefined;
      if (only.defaultValue !== undefined) values[only.name] = only.defaultValue;
      continue;
    }
    const decoded = decodeSegment(raw);
    if (decoded === undefined || !matchSegment(segment, decoded, values)) return undefined;
  }
  return rawSegments.length > route.segments.length ? undefined : values;
}
