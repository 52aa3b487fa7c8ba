/**
 * The inline constraints of ASP.NET Core route templates (`{id:int}`, `{n:range(1,9)}`, ...), as the
 * Functions host matches them: https://learn.microsoft.com/aspnet/core/fundamentals/routing#route-constraints
 */

export interface Constraint {
  name: string;
  args: string[];
}

const KNOWN_CONSTRAINTS = new Set([
  'int',
  'long',
  'bool',
  'guid',
  'alpha',
  'decimal',
  'double',
  'float',
  'datetime',
  'minlength',
  'maxlength',
  'length',
  'min',
  'max',
  'range',
  'regex',
  'required',
]);

export function isKnownConstraint(name: string): boolean {
  return KNOWN_CONSTRAINTS.has(name);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function toBigInt(value: string): bigint | undefined {
  return /^[+-]?\d+$/.test(value) ? BigInt(value) : undefined;
}

/** Whether a route value passes one constraint. */
export function satisfies(constraint: Constraint, value: string): boolean {
  const [a = '', b = ''] = constraint.args;
  switch (constraint.name) {
    case 'int': {
      const n = toBigInt(value);
      return n !== undefined && n >= -(2n ** 31n) && n <= 2n ** 31n - 1n;
    }
    case 'long': {
      const n = toBigInt(value);
      return n !== undefined && n >= INT64_MIN && n <= INT64_MAX;
    }
    case 'bool':
      return /^(true|false)$/i.test(value);
    case 'guid':
      return /^(\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}|\([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/i.test(
        value,
      );
    case 'alpha':
      return /^[a-z]+$/i.test(value);
    case 'decimal':
      return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(value);
    case 'double':
    case 'float':
      return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value) && Number.isFinite(Number(value));
    case 'datetime':
      return value.trim() !== '' && !Number.isNaN(Date.parse(value));
    case 'minlength':
      return value.length >= Number(a);
    case 'maxlength':
      return value.length <= Number(a);
    case 'length':
      return constraint.args.length > 1
        ? value.length >= Number(a) && value.length <= Number(b)
        : value.length === Number(a);
    case 'min':
    case 'max':
    case 'range': {
      const n = toBigInt(value);
      if (n === undefined) return false;
      if (constraint.name === 'min') return n >= BigInt(a);
      if (constraint.name === 'max') return n <= BigInt(a);
      return n >= BigInt(a) && n <= BigInt(b);
    }
    case 'regex':
      return new RegExp(a, 'i').test(value);
    case 'required':
      return value !== '';
    default:
      return false;
  }
}
