import { randomUUID, timingSafeEqual, createHash } from 'node:crypto';
import {
  DocumentNode,
  execute,
  FragmentDefinitionNode,
  GraphQLError,
  Kind,
  OperationDefinitionNode,
  parse,
  validate,
} from 'graphql';
import { isPlainObject, RequestContext, sendJson } from '../http';
import {
  actualCost,
  CostContext,
  refill,
  requestedCost,
  SINGLE_QUERY_MAX_COST,
  throttleStatus,
} from './shopify-cost';
import { ResolverContext, rootValue } from './shopify-resolvers';
import { shopifyAdminSchema } from './shopify-schema';
import { notify, ShopifyApp, ShopifyShop } from './shopify-store';

/**
 * `POST /shopify/{shop}.myshopify.com/admin/api/{version}/graphql.json`: the shop's GraphQL Admin
 * endpoint (https://{shop}.myshopify.com/admin/api/{version}/graphql.json on Shopify; the emulator
 * serves many shops, so the shop's domain leads the path). Behaviour and sources:
 * - authentication with the app's Admin API access token in `X-Shopify-Access-Token`; a missing,
 *   wrong or revoked (uninstalled app) token is 401 `{"errors":"[API] Invalid API key or access
 *   token (unrecognized login or wrong password)"}` (https://shopify.dev/docs/api/usage/authentication,
 *   https://shopify.dev/docs/api/usage/response-codes);
 * - versions are `YYYY-01|04|07|10` or `unstable`; the answer names the version served in
 *   `X-Shopify-API-Version` (https://shopify.dev/docs/api/usage/versioning); anything else is 404;
 * - the body is JSON `{query, variables, operationName}` (or `application/graphql`); without a query
 *   400 `{"errors":{"query":"Required parameter missing or invalid"}}`;
 * - parse and validation errors, `MAX_COST_EXCEEDED`, `THROTTLED`, `ACCESS_DENIED` come back as
 *   HTTP 200 with `errors` (GraphQL answers 200 whatever the query did; a throttled answer has
 *   `actualQueryCost: null`): https://shopify.dev/docs/api/usage/response-codes, the rate-limit pages
 *   in shopify-cost.ts, and a throttled answer captured in
 *   https://community.shopify.com/t/throttled/254776;
 * - every answer that was costed carries `extensions.cost` (`requestedQueryCost`, `actualQueryCost`,
 *   `throttleStatus: {maximumAvailable, currentlyAvailable, restoreRate}`).
 */
export const SHOPIFY_PATH =
  /^\/shopify\/([a-z0-9][a-z0-9-]*\.myshopify\.com)\/admin\/api\/([^/]+)\/graphql\.json$/;
const VERSION = /^(20\d\d-(01|04|07|10)|unstable)$/;
const INVALID_TOKEN = '[API] Invalid API key or access token (unrecognized login or wrong password)';
const DOCS = 'https://shopify.dev/api/usage/rate-limits';

const sameToken = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

function findApp(shop: ShopifyShop, token: unknown): ShopifyApp | undefined {
  if (typeof token !== 'string') return undefined;
  for (const app of shop.apps.values()) if (!app.revoked && sameToken(app.token, token)) return app;
  return undefined;
}

interface GraphQLRequest {
  query: string;
  variables: Record<string, unknown>;
  operationName?: string;
}

function readRequest(ctx: RequestContext): GraphQLRequest | undefined {
  const text = ctx.body.toString('utf8');
  if ((ctx.req.headers['content-type'] ?? '').startsWith('application/graphql')) {
    return text.trim() ? { query: text, variables: {} } : undefined;
  }
  try {
    const body = JSON.parse(text) as unknown;
    if (!isPlainObject(body) || typeof body.query !== 'string' || !body.query.trim()) return undefined;
    return {
      query: body.query,
      variables: isPlainObject(body.variables) ? body.variables : {},
      ...(typeof body.operationName === 'string' && { operationName: body.operationName }),
    };
  } catch {
    return undefined;
  }
}

const errorsOf = (errors: readonly GraphQLError[]) => errors.map((e) => e.toJSON());

function pickOperation(document: DocumentNode, name?: string): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  return name
    ? operations.find((o) => o.name?.value === name)
    : operations.length === 1
      ? operations[0]
      : undefined;
}

export function handleShopifyAdmin(
  ctx: RequestContext,
  shop: ShopifyShop | undefined,
  version: string,
): void {
  const headers = { 'X-Shopify-API-Version': version, 'X-Request-Id': randomUUID() };
  if (!shop || !VERSION.test(version) || ctx.method !== 'POST') {
    return sendJson(ctx.res, 404, { errors: 'Not Found' }, headers);
  }
  const app = findApp(shop, ctx.req.headers['x-shopify-access-token']);
  if (!app) return sendJson(ctx.res, 401, { errors: INVALID_TOKEN }, headers);
  app.stats.requests += 1;
  const request = readRequest(ctx);
  if (!request)
    return sendJson(ctx.res, 400, { errors: { query: 'Required parameter missing or invalid' } }, headers);
  const answer = (body: unknown) => sendJson(ctx.res, 200, body, headers);

  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (error) {
    return answer({ errors: errorsOf([error as GraphQLError]) });
  }
  const schema = shopifyAdminSchema();
  const invalid = validate(schema, document);
  if (invalid.length > 0) return answer({ errors: errorsOf(invalid) });
  const operation = pickOperation(document, request.operationName);
  if (!operation) return answer({ errors: [{ message: 'An operation name is required' }] });
  const fragments = Object.fromEntries(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const costContext: CostContext = { schema, fragments, variables: request.variables };
  const requested = requestedCost(operation, costContext);
  if (requested > SINGLE_QUERY_MAX_COST) {
    return answer({
      errors: [
        {
          message: `Query cost is ${requested}, which exceeds the single query max cost limit (${SINGLE_QUERY_MAX_COST}).`,
          extensions: {
            code: 'MAX_COST_EXCEEDED',
            cost: requested,
            maxCost: SINGLE_QUERY_MAX_COST,
            documentation: DOCS,
          },
        },
      ],
    });
  }
  const available = refill(app.bucket);
  if (requested > available) {
    app.stats.throttled += 1;
    return answer({
      errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: DOCS } }],
      extensions: {
        cost: {
          requestedQueryCost: requested,
          actualQueryCost: null,
          throttleStatus: throttleStatus(app.bucket),
        },
      },
    });
  }
  app.bucket.available -= requested;
  // What spending left: a request that costs nothing takes nothing from the bucket.
  if (requested > 0)
    app.stats.lowestAvailable = Math.min(app.stats.lowestAvailable, Math.floor(app.bucket.available));
  const resolverContext: ResolverContext = { shop, app, changed: new Set(), version, origin: ctx.origin };
  const result = execute({
    schema,
    document,
    rootValue: rootValue(resolverContext),
    contextValue: resolverContext,
    variableValues: request.variables,
    ...(request.operationName !== undefined && { operationName: request.operationName }),
  });
  if (result instanceof Promise) throw new Error('the emulated resolvers are synchronous');
  const actual = actualCost(operation, result.data, requested, costContext);
  app.bucket.available = Math.min(app.bucket.maximumAvailable, app.bucket.available + (requested - actual));
  app.stats.pointsSpent += actual;
  answer({
    ...(result.errors && { errors: errorsOf(result.errors) }),
    data: result.data ?? null,
    extensions: {
      cost: {
        requestedQueryCost: requested,
        actualQueryCost: actual,
        throttleStatus: throttleStatus(app.bucket),
      },
    },
  });
  for (const customer of resolverContext.changed) notify(shop, 'customers/update', customer, 'api');
}
