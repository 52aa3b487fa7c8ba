import { GraphQLError } from 'graphql';
import {
  digestOf,
  gid,
  MetafieldDefinition,
  nextId,
  ShopifyApp,
  ShopifyCustomer,
  ShopifyMetafield,
  ShopifyShop,
} from './shopify-store';

/**
 * `metafieldsSet` and `metafieldDefinitionCreate`, and the views of metafields and definitions.
 * Behaviour and sources: see shopify-resolvers.ts.
 */
export interface ResolverContext {
  shop: ShopifyShop;
  app: ShopifyApp;
  /** Customers the request changed: each gets one `customers/update` once the answer is out. */
  changed: Set<ShopifyCustomer>;
  /** The API version of the request (`YYYY-MM`), where a field depends on it (bulk operations). */
  version?: string;
  /** The origin the app reached the emulator at, for URLs in answers (a bulk operation's `url`). */
  origin?: string;
  /** A bulk query's run (shopify-bulk.ts): connections list every item, without `first`/`last`. */
  bulk?: boolean;
}

const MAX_METAFIELDS = 25;
const SINGLE_LINE_MAX = 255;
const TYPES = new Set([
  'single_line_text_field',
  'multi_line_text_field',
  'number_integer',
  'boolean',
  'json',
  'id',
]);
const UNIQUE_TYPES = new Set(['single_line_text_field', 'number_integer', 'id']);

export function requireScope(ctx: ResolverContext, scope: string, field: string): void {
  const write = scope.replace('read_', 'write_');
  if (ctx.app.scopes.has(scope) || ctx.app.scopes.has(write)) return;
  throw new GraphQLError(`Access denied for ${field} field. Required access: \`${scope}\` access scope.`, {
    extensions: { code: 'ACCESS_DENIED', documentation: 'https://shopify.dev/api/usage/access-scopes' },
  });
}

export const customerIdOf = (value: unknown): string | undefined =>
  typeof value === 'string' ? /^gid:\/\/shopify\/Customer\/(\d{1,20})$/.exec(value)?.[1] : undefined;

export function definitionOf(
  ctx: ResolverContext,
  namespace: string,
  key: string,
): MetafieldDefinition | undefined {
  return ctx.shop.definitions.find(
    (d) => d.ownerType === 'CUSTOMER' && d.namespace === namespace && d.key === key,
  );
}

export function definitionView(d: MetafieldDefinition) {
  return {
    ...d,
    id: gid('MetafieldDefinition', d.id),
    type: { name: d.type },
    capabilities: { uniqueValues: { enabled: d.uniqueValues } },
  };
}

export function metafieldView(ctx: ResolverContext, mf: ShopifyMetafield) {
  const definition = definitionOf(ctx, mf.namespace, mf.key);
  return {
    ...mf,
    id: gid('Metafield', mf.id),
    compareDigest: digestOf(mf),
    ownerType: 'CUSTOMER',
    definition: definition ? definitionView(definition) : null,
  };
}

/** `$app` and a missing namespace are the calling app's reserved namespace. */
export const resolveNamespace = (ctx: ResolverContext, namespace: string | null | undefined): string =>
  !namespace || namespace === '$app'
    ? `app--${ctx.app.id}`
    : namespace.replace(/^\$app:/, `app--${ctx.app.id}--`);

export interface SetInput {
  ownerId: string;
  namespace?: string | null;
  key: string;
  value: string;
  type?: string | null;
  compareDigest?: string | null;
}

type UserError = { code: string; elementIndex: number; field: string[]; message: string };

function checkSetInput(
  ctx: ResolverContext,
  input: SetInput,
  index: number,
  staged: Map<string, string>,
): UserError | undefined {
  const error = (code: string, field: string, message: string): UserError => ({
    code,
    elementIndex: index,
    field: ['metafields', String(index), field],
    message,
  });
  const ownerId = customerIdOf(input.ownerId);
  const owner = ownerId ? ctx.shop.customers.get(ownerId) : undefined;
  if (!owner) return error('INVALID', 'ownerId', 'Owner does not exist.');
  const namespace = resolveNamespace(ctx, input.namespace);
  if (!/^[A-Za-z0-9_-]{3,255}$/.test(namespace))
    return error(namespace.length < 3 ? 'TOO_SHORT' : 'INVALID', 'namespace', 'Namespace is invalid.');
  if (!/^[A-Za-z0-9_-]{2,64}$/.test(input.key))
    return error(input.key.length < 2 ? 'TOO_SHORT' : 'INVALID', 'key', 'Key is invalid.');
  const definition = definitionOf(ctx, namespace, input.key);
  const type = input.type ?? definition?.type;
  if (!type) return error('BLANK', 'type', "Type can't be blank.");
  if (!TYPES.has(type)) return error('INVALID_TYPE', 'type', `Type '${type}' is not a valid metafield type.`);
  if (definition && definition.type !== type)
    return error('INVALID_TYPE', 'type', 'Type must be the same as the definition type.');
  if (
    (type === 'single_line_text_field' || type === 'id') &&
    (/[\r\n]/.test(input.value) || input.value.length > SINGLE_LINE_MAX)
  )
    return error(
      'INVALID_VALUE',
      'value',
      'Value must be a single line text string of at most 255 characters.',
    );
  if (type === 'number_integer' && !/^-?\d{1,18}$/.test(input.value))
    return error('INVALID_VALUE', 'value', 'Value must be an integer.');
  if (type === 'boolean' && !['true', 'false'].includes(input.value))
    return error('INVALID_VALUE', 'value', 'Value must be true or false.');
  if (input.value === '') return error('BLANK', 'value', "Value can't be blank.");
  const existing = owner.metafields.get(`${namespace}.${input.key}`);
  if (input.compareDigest !== undefined) {
    const current = existing ? digestOf(existing) : null;
    if (current !== input.compareDigest)
      return error(
        'STALE_OBJECT',
        'compareDigest',
        'The resource has been updated since it was loaded. Try again with an updated `compareDigest` value.',
      );
  }
  if (definition?.uniqueValues) {
    const key = `${namespace}.${input.key}=${input.value}`;
    const takenBy = [...ctx.shop.customers.values()].find(
      (c) => c.id !== owner.id && c.metafields.get(`${namespace}.${input.key}`)?.value === input.value,
    );
    if (takenBy || (staged.has(key) && staged.get(key) !== owner.id))
      return error(
        'TAKEN',
        'value',
        'Value is already assigned to another owner: values of this definition must be unique.',
      );
    staged.set(key, owner.id);
  }
  return undefined;
}

export function metafieldsSet(args: { metafields: SetInput[] }, ctx: ResolverContext) {
  requireScope(ctx, 'write_customers', 'metafieldsSet');
  if (args.metafields.length > MAX_METAFIELDS) {
    throw new GraphQLError(
      `The input array size of ${args.metafields.length} is greater than the maximum allowed of ${MAX_METAFIELDS}.`,
      {
        extensions: { code: 'MAX_INPUT_SIZE_EXCEEDED' },
      },
    );
  }
  const staged = new Map<string, string>();
  const userErrors = args.metafields
    .map((input, index) => checkSetInput(ctx, input, index, staged))
    .filter((e): e is UserError => e !== undefined);
  if (userErrors.length > 0) return { metafields: [], userErrors };
  const now = new Date().toISOString();
  const changed = new Set<ShopifyCustomer>();
  const written = args.metafields.map((input) => {
    const owner = ctx.shop.customers.get(customerIdOf(input.ownerId) ?? '')!;
    const namespace = resolveNamespace(ctx, input.namespace);
    const mapKey = `${namespace}.${input.key}`;
    const existing = owner.metafields.get(mapKey);
    const type = input.type ?? definitionOf(ctx, namespace, input.key)!.type;
    if (existing && existing.value === input.value && existing.type === type) return existing;
    const mf: ShopifyMetafield = existing
      ? { ...existing, value: input.value, type, updatedAt: now }
      : {
          id: nextId(ctx.shop),
          namespace,
          key: input.key,
          value: input.value,
          type,
          createdAt: now,
          updatedAt: now,
        };
    owner.metafields.set(mapKey, mf);
    owner.updatedAt = now;
    changed.add(owner);
    return mf;
  });
  if (ctx.shop.metafieldWritesFireUpdate) {
    for (const owner of changed) ctx.changed.add(owner);
  }
  return { metafields: written.map((mf) => metafieldView(ctx, mf)), userErrors: [] };
}

export interface IdentifierInput {
  ownerId: string;
  namespace: string;
  key: string;
}

/**
 * `metafieldsDelete`: each identifier's metafield removed; one that does not exist (or whose owner
 * does not) is `null` in `deletedMetafields` and the mutation still succeeds. At least one
 * identifier; array inputs hold at most 250 items (https://shopify.dev/docs/api/usage/limits).
 */
export function metafieldsDelete(args: { metafields: IdentifierInput[] }, ctx: ResolverContext) {
  requireScope(ctx, 'write_customers', 'metafieldsDelete');
  if (args.metafields.length === 0)
    return {
      deletedMetafields: [],
      userErrors: [
        { field: ['metafields'], message: 'At least one metafield identifier must be specified.' },
      ],
    };
  if (args.metafields.length > 250)
    throw new GraphQLError(
      `The input array size of ${args.metafields.length} is greater than the maximum allowed of 250.`,
      { extensions: { code: 'MAX_INPUT_SIZE_EXCEEDED' } },
    );
  const now = new Date().toISOString();
  const deletedMetafields = args.metafields.map((input) => {
    const owner = ctx.shop.customers.get(customerIdOf(input.ownerId) ?? '');
    const namespace = resolveNamespace(ctx, input.namespace);
    if (!owner?.metafields.delete(`${namespace}.${input.key}`)) return null;
    owner.updatedAt = now;
    if (ctx.shop.metafieldWritesFireUpdate) ctx.changed.add(owner);
    return { ownerId: input.ownerId, namespace, key: input.key };
  });
  return { deletedMetafields, userErrors: [] };
}

export interface DefinitionInput {
  name: string;
  namespace?: string | null;
  key: string;
  type: string;
  ownerType: string;
  description?: string | null;
  capabilities?: { uniqueValues?: { enabled: boolean } | null } | null;
}

export function metafieldDefinitionCreate(args: { definition: DefinitionInput }, ctx: ResolverContext) {
  requireScope(ctx, 'write_customers', 'metafieldDefinitionCreate');
  const input = args.definition;
  const namespace = resolveNamespace(ctx, input.namespace);
  const fail = (code: string, field: string, message: string) => ({
    createdDefinition: null,
    userErrors: [{ code, field: ['definition', field], message }],
  });
  if (!TYPES.has(input.type))
    return fail('INCLUSION', 'type', `Type '${input.type}' is not a valid metafield type.`);
  if (!/^[A-Za-z0-9_-]{2,64}$/.test(input.key)) return fail('INVALID', 'key', 'Key is invalid.');
  if (
    ctx.shop.definitions.some(
      (d) => d.ownerType === input.ownerType && d.namespace === namespace && d.key === input.key,
    )
  )
    return fail(
      'TAKEN',
      'key',
      `Key is in use for ${input.ownerType.toLowerCase()} metafields on the '${namespace}' namespace.`,
    );
  const unique = input.capabilities?.uniqueValues?.enabled === true;
  if (unique && !UNIQUE_TYPES.has(input.type))
    return fail('INVALID', 'capabilities', 'The uniqueValues capability is not supported for this type.');
  const definition: MetafieldDefinition = {
    id: nextId(ctx.shop),
    name: input.name,
    namespace,
    key: input.key,
    type: input.type,
    ownerType: input.ownerType,
    description: input.description ?? null,
    uniqueValues: unique,
  };
  ctx.shop.definitions.push(definition);
  return { createdDefinition: definitionView(definition), userErrors: [] };
}
