import { GraphQLError } from 'graphql';
import {
  customerIdOf,
  DefinitionInput,
  definitionView,
  IdentifierInput,
  metafieldDefinitionCreate,
  metafieldsDelete,
  metafieldsSet,
  metafieldView,
  requireScope,
  ResolverContext,
  resolveNamespace,
  SetInput,
} from './shopify-metafields';
import { addressIdOf, customerAddressCreate, customerAddressUpdate } from './shopify-addresses';
import { gid, ShopifyCustomer } from './shopify-store';
import { bulkOperationRoot } from './shopify-bulk';

export type { ResolverContext } from './shopify-metafields';

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
const MAX_PAGE = 250;
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

/**
 * A Relay connection over `items` (already in order), with Shopify's page-size rules; in a bulk query
 * (`bulk`) a connection without `first`/`last` lists every item, as Shopify pages it itself
 * (https://shopify.dev/docs/api/usage/bulk-operations/queries).
 */
export function connection<T>(
  items: T[],
  args: PageArgs,
  idOf: (item: T) => string,
  view: (item: T) => unknown,
  bulk = false,
) {
  const size = args.first ?? args.last ?? (bulk ? items.length : undefined);
  if (size === undefined || size === null) throw new GraphQLError('you must provide one of first or last');
  if ((size > MAX_PAGE && !bulk) || size < 0)
    throw new GraphQLError(`The page size must be between 0 and ${MAX_PAGE}.`);
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

/**
 * A customer's address as `MailingAddress`, from its REST-shaped seed (the first is the default, as
 * in the webhook payload's `default_address`); its ID the REST address ID the webhook payload gives.
 */
function mailingAddressView(c: ShopifyCustomer, index: number) {
  const a = c.addresses[index] ?? {};
  const text = (name: string): string | null => (typeof a[name] === 'string' ? (a[name] as string) : null);
  return {
    id: gid('MailingAddress', String(addressIdOf(c, index))),
    firstName: text('first_name'),
    lastName: text('last_name'),
    company: text('company'),
    address1: text('address1'),
    address2: text('address2'),
    city: text('city'),
    provinceCode: text('province_code'),
    zip: text('zip'),
    countryCodeV2: text('country_code'),
    phone: text('phone'),
  };
}

function customerView(ctx: ResolverContext, c: ShopifyCustomer) {
  const name = [c.firstName, c.lastName].filter(Boolean).join(' ');
  return {
    ...c,
    id: gid('Customer', c.id),
    legacyResourceId: c.id,
    displayName: name || c.email || c.phone || '',
    defaultEmailAddress: c.email ? { emailAddress: c.email } : null,
    defaultPhoneNumber: c.phone ? { phoneNumber: c.phone } : null,
    defaultAddress: c.addresses[0] ? mailingAddressView(c, 0) : null,
    addressesV2: (args: PageArgs) =>
      connection(
        c.addresses.map((_, index) => index),
        args,
        (index) => String(index),
        (index) => mailingAddressView(c, index),
        ctx.bulk,
      ),
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
      return connection(
        all,
        args,
        (mf) => mf.id,
        (mf) => metafieldView(ctx, mf),
        ctx.bulk,
      );
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
      const left =
        field === 'id'
          ? Number(BigInt(c.id) - 7_300_000_000_000_000_000n)
          : Date.parse(field === 'updated_at' ? c.updatedAt : c.createdAt);
      const right =
        field === 'id' ? Number(BigInt(raw || '0') - 7_300_000_000_000_000_000n) : Date.parse(raw);
      return op === '>'
        ? left > right
        : op === '>='
          ? left >= right
          : op === '<'
            ? left < right
            : op === '<='
              ? left <= right
              : left === right;
    });
}

const SORTS: Record<string, (c: ShopifyCustomer) => string> = {
  ID: (c) => c.id.padStart(20, '0'),
  CREATED_AT: (c) => c.createdAt + c.id.padStart(20, '0'),
  UPDATED_AT: (c) => c.updatedAt + c.id.padStart(20, '0'),
  NAME: (c) => `${c.lastName ?? ''} ${c.firstName ?? ''}`.toLowerCase() + c.id.padStart(20, '0'),
  RELEVANCE: (c) => c.id.padStart(20, '0'),
};

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
  if (!customer)
    return { customer: null, userErrors: [{ field: ['id'], message: 'Customer does not exist' }] };
  if (
    input.email &&
    [...ctx.shop.customers.values()].some(
      (c) => c !== customer && c.email?.toLowerCase() === input.email!.toLowerCase(),
    )
  )
    return { customer: null, userErrors: [{ field: ['email'], message: 'Email has already been taken' }] };
  const before = JSON.stringify([
    customer.email,
    customer.firstName,
    customer.lastName,
    customer.phone,
    customer.note,
    customer.tags,
  ]);
  if (input.email !== undefined) customer.email = input.email;
  if (input.firstName !== undefined) customer.firstName = input.firstName;
  if (input.lastName !== undefined) customer.lastName = input.lastName;
  if (input.phone !== undefined) customer.phone = input.phone;
  if (input.note !== undefined) customer.note = input.note;
  if (input.tags) customer.tags = input.tags;
  if (
    JSON.stringify([
      customer.email,
      customer.firstName,
      customer.lastName,
      customer.phone,
      customer.note,
      customer.tags,
    ]) !== before
  ) {
    customer.updatedAt = new Date().toISOString();
    ctx.changed.add(customer);
  }
  return { customer: customerView(ctx, customer), userErrors: [] };
}

function tagsAdd(args: { id: string; tags: string[] }, ctx: ResolverContext) {
  requireScope(ctx, 'write_customers', 'tagsAdd');
  const customer = ctx.shop.customers.get(customerIdOf(args.id) ?? '');
  if (!customer) return { userErrors: [{ field: ['id'], message: 'Resource does not exist' }] };
  const added = args.tags.map((t) => t.trim()).filter((t) => t && !customer.tags.includes(t));
  if (added.length > 0) {
    customer.tags = [...customer.tags, ...added];
    customer.updatedAt = new Date().toISOString();
    ctx.changed.add(customer);
  }
  return { userErrors: [] };
}

/**
 * A `customers` page read (the bench's check that a backfill resumed after a kill without reading a
 * finished page again): counted, and counted again when the same page was answered before.
 */
function countCustomerPage(
  app: ResolverContext['app'],
  args: PageArgs & { query?: string; sortKey?: string; reverse?: boolean },
): void {
  const key = [args.after, args.before, args.first, args.last, args.query, args.sortKey, args.reverse]
    .map((part) => String(part ?? ''))
    .join('|');
  app.stats.customerPages += 1;
  if (app.customerPagesServed.has(key)) app.stats.customerPagesRepeated += 1;
  else app.customerPagesServed.add(key);
}

/** The root value for `graphql.execute`: queries and mutations of the subset. */
export function rootValue(ctx: ResolverContext) {
  return {
    shop: () => ({
      id: gid('Shop', '1'),
      name: ctx.shop.domain.split('.')[0],
      myshopifyDomain: ctx.shop.domain,
    }),
    customer: ({ id }: { id: string }) => {
      requireScope(ctx, 'read_customers', 'customer');
      const customer = ctx.shop.customers.get(customerIdOf(id) ?? '');
      return customer ? customerView(ctx, customer) : null;
    },
    customers: (args: PageArgs & { query?: string; sortKey?: string; reverse?: boolean }) => {
      requireScope(ctx, 'read_customers', 'customers');
      if (!ctx.bulk) countCustomerPage(ctx.app, args);
      const sortKey = SORTS[args.sortKey ?? 'ID'] ?? SORTS.ID!;
      const all = [...ctx.shop.customers.values()]
        .filter((c) => matchesQuery(c, args.query))
        .sort((a, b) => sortKey(a).localeCompare(sortKey(b)) * (args.reverse ? -1 : 1));
      return connection(
        all,
        args,
        (c) => c.id,
        (c) => customerView(ctx, c),
        ctx.bulk,
      );
    },
    customersCount: (args: { query?: string | null; limit?: number | null }) => {
      requireScope(ctx, 'read_customers', 'customersCount');
      const count = [...ctx.shop.customers.values()].filter((c) => matchesQuery(c, args.query)).length;
      const limit = args.limit === undefined ? 10_000 : args.limit;
      return limit !== null && count > limit
        ? { count: limit, precision: 'AT_LEAST' }
        : { count, precision: 'EXACT' };
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
    metafieldsDelete: (args: { metafields: IdentifierInput[] }) => metafieldsDelete(args, ctx),
    metafieldDefinitionCreate: (args: { definition: DefinitionInput }) =>
      metafieldDefinitionCreate(args, ctx),
    customerUpdate: (args: { input: CustomerInput }) => customerUpdate(args, ctx),
    tagsAdd: (args: { id: string; tags: string[] }) => tagsAdd(args, ctx),
    ...bulkOperationRoot(ctx),
    customerAddressUpdate: (args: Parameters<typeof customerAddressUpdate>[0]) =>
      customerAddressUpdate(args, ctx),
    customerAddressCreate: (args: Parameters<typeof customerAddressCreate>[0]) =>
      customerAddressCreate(args, ctx),
  };
}
