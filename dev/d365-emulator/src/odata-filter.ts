// Hand-written, not an OData parser library: it must accept only F&O's subset and fail with F&O's own error texts.
import { ENTITY_FIELDS, ENTITY_TYPE, EntityFieldType } from './customer-entity';

/**
 * `$filter` for the emulated CustomersV3, as F&O evaluates it against SQL Server: comparisons
 * (`eq ne gt ge lt le`) of a field with a literal, combined with `and`, `or`, `not` and parentheses.
 * Strings compare case-insensitively and ignore trailing spaces (SQL collation); `*` inside an `eq`/`ne`
 * string literal is a wildcard (F&O turns it into LIKE). String literals double their single quotes.
 * Functions (`contains`, `startswith`, ...) are rejected with 400, as F&O has been seen to do.
 */
export class ODataQueryError extends Error {
  override readonly name = 'ODataQueryError';

  constructor(
    message: string,
    /** The query option at fault (`$filter`, `$select`, ...). */
    readonly option = '$filter',
  ) {
    super(message);
  }
}

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'enum'; type: string; value: string };

export type Operator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type FilterExpression =
  | { kind: 'and' | 'or'; left: FilterExpression; right: FilterExpression }
  | { kind: 'not'; operand: FilterExpression }
  | { kind: 'compare'; field: string; operator: Operator; literal: Literal };

type Token =
  | { kind: 'ident'; text: string; at: number }
  | { kind: 'string'; text: string; at: number }
  | { kind: 'number'; text: string; at: number }
  | { kind: 'enum'; type: string; text: string; at: number }
  | { kind: 'punct'; text: '(' | ')' | ','; at: number };

const OPERATORS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const OPERATOR_KINDS: Record<Operator, string> = {
  eq: 'Equal',
  ne: 'NotEqual',
  gt: 'GreaterThan',
  ge: 'GreaterThanOrEqual',
  lt: 'LessThan',
  le: 'LessThanOrEqual',
};
const REVERSED: Record<Operator, Operator> = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' };

function syntaxError(text: string, at: number): ODataQueryError {
  return new ODataQueryError(`Syntax error at position ${at + 1} in '${text}'.`);
}

function readQuoted(text: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  for (;;) {
    if (i >= text.length)
      throw new ODataQueryError(
        `There is an unterminated string literal at position ${start + 1} in '${text}'.`,
      );
    const ch = text[i];
    if (ch === "'") {
      if (text[i + 1] === "'") {
        value += "'";
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    value += ch;
    i += 1;
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: 'punct', text: ch, at: i });
      i += 1;
    } else if (ch === "'") {
      const { value, end } = readQuoted(text, i);
      tokens.push({ kind: 'string', text: value, at: i });
      i = end;
    } else if (/[-\d]/.test(ch)) {
      const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?[mMdDfFlL]?/.exec(text.slice(i));
      if (!match) throw syntaxError(text, i);
      tokens.push({ kind: 'number', text: match[0].replace(/[mMdDfFlL]$/, ''), at: i });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i)) as RegExpExecArray;
      const word = match[0];
      if (text[i + word.length] === "'") {
        const { value, end } = readQuoted(text, i + word.length);
        tokens.push({ kind: 'enum', type: word, text: value, at: i });
        i = end;
      } else {
        tokens.push({ kind: 'ident', text: word, at: i });
        i += word.length;
      }
    } else {
      throw syntaxError(text, i);
    }
  }
  return tokens;
}

/** The entity type a `$filter` is checked against: its fields and their OData types. */
export interface FilterEntity {
  fields: Record<string, EntityFieldType>;
  type: string;
}

const CUSTOMERS_V3: FilterEntity = { fields: ENTITY_FIELDS, type: ENTITY_TYPE };

/**
 * Parses a `$filter` value (already percent-decoded); unknown properties and functions are errors.
 * `entity`: the entity set's type (default CustomersV3; CustomerPostalAddresses passes its own).
 */
export function parseFilter(text: string, entity: FilterEntity = CUSTOMERS_V3): FilterExpression {
  const tokens = tokenize(text);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const isWord = (token: Token | undefined, word: string): boolean =>
    token?.kind === 'ident' && token.text === word;
  const end = (): number => tokens[position]?.at ?? text.length;

  const parseOperand = (): { field: string } | { literal: Literal } => {
    const token = peek();
    if (!token) throw syntaxError(text, text.length);
    position += 1;
    switch (token.kind) {
      case 'string':
        return { literal: { kind: 'string', value: token.text } };
      case 'number':
        return { literal: { kind: 'number', value: Number(token.text) } };
      case 'enum':
        return { literal: { kind: 'enum', type: token.type, value: token.text } };
      case 'punct':
        throw syntaxError(text, token.at);
      case 'ident': {
        if (token.text === 'true' || token.text === 'false')
          return { literal: { kind: 'boolean', value: token.text === 'true' } };
        if (token.text === 'null') return { literal: { kind: 'null' } };
        const next = peek();
        if (next?.kind === 'punct' && next.text === '(') {
          throw new ODataQueryError(
            `An unknown function with name '${token.text}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.`,
          );
        }
        if (!(token.text in entity.fields)) {
          throw new ODataQueryError(
            `Could not find a property named '${token.text}' on type '${entity.type}'.`,
          );
        }
        return { field: token.text };
      }
    }
  };

  const parseComparison = (): FilterExpression => {
    const left = parseOperand();
    const opToken = peek();
    if (opToken?.kind !== 'ident' || !OPERATORS.has(opToken.text)) throw syntaxError(text, end());
    position += 1;
    const operator = opToken.text as Operator;
    const right = parseOperand();
    if ('field' in left && 'literal' in right)
      return { kind: 'compare', field: left.field, operator, literal: right.literal };
    if ('literal' in left && 'field' in right) {
      return { kind: 'compare', field: right.field, operator: REVERSED[operator], literal: left.literal };
    }
    throw new ODataQueryError(
      `Only comparisons of a property with a literal are supported, at position ${opToken.at + 1}.`,
    );
  };

  const parsePrimary = (): FilterExpression => {
    const token = peek();
    if (token?.kind === 'punct' && token.text === '(') {
      position += 1;
      const inner = parseOr();
      const close = peek();
      if (close?.kind !== 'punct' || close.text !== ')') throw syntaxError(text, end());
      position += 1;
      return inner;
    }
    if (isWord(token, 'not')) {
      position += 1;
      return { kind: 'not', operand: parsePrimary() };
    }
    return parseComparison();
  };

  const parseAnd = (): FilterExpression => {
    let left = parsePrimary();
    while (isWord(peek(), 'and')) {
      position += 1;
      left = { kind: 'and', left, right: parsePrimary() };
    }
    return left;
  };

  function parseOr(): FilterExpression {
    let left = parseAnd();
    while (isWord(peek(), 'or')) {
      position += 1;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  }

  if (tokens.length === 0) throw new ODataQueryError('The $filter query option must not be empty.');
  const expression = parseOr();
  if (position < tokens.length) throw syntaxError(text, end());
  checkTypes(expression, entity.fields);
  return expression;
}

function edmType(type: EntityFieldType): string {
  if (type === 'string') return 'Edm.String';
  if (type === 'decimal') return 'Edm.Decimal';
  return type.enum;
}

function literalType(literal: Literal): string {
  switch (literal.kind) {
    case 'string':
      return 'Edm.String';
    case 'number':
      return Number.isInteger(literal.value) ? 'Edm.Int32' : 'Edm.Decimal';
    case 'boolean':
      return 'Edm.Boolean';
    case 'null':
      return 'null';
    case 'enum':
      return literal.type;
  }
}

function compatible(type: EntityFieldType, literal: Literal): boolean {
  if (literal.kind === 'null') return true;
  if (type === 'string') return literal.kind === 'string';
  if (type === 'decimal') return literal.kind === 'number';
  if (literal.kind === 'string') return true;
  return literal.kind === 'enum' && (literal.type === type.enum || type.enum.endsWith(`.${literal.type}`));
}

function checkTypes(expression: FilterExpression, fields: Record<string, EntityFieldType>): void {
  if (expression.kind === 'and' || expression.kind === 'or') {
    checkTypes(expression.left, fields);
    checkTypes(expression.right, fields);
  } else if (expression.kind === 'not') {
    checkTypes(expression.operand, fields);
  } else if (expression.kind === 'compare') {
    const type = fields[expression.field] as EntityFieldType;
    if (!compatible(type, expression.literal)) {
      throw new ODataQueryError(
        `A binary operator with incompatible types was detected. Found operand types '${edmType(type)}' and '${literalType(expression.literal)}' for operator kind '${OPERATOR_KINDS[expression.operator]}'.`,
      );
    }
  }
}
