import { CustomerEntity } from './customer-entity';
import { FilterExpression, Literal, Operator } from './odata-filter';

/**
 * Evaluates a parsed `$filter` as F&O's SQL Server does: strings compare case-insensitively and ignore
 * trailing spaces (collation); `*` in an `eq`/`ne` string literal is a wildcard (F&O turns it into LIKE).
 */
const collate = (value: string): string => value.toLowerCase().replace(/ +$/, '');

function wildcardMatches(pattern: string, value: string): boolean {
  const source = collate(pattern)
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 's').test(collate(value));
}

function compare(value: string | number, operator: Operator, literal: Literal): boolean {
  if (literal.kind === 'null') return operator === 'ne';
  if (literal.kind === 'boolean') return false;
  if (literal.kind === 'number') {
    const n = Number(value);
    switch (operator) {
      case 'eq':
        return n === literal.value;
      case 'ne':
        return n !== literal.value;
      case 'gt':
        return n > literal.value;
      case 'ge':
        return n >= literal.value;
      case 'lt':
        return n < literal.value;
      case 'le':
        return n <= literal.value;
    }
  }
  const text = String(value);
  const wanted = literal.value;
  if (operator === 'eq' || operator === 'ne') {
    const equal = wanted.includes('*') ? wildcardMatches(wanted, text) : collate(text) === collate(wanted);
    return operator === 'eq' ? equal : !equal;
  }
  const a = collate(text);
  const b = collate(wanted);
  switch (operator) {
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
  }
}

export function matchesFilter(entity: CustomerEntity, expression: FilterExpression): boolean {
  switch (expression.kind) {
    case 'and':
      return matchesFilter(entity, expression.left) && matchesFilter(entity, expression.right);
    case 'or':
      return matchesFilter(entity, expression.left) || matchesFilter(entity, expression.right);
    case 'not':
      return !matchesFilter(entity, expression.operand);
    case 'compare':
      return compare(entity[expression.field] ?? '', expression.operator, expression.literal);
  }
}
