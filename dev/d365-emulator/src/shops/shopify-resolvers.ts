import { GraphQLError } from 'graphql';
import {
  digestOf,
  gid,
  MetafieldDefinition,
  nextId,
  notify,
  ShopifyApp,
  ShopifyCustomer,
  ShopifyMetafield,
  ShopifyShop,
} from './shopify-store';

/**
 * Resolvers of the Admin API subset (shopify-schema.ts). Behaviour and sources:
 * - connections need `first` or `last` (at most 250) and page with opaque cursors
 *   (https://shopify.dev/docs/api/usage/pagination-graphql); array inputs hold at most 250 items
 *   (https://shopify.dev/docs/api/usage/limits);
 * - `metafieldsSet`: ≤ 25 metafields, atomic (any user error: nothing is written), `type` needed
 *   unless a definition gives it, `compareDigest` compare-and-set (null: must not exist yet)
 *   (https://shopify.dev/docs/api/admin-graphql/latest/mutations/metafieldsSet); namespace 3–255 and
 *   key 2–64 characters of letters, digits, `-` and `_`; a namespace left out is the app's reserved one
 *   (https://shopify.dev/docs/apps/build/custom-data/ownership); values of a definition with the
 *   `uniqueValues` capability are unique per owner type
 *   (https://shopify.dev/docs/apps/build/custom-data/metafields/definitions/capabilities);
 * - writes need the `write_customers` access scope, reads `read_customers`
 *   (https://shopify.dev/docs/api/usage/access-scopes): otherwise `ACCESS_DENIED`.
 * Error message wording is best-effort; codes are Shopify's enums.
 */
export interface ResolverContext {
  shop: ShopifyShop;
  app: ShopifyApp;
  /** Webhooks to send once the answer is out. */
  after: (() => void)[];
}

const MAX_PAGE = 250;
const MAX_METAFIELDS = 25;
const SINGLE_LINE_MAX = 255;
const TYPES = new Set(['single_line_text_field', 'multi_line_text_field', 'number_integer', 'boolean', 'json', 'id']);
const UNIQUE_TYPES = new Set(['single_line_text_field', 'number_integer', 'id']);

function requireScope(ctx: ResolverContext, scope: string, field: string): void {
  const write = scope.replace('read_', 'write_');
  if (ctx.app.scopes.has(scope) || ctx.app.scopes.has(write)) return;
  throw new GraphQLError(`Access denied for ${field} field. Required access: \`${scope}\` access scope.`, {
    extensions: { code: 'ACCESS_DENIED', documentation: 'https://shopify.dev/api/usage/access-scopes' },
  });
}

const customerIdOf = (value: unknown): string | undefined =>
  typeof value === 'string' ? /^gid:\/\/shopify\/Customer\/(\d{1,20})$/.exec(value)?.[1] : undefined;

const encodeCursor = (id: string): string => Buffer.from(JSON.stringify({ last_id: id })).toString('base64');
const decodeCursor = (cursor: string): string | undefined => {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { last_id?: unknown };
    return typeof parsed.last_id === 'string' ? parsed.last_id : undefined;
  } catch {
    return undefined;
  }
};

interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

/** A Relay connection over `items` (already in order), with Shopify's page-size rules. */
export function connection<T>(items: T[], args: PageArgs, idOf: (item: T) => string, view: (item: T) => unknown) {
  const size = args.first ?? args.last;
  if (size === undefined || size === null) throw new GraphQLError('you must provide one of first or last');
  if (size > MAX_PAGE || size < 0) throw new GraphQLError(`The page size must be between 0 and ${MAX_PAGE}.`);
  let start = 0;
  let end = items.length;
  for (const [cursor, apply] of [
    [args.after, (i: number) => (start = i + 1)],
    [args.before, (i: number) => (end = i)],
  ] as const) {
    if (!cursor) continue;
    const id = decodeCursor(cursor);
    const index = id === undefined ? -1 : items.findIndex((item) => idOf(item) === id);
    if (index < 0) throw new GraphQLError('Invalid cursor for current pagination sort.');
    apply(index);
  }
  const window = items.slice(start, end);
  const page = args.first != null ? window.slice(0, size) : window.slice(Math.max(0, window.length - size));
  const from = start + (args.first != null ? 0 : window.length - page.length);
  const edges = page.map((item) => ({ cursor: encodeCursor(idOf(item)), node: view(item) }));
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      hasNextPage: from + page.length < items.length,
      hasPreviousPage: from > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

function definitionOf(ctx: ResolverContext, namespace: string, key: string): MetafieldDefinition | undefined {
  return ctx.shop.definitions.find((d) => d.ownerType === 'CUSTOMER' && d.namespace === namespace && d.key === key);
}

function definitionView(d: MetafieldDefinition) {
  return {
    ...d,
    id: gid('MetafieldDefinition', d.id),
    type: { name: d.type },
    capabilities: { uniqueValues: { enabled: d.uniqueValues } },
  };
}

function metafieldView(ctx: ResolverContext, mf: ShopifyMetafield) {
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
const resolveNamespace = (ctx: ResolverContext, namespace: string | null | undefined): string =>
  !namespace || namespace === '$app' ? `app--${ctx.app.id}` : namespace.replace(/^\$app:/, `app--${ctx.app.id}--`);

function customerView(ctx: ResolverContext, c: ShopifyCustomer) {
  const name = [c.firstName, c.lastName].filter(Boolean).join(' ');
  return {
    ...c,
    id: gid('Customer', c.id),
    legacyResourceId: c.id,
    displayName: name || c.email || c.phone || '',
    defaultEmailAddress: c.email ? { emailAddress: c.email } : null,
    defaultPhoneNumber: c.phone ? { phoneNumber: c.phone } : null,
    metafield: ({ namespace, key }: { namespace?: string; key: string }) => {
      const mf = c.metafields.get(`${resolveNamespace(ctx, namespace)}.${key}`);
      return mf ? metafieldView(ctx, mf) : null;
    },
    metafields: (args: PageArgs & { namespace?: string; keys?: string[] }) => {
      const all = [...c.metafields.values()].filter(
        (mf) =>
          (!args.namespace || mf.namespace === resolveNamespace(ctx, args.namespace)) &&
          (!args.keys || args.keys.includes(`${mf.namespace}.${mf.key}`)),
      );
      return connection(all, args, (mf) => mf.id, (mf) => metafieldView(ctx, mf));
    },
  };
}

/** Shopify search syntax, the terms the sync uses: `email:`, `updated_at:>`/`>=`/`<`, `id:>`; other words match name or e-mail. */
function matchesQuery(c: ShopifyCustomer, query: string | null | undefined): boolean {
  if (!query) return true;
  return query
    .split(/\s+(?:AND\s+)?/i)
    .filter(Boolean)
    .every((term) => {
      const m = /^(email|updated_at|created_at|id):(>=|<=|>|<)?['"]?(.*?)['"]?$/i.exec(term);
      if (!m) {
        const text = `${c.firstName ?? ''} ${c.lastName ?? ''} ${c.email ?? ''}`.toLowerCase();
        return text.includes(term.toLowerCase());
      }
      const [, field = '', op = '=', raw = ''] = m;
      if (field.toLowerCase() === 'email') return (c.email ?? '').toLowerCase() === raw.toLowerCase();
      const left = field === 'id' ? Number(BigInt(c.id) - 7_300_000_000_000_000_000n) : Date.parse(field === 'updated_at' ? c.updatedAt : c.createdAt);
      const right = field === 'id' ? Number(BigInt(raw || '0') - 7_300_000_000_000_000_000n) : Date.parse(raw);
      return op === '>' ? left > right : op === '>=' ? left >= right : op === '<' ? left < right : op === '<=' ? left <= right : left === right;
    });
}

const SORTS: Record<string, (c: ShopifyCustomer) => string> = {
  ID: (c) => c.id.padStart(20, '0'),
  CREATED_AT: (c) => c.createdAt + c.id.padStart(20, '0'),
  UPDATED_AT: (c) => c.updatedAt + c.id.padStart(20, '0'),
  NAME: (c) => `${c.lastName ?? ''} ${c.firstName ?? ''}`.toLowerCase() + c.id.padStart(20, '0'),
  RELEVANCE: (c) => c.id.padStart(20, '0'),
};

interface SetInput {
  ownerId: string;
  namespace?: string | null;
  key: string;
  value: string;
  type?: string | null;
  compareDigest?: string | null;
}

type UserError = { code: string; elementIndex: number; field: string[]; message: string };

function checkSetInput(ctx: ResolverContext, input: SetInput, index: number, staged: Map<string, string>): UserError | undefined {
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
  if (!/^[A-Za-z0-9_-]{3,255}$/.test(namespace)) return error(namespace.length < 3 ? 'TOO_SHORT' : 'INVALID', 'namespace', 'Namespace is invalid.');
  if (!/^[A-Za-z0-9_-]{2,64}$/.test(input.key)) return error(input.key.length < 2 ? 'TOO_SHORT' : 'INVALID', 'key', 'Key is invalid.');
  const definition = definitionOf(ctx, namespace, input.key);
  const type = input.type ?? definition?.type;
  if (!type) return error('BLANK', 'type', "Type can't be blank.");
  if (!TYPES.has(type)) return error('INVALID_TYPE', 'type', `Type '${type}' is not a valid metafield type.`);
  if (definition && definition.type !== type) return error('INVALID_TYPE', 'type', 'Type must be the same as the definition type.');
  if ((type === 'single_line_text_field' || type === 'id') && (/[\r\n]/.test(input.value) || input.value.length > SINGLE_LINE_MAX))
    return error('INVALID_VALUE', 'value', 'Value must be a single line text string of at most 255 characters.');
  if (type === 'number_integer' && !/^-?\d{1,18}$/.test(input.value)) return error('INVALID_VALUE', 'value', 'Value must be an integer.');
  if (type === 'boolean' && !['true', 'false'].includes(input.value)) return error('INVALID_VALUE', 'value', 'Value must be true or false.');
  if (input.value === '') return error('BLANK', 'value', "Value can't be blank.");
  const existing = owner.metafields.get(`${namespace}.${input.key}`);
  if (input.compareDigest !== undefined) {
    const current = existing ? digestOf(existing) : null;
    if (current !== input.compareDigest)
      return error('STALE_OBJECT', 'compareDigest', 'The resource has been updated since it was loaded. Try again with an updated `compareDigest` value.');
  }
  if (definition?.uniqueValues) {
    const key = `${namespace}.${input.key}=${input.value}`;
    const takenBy = [...ctx.shop.customers.values()].find(
      (c) => c.id !== owner.id && c.metafields.get(`${namespace}.${input.key}`)?.value === input.value,
    );
    if (takenBy || (staged.has(key) && staged.get(key) !== owner.id))
      return error('TAKEN', 'value', 'Value is already assigned to another owner: values of this definition must be unique.');
    staged.set(key, owner.id);
  }
  return undefined;
}

function metafieldsSet(args: { metafields: SetInput[] }, ctx: ResolverContext) {
  requireScope(ctx, 'write_customers', 'metafieldsSet');
  if (args.metafields.length > MAX_METAFIELDS) {
    throw new GraphQLError(`The input array size of ${args.metafields.length} is greater than the maximum allowed of ${MAX_METAFIELDS}.`, {
      extensions: { code: 'MAX_INPUT_SIZE_EXCEEDED' },
    });
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
      : { id: nextId(ctx.shop), namespace, key: input.key, value: input.value, type, createdAt: now, updatedAt: now };
    owner.metafields.set(mapKey, mf);
    owner.updatedAt = now;
    changed.add(owner);
    return mf;
  });
  if (ctx.shop.metafieldWritesFireUpdate) {
    for (const owner of changed) ctx.after.push(() => notify(ctx.shop, 'customers/update', owner, 'api'));
  }
  return { metafields: written.map((mf) => metafieldView(ctx, mf)), userErrors: [] };
}

interface DefinitionInput {
  name: string;
  namespace?: string | null;
  key: string;
  type: string;
  ownerType: string;
  description?: string | null;
  capabilities?: { uniqueValues?: { enabled: boolean } | null } | null;
}

function metafieldDefinitionCreate(args: { definition: DefinitionInput }, ctx: ResolverContext) {
  requireScope(ctx, 'write_customers', 'metafieldDefinitionCreate');
  const input = args.definition;
  const namespace = resolveNamespace(ctx, input.namespace);
  const fail = (code: string, field: string, message: string) => ({
    createdDefinition: null,
    userErrors: [{ code, field: ['definition', field], message }],
  });
  if (!TYPES.has(input.type)) return fail('INCLUSION', 'type', `Type '${input.type}' is not a valid metafield type.`);
  if (!/^[A-Za-z0-9_-]{2,64}$/.test(input.key)) return fail('INVALID', 'key', 'Key is invalid.');
  if (ctx.shop.definitions.some((d) => d.ownerType === input.ownerType && d.namespace === namespace && d.key === input.key))
    return fail('TAKEN', 'key', `Key is in use for ${input.ownerType.toLowerCase()} metafields on the '${namespace}' namespace.`);
  const unique = input.capabilities?.uniqueValues?.enabled === true;
  if (unique && !UNIQUE_TYPES.has(input.type)) return fail('INVALID', 'capabilities', 'The uniqueValues capability is not supported for this type.');
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

interface CustomerInput {
  id?: string | null;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  note?: string | null;
  tags?: string[] | null;
}

function customerUpdate(args: { input: CustomerInput }, ctx: ResolverContext) {
  requireScope(ctx, 'write_customers', 'customerUpdate');
  const { input } = args;
  const customer = ctx.shop.customers.get(customerIdOf(input.id) ?? '');
  if (!customer) return { customer: null, userErrors: [{ field: ['id'], message: 'Customer does not exist' }] };
  if (input.email && [...ctx.shop.customers.values()].some((c) => c !== customer && c.email?.toLowerCase() === input.email!.toLowerCase()))
    return { customer: null, userErrors: [{ field: ['email'], message: 'Email has already been taken' }] };
  const before = JSON.stringify([customer.email, customer.firstName, customer.lastName, customer.phone, customer.note, customer.tags]);
  if (input.email !== undefined) customer.email = input.email;
  if (input.firstName !== undefined) customer.firstName = input.firstName;
  if (input.lastName !== undefined) customer.lastName = input.lastName;
  if (input.phone !== undefined) customer.phone = input.phone;
  if (input.note !== undefined) customer.note = input.note;
  if (input.tags) customer.tags = input.tags;
  if (JSON.stringify([customer.email, customer.firstName, customer.lastName, customer.phone, customer.note, customer.tags]) !== before) {
    customer.updatedAt = new Date().toISOString();
    ctx.after.push(() => notify(ctx.shop, 'customers/update', customer, 'api'));
  }
  return { customer: customerView(ctx, customer), userErrors: [] };
}

/** The root value for `graphql.execute`: queries and mutations of the subset. */
export function rootValue(ctx: ResolverContext) {
  return {
    shop: () => ({ id: gid('Shop', '1'), name: ctx.shop.domain.split('.')[0], myshopifyDomain: ctx.shop.domain }),
    customer: ({ id }: { id: string }) => {
      requireScope(ctx, 'read_customers', 'customer');
      const customer = ctx.shop.customers.get(customerIdOf(id) ?? '');
      return customer ? customerView(ctx, customer) : null;
    },
    customers: (args: PageArgs & { query?: string; sortKey?: string; reverse?: boolean }) => {
      requireScope(ctx, 'read_customers', 'customers');
      const sortKey = SORTS[args.sortKey ?? 'ID'] ?? SORTS.ID!;
      const all = [...ctx.shop.customers.values()]
        .filter((c) => matchesQuery(c, args.query))
        .sort((a, b) => sortKey(a).localeCompare(sortKey(b)) * (args.reverse ? -1 : 1));
      return connection(all, args, (c) => c.id, (c) => customerView(ctx, c));
    },
    metafieldDefinitions: (args: PageArgs & { ownerType: string; namespace?: string; key?: string }) => {
      const all = ctx.shop.definitions.filter(
        (d) =>
          d.ownerType === args.ownerType &&
          (!args.namespace || d.namespace === resolveNamespace(ctx, args.namespace)) &&
          (!args.key || d.key === args.key),
      );
      return connection(all, args, (d) => d.id, definitionView);
    },
    metafieldsSet: (args: { metafields: SetInput[] }) => metafieldsSet(args, ctx),
    metafieldDefinitionCreate: (args: { definition: DefinitionInput }) => metafieldDefinitionCreate(args, ctx),
    customerUpdate: (args: { input: CustomerInput }) => customerUpdate(args, ctx),
  };
}
