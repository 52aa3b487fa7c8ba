import {
  FieldNode,
  FragmentDefinitionNode,
  getNamedType,
  GraphQLObjectType,
  GraphQLSchema,
  isObjectType,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  valueFromASTUntyped,
} from 'graphql';

/**
 * Shopify's calculated query cost and leaky bucket (GraphQL Admin API), from
 * https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits (and the older
 * https://shopify.dev/docs/api/usage/rate-limits, "Cost calculation"):
 * - a scalar or enum costs 0, an object 1, a connection 2 plus what its `first`/`last` items cost
 *   (each item: 1 for the node and what is selected inside it); a mutation costs 10;
 * - `metafieldsSet` costs 10 plus, per distinct owner, the owner type's weight (Customer 1, Product 4,
 *   Order 10, Shop 1): https://shopify.dev/changelog/dynamic-complexity-cost-for-metafieldsset-mutation;
 * - the requested cost is computed before execution; a single query may not exceed 1,000
 *   (`MAX_COST_EXCEEDED`, enforced on the requested cost); the actual cost is computed from what was
 *   returned (a connection returning fewer items costs less) and the difference is refunded;
 * - the bucket is per app and store, must hold the requested cost before execution begins, and
 *   refills continuously at `restoreRate` points per second up to `maximumAvailable`.
 * Simplification: a mutation's payload selection adds nothing to its cost.
 */
export const SINGLE_QUERY_MAX_COST = 1000;

export const OWNER_WEIGHTS: Record<string, number> = {
  Customer: 1,
  Shop: 1,
  Collection: 1,
  Product: 4,
  Order: 10,
};

export interface CostContext {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

function argument(field: FieldNode, name: string, variables: Record<string, unknown>): unknown {
  const node = field.arguments?.find((arg) => arg.name.value === name);
  return node ? valueFromASTUntyped(node.value, variables) : undefined;
}

/** The fields of a selection set, fragment spreads and inline fragments flattened. */
function fieldsOf(set: SelectionSetNode | undefined, ctx: CostContext): FieldNode[] {
  if (!set) return [];
  return set.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection];
    if (selection.kind === Kind.INLINE_FRAGMENT) return fieldsOf(selection.selectionSet, ctx);
    const fragment = ctx.fragments[selection.name.value];
    return fragment ? fieldsOf(fragment.selectionSet, ctx) : [];
  });
}

const isConnection = (type: GraphQLObjectType): boolean => type.name.endsWith('Connection');

/** What one item of a connection costs: the node object and what is selected inside it. */
function itemCost(field: FieldNode, type: GraphQLObjectType, ctx: CostContext): number {
  let cost = 0;
  for (const child of fieldsOf(field.selectionSet, ctx)) {
    const name = child.name.value;
    if (name === 'nodes') cost = Math.max(cost, objectCost(child, type.getFields().nodes?.type, ctx));
    if (name === 'edges') {
      const edgeType = getNamedType(type.getFields().edges?.type);
      for (const edgeField of isObjectType(edgeType) ? fieldsOf(child.selectionSet, ctx) : []) {
        if (edgeField.name.value === 'node' && isObjectType(edgeType)) {
          cost = Math.max(cost, objectCost(edgeField, edgeType.getFields().node?.type, ctx));
        }
      }
    }
  }
  return cost;
}

function objectCost(
  field: FieldNode,
  fieldType: Parameters<typeof getNamedType>[0],
  ctx: CostContext,
): number {
  const type = fieldType ? getNamedType(fieldType) : undefined;
  if (!isObjectType(type)) return 0;
  return 1 + selectionCost(field.selectionSet, type, ctx);
}

function selectionCost(
  set: SelectionSetNode | undefined,
  parent: GraphQLObjectType,
  ctx: CostContext,
): number {
  let cost = 0;
  for (const field of fieldsOf(set, ctx)) {
    const definition = parent.getFields()[field.name.value];
    const type = definition ? getNamedType(definition.type) : undefined;
    if (!definition || !isObjectType(type)) continue;
    if (isConnection(type)) {
      const size = Number(
        argument(field, 'first', ctx.variables) ?? argument(field, 'last', ctx.variables) ?? 0,
      );
      cost += 2 + (Number.isFinite(size) ? size : 0) * itemCost(field, type, ctx);
    } else if (['edges', 'pageInfo'].includes(field.name.value)) {
      cost += selectionCost(field.selectionSet, type, ctx);
    } else {
      cost += 1 + selectionCost(field.selectionSet, type, ctx);
    }
  }
  return cost;
}

/** `gid://shopify/Customer/123` → `Customer`. */
const ownerTypeOf = (gid: unknown): string | undefined =>
  typeof gid === 'string' ? /^gid:\/\/shopify\/([A-Za-z]+)\/\d+$/.exec(gid)?.[1] : undefined;

function mutationCost(field: FieldNode, ctx: CostContext): number {
  if (field.name.value !== 'metafieldsSet') return 10;
  const inputs = argument(field, 'metafields', ctx.variables);
  const owners = new Set(
    (Array.isArray(inputs) ? inputs : []).map((input) => (input as { ownerId?: unknown }).ownerId),
  );
  let cost = 10;
  for (const owner of owners) cost += OWNER_WEIGHTS[ownerTypeOf(owner) ?? ''] ?? 0;
  return cost;
}

/** The requested cost of the operation, before it runs. */
export function requestedCost(operation: OperationDefinitionNode, ctx: CostContext): number {
  if (operation.operation === 'mutation') {
    return fieldsOf(operation.selectionSet, ctx).reduce((sum, field) => sum + mutationCost(field, ctx), 0);
  }
  const root = ctx.schema.getQueryType();
  return root ? selectionCost(operation.selectionSet, root, ctx) : 0;
}

const responseKey = (field: FieldNode): string => field.alias?.value ?? field.name.value;

/** The cost of what was returned: objects that came back (not null), connections by their items. */
function returnedCost(
  set: SelectionSetNode | undefined,
  parent: GraphQLObjectType,
  data: unknown,
  ctx: CostContext,
): number {
  if (typeof data !== 'object' || data === null) return 0;
  let cost = 0;
  for (const field of fieldsOf(set, ctx)) {
    const definition = parent.getFields()[field.name.value];
    const type = definition ? getNamedType(definition.type) : undefined;
    if (!isObjectType(type)) continue;
    const value = (data as Record<string, unknown>)[responseKey(field)];
    if (value === null || value === undefined) continue;
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      const own = isConnection(type) ? 2 : ['edges', 'pageInfo'].includes(field.name.value) ? 0 : 1;
      cost += own + returnedCost(field.selectionSet, type, item, ctx);
    }
  }
  return cost;
}

/** The actual cost, from the data returned (a mutation's is its requested cost). */
export function actualCost(
  operation: OperationDefinitionNode,
  data: unknown,
  requested: number,
  ctx: CostContext,
): number {
  if (operation.operation === 'mutation') return requested;
  const root = ctx.schema.getQueryType();
  return root ? Math.min(requested, returnedCost(operation.selectionSet, root, data, ctx)) : requested;
}

/** A leaky bucket of cost points (per app and store). */
export interface LeakyBucket {
  maximumAvailable: number;
  restoreRate: number;
  available: number;
  at: number;
}

export function createBucket(maximumAvailable: number, restoreRate: number, now = Date.now()): LeakyBucket {
  return { maximumAvailable, restoreRate, available: maximumAvailable, at: now };
}

/** Refills the bucket for the time passed since it was last read; returns what is available. */
export function refill(bucket: LeakyBucket, now = Date.now()): number {
  bucket.available = Math.min(
    bucket.maximumAvailable,
    bucket.available + (Math.max(0, now - bucket.at) / 1000) * bucket.restoreRate,
  );
  bucket.at = now;
  return bucket.available;
}

export function throttleStatus(bucket: LeakyBucket): Record<string, number> {
  return {
    maximumAvailable: bucket.maximumAvailable,
    currentlyAvailable: Math.floor(bucket.available),
    restoreRate: bucket.restoreRate,
  };
}

/**
 * Plans (bucket size and restore rate per app and store). Restore rates from the page above
 * (Standard 100, Advanced 200, Plus 1,000, Enterprise 2,000 points/s); bucket sizes are 20 s of
 * restore, as in every published figure (1,000 at 50/s, 2,000 at 100/s, 10,000 at 500/s).
 */
export const SHOPIFY_PLANS = {
  standard: { restoreRate: 100, maximumAvailable: 2000 },
  advanced: { restoreRate: 200, maximumAvailable: 4000 },
  plus: { restoreRate: 1000, maximumAvailable: 20000 },
  enterprise: { restoreRate: 2000, maximumAvailable: 40000 },
} as const;
