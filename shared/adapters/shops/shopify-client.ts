import { AdminApiClient, createAdminApiClient } from '@shopify/admin-api-client';
import type { ShopifySource } from '../../config/webhook-sources';
import { transient } from '../../domain/failure';
import { ShopAccessError } from '../../ports';
import type { ShopBudget, ShopCallOptions, ShopClient, ShopCustomer, WebhookSecrets } from '../../ports';
import { updateShopifyCustomer } from './shopify-address';
import { LISTED_CUSTOMER_COST, SHOPIFY_QUERIES } from './shopify-queries';
import { shopifyBulkCustomers } from './shopify-bulk';
import type { ShopAddress } from '../../domain/webhooks/shop-customer';

/**
 * A Shopify shop's GraphQL Admin API through Shopify's own client (`@shopify/admin-api-client`),
 * at the pinned API version, with the shop's Admin API access token from Key Vault.
 *
 * Pacing (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits): every call first
 * books its requested cost in the fleet-wide ShopBudget (which waits for the bucket to refill above
 * the reserve), and every answer's `extensions.cost.throttleStatus` is fed back; a `THROTTLED`
 * answer (another client of the same app spent the bucket) is fed back too and the call waits and
 * goes again, within `maxWaitMs`; past it the call fails as transient with the time to come back.
 * Nothing is known of a shop yet: one `{ __typename }` (0 points) reads its bucket first.
 *
 * A 401 reads the token from Key Vault again once (a rotation); a second 401, or `ACCESS_DENIED`, is
 * a ShopAccessError: the app was uninstalled or lacks `write_customers`.
 */
export interface ShopifyClientOptions {
  secrets: WebhookSecrets;
  budget: ShopBudget;
  apiVersion: string;
  timeoutMs: number;
  maxWaitMs: number;
}

export type ShopifyWriteBackSource = ShopifySource & { adminApiTokenSecretName: string };

type Answer = {
  data?: unknown;
  errors?: { networkStatusCode?: number; graphQLErrors?: unknown[]; message?: string };
  extensions?: unknown;
};

const codesOf = (answer: Answer): string[] =>
  (answer.errors?.graphQLErrors ?? []).map((e) =>
    String((e as { extensions?: { code?: unknown } }).extensions?.code ?? ''),
  );

const gidOf = (id: string): string => `gid://shopify/Customer/${id}`;

interface CustomerNode {
  id: string;
  firstName: string | null;
  lastName: string | null;
  updatedAt: string;
  verifiedEmail: boolean;
  defaultEmailAddress: { emailAddress: string | null } | null;
  defaultPhoneNumber: { phoneNumber: string } | null;
  metafield: { value: string } | null;
}

interface MailingAddressNode {
  id: string;
  address1: string | null;
  address2: string | null;
  city: string | null;
  provinceCode: string | null;
  zip: string | null;
  countryCodeV2: string | null;
  phone: string | null;
}

interface ListedCustomerNode extends CustomerNode {
  defaultAddress: { id: string } | null;
  addressesV2: { nodes: MailingAddressNode[] };
}

/** A listed customer's addresses, the default first (as its webhook's `default_address` comes first). */
function addressesOf(node: ListedCustomerNode): ShopAddress[] {
  const all = node.addressesV2.nodes;
  const first = all.filter((a) => a.id === node.defaultAddress?.id);
  return [...first, ...all.filter((a) => a.id !== node.defaultAddress?.id)].map((a) => ({
    street1: a.address1,
    street2: a.address2,
    city: a.city,
    state: a.provinceCode,
    postalCode: a.zip,
    countryAlpha2: a.countryCodeV2,
    phone: a.phone,
  }));
}

/**
 * How many customers one list query may ask for: Shopify refuses a query whose requested cost is
 * over 1,000 points (MAX_COST_EXCEEDED, https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits).
 */
export const SHOPIFY_MAX_LIST_PAGE = Math.floor((1000 - 3) / LISTED_CUSTOMER_COST);

const toShopCustomer = (node: CustomerNode): ShopCustomer => ({
  id: node.id.replace('gid://shopify/Customer/', ''),
  email: node.defaultEmailAddress?.emailAddress ?? null,
  firstName: node.firstName,
  lastName: node.lastName,
  phone: node.defaultPhoneNumber?.phoneNumber ?? null,
  updatedAt: node.updatedAt,
  account: node.metafield?.value ?? null,
  verifiedEmail: node.verifiedEmail,
});

export function shopifyClient(source: ShopifyWriteBackSource, options: ShopifyClientOptions): ShopClient {
  const shopKey = `shopify-${source.shopDomain}`;
  const base = (source.adminApiUrl ?? `https://${source.shopDomain}`).replace(/\/+$/, '');
  const { namespace, key } = source.accountMetafield;
  let client: { token: string; api: AdminApiClient } | undefined;
  let definitionChecked = false;
  let warnedVersion = false;
  let log: ShopCallOptions['log'];

  const apiFor = (token: string): AdminApiClient => {
    if (client?.token === token) return client.api;
    const api = createAdminApiClient({
      storeDomain: source.shopDomain,
      apiVersion: options.apiVersion,
      accessToken: token,
      // The client warns when the pinned version leaves Shopify's support window: log it once.
      logger: (entry) => {
        if (entry.type === 'Unsupported_Api_Version' && !warnedVersion) {
          warnedVersion = true;
          log?.warn('shop.api_version_unsupported', { source: source.name, code: options.apiVersion });
        }
      },
      // The shop's own origin unless `adminApiUrl` says otherwise (a proxy, the local emulator).
      customFetchApi: (url, init) => fetch(String(url).replace(`https://${source.shopDomain}`, base), init),
    });
    client = { token, api };
    return api;
  };

  const send = async (
    token: string,
    query: string,
    variables: Record<string, unknown>,
    signal?: AbortSignal,
  ) => {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const answer = (await apiFor(token).request(query, {
      variables,
      signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
    })) as Answer;
    const status = (answer.extensions as { cost?: { throttleStatus?: Record<string, number> } } | undefined)
      ?.cost?.throttleStatus;
    if (status) {
      await options.budget.observe(shopKey, {
        model: 'bucket',
        maximumAvailable: status.maximumAvailable ?? 0,
        currentlyAvailable: status.currentlyAvailable ?? 0,
        restoreRate: status.restoreRate ?? 1,
      });
    }
    return answer;
  };

  /** One GraphQL request, paced, with the token's refresh on 401; returns `data`. */
  const request = async (
    query: string,
    variables: Record<string, unknown>,
    cost: number,
    call?: ShopCallOptions,
  ) => {
    const deadline = Date.now() + options.maxWaitMs;
    log = call?.log ?? log;
    let [token] = await options.secrets.get(source.adminApiTokenSecretName);
    let refreshed = false;
    for (;;) {
      if (!token) throw new ShopAccessError(source.name, 'its Key Vault secret has no value');
      const booking = await options.budget.take(shopKey, cost, Math.max(0, deadline - Date.now()));
      if (booking.kind === 'wait') {
        throw transient(`Shopify ${source.name}: waiting for the shop's cost bucket`, {
          retryAfterSeconds: Math.max(1, Math.ceil((booking.retryAt - Date.now()) / 1000)),
          // The shop's budget, not a fault: the write-back waits without spending an attempt.
          throttled: true,
        });
      }
      const answer =
        booking.kind === 'unknown'
          ? await send(token, SHOPIFY_QUERIES.probe, {}, call?.abortSignal)
          : await send(token, query, variables, call?.abortSignal);
      const status = answer.errors?.networkStatusCode;
      if (status === 401 && !refreshed) {
        refreshed = true;
        [token] = await options.secrets.refresh(source.adminApiTokenSecretName);
        continue;
      }
      if (status === 401 || status === 403 || codesOf(answer).includes('ACCESS_DENIED')) {
        throw new ShopAccessError(source.name, String(status ?? 'ACCESS_DENIED'));
      }
      if (codesOf(answer).includes('THROTTLED')) continue;
      if (answer.errors && (status === undefined || status >= 500 || status === 429 || status === 408)) {
        throw transient(`Shopify ${source.name} answered ${status ?? 'nothing'}`, { uncertain: true });
      }
      if (answer.errors) {
        throw transient(`Shopify ${source.name} refused the query (${codesOf(answer).join(', ') || status})`);
      }
      if (booking.kind === 'unknown') continue;
      return answer.data as Record<string, unknown>;
    }
  };

  /** The account metafield's definition, created once (unique values, so customerSet can use it as customId). */
  const ensureDefinition = async (call?: ShopCallOptions) => {
    if (definitionChecked) return;
    const found = (await request(SHOPIFY_QUERIES.definition, { namespace, key }, 3, call)) as {
      metafieldDefinitions: { nodes: unknown[] };
    };
    if (found.metafieldDefinitions.nodes.length === 0) {
      const created = (await request(
        SHOPIFY_QUERIES.createDefinition,
        { definition: definitionInput() },
        10,
        call,
      )) as {
        metafieldDefinitionCreate: { userErrors: { code: string | null }[] };
      };
      const errors = created.metafieldDefinitionCreate.userErrors.filter((e) => e.code !== 'TAKEN');
      if (errors.length > 0) {
        throw new ShopAccessError(
          source.name,
          `metafield definition refused: ${errors.map((e) => e.code).join(', ')}`,
        );
      }
    }
    definitionChecked = true;
  };

  const definitionInput = () => ({
    name: 'D365 customer account',
    namespace,
    key,
    type: 'single_line_text_field',
    ownerType: 'CUSTOMER',
    description: 'Legal entity and customer account in Dynamics 365, written by d365-customer-sync.',
    capabilities: { uniqueValues: { enabled: true } },
  });

  const read = async (customerId: string, call?: ShopCallOptions) => {
    const data = (await request(
      SHOPIFY_QUERIES.customer,
      { id: gidOf(customerId), namespace, key },
      4,
      call,
    )) as {
      customer: (CustomerNode & { metafield: { value: string; compareDigest: string } | null }) | null;
    };
    return data.customer;
  };

  return {
    kind: 'shopify',
    async getCustomer(customerId, call) {
      const node = await read(customerId, call);
      return node ? toShopCustomer(node) : undefined;
    },
    async listCustomers(page, call) {
      const first = Math.min(SHOPIFY_MAX_LIST_PAGE, Math.max(1, page.limit));
      // Shopify search syntax (https://shopify.dev/docs/api/usage/search-syntax): the `customers`
      // query's `updated_at` filter (https://shopify.dev/docs/api/admin-graphql/latest/queries/customers#argument-query).
      const terms = [
        ...(page.updatedSince ? [`updated_at:>='${page.updatedSince}'`] : []),
        ...(page.updatedBefore ? [`updated_at:<'${page.updatedBefore}'`] : []),
      ];
      const query = terms.length > 0 ? terms.join(' AND ') : null;
      // The first page also asks how many there are (a progress bar's total).
      const data = (await request(
        page.cursor ? SHOPIFY_QUERIES.customers : SHOPIFY_QUERIES.customersAndCount,
        { first, ...(page.cursor && { after: page.cursor }), query, namespace, key },
        2 + first * LISTED_CUSTOMER_COST + (page.cursor ? 0 : 1),
        call,
      )) as {
        customers: {
          nodes: ListedCustomerNode[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
        customersCount?: { count: number; precision: string } | null;
      };
      const { nodes, pageInfo } = data.customers;
      const counted = data.customersCount;
      return {
        customers: nodes.map((node) => ({ ...toShopCustomer(node), addresses: addressesOf(node) })),
        ...(pageInfo.hasNextPage && pageInfo.endCursor && { nextCursor: pageInfo.endCursor }),
        ...(counted?.precision === 'EXACT' && { total: counted.count }),
      };
    },
    listCustomersInBulk: shopifyBulkCustomers(
      request,
      (line) => {
        const node = { ...line, addressesV2: { nodes: line.addresses } } as unknown as ListedCustomerNode;
        return { ...toShopCustomer(node), addresses: addressesOf(node) };
      },
      source.accountMetafield,
      options.timeoutMs,
    ),
    updateCustomer: (customerId, changes, call) =>
      updateShopifyCustomer(request, gidOf(customerId), changes, () => read(customerId, call), call),
    async writeAccount(customerId, account, call) {
      await ensureDefinition(call);
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const current = await read(customerId, call);
        if (!current) return { kind: 'not_found' };
        if (current.metafield?.value === account) return { kind: 'written', changed: false };
        const metafields = [
          {
            ownerId: gidOf(customerId),
            namespace,
            key,
            type: 'single_line_text_field',
            value: account,
            compareDigest: current.metafield?.compareDigest ?? null,
          },
        ];
        const tags = source.accountTag ? [source.accountTag] : [];
        const data = (await request(
          tags.length > 0 ? SHOPIFY_QUERIES.setAccountAndTag : SHOPIFY_QUERIES.setAccount,
          { metafields, ...(tags.length > 0 && { id: gidOf(customerId), tags }) },
          tags.length > 0 ? 21 : 11,
          call,
        )) as { metafieldsSet: { userErrors: { code: string | null; field: string[] | null }[] } };
        const errors = data.metafieldsSet.userErrors;
        if (errors.length === 0) return { kind: 'written', changed: true };
        if (errors.some((e) => e.code === 'STALE_OBJECT')) continue; // written meanwhile: read again
        if (errors.some((e) => e.field?.includes('ownerId'))) return { kind: 'not_found' };
        return { kind: 'rejected', reason: errors.map((e) => e.code ?? 'INVALID').join(', ') };
      }
      throw transient(`Shopify ${source.name}: the account metafield kept changing while it was written`);
    },
    async forgetAccount(customerId, call) {
      // A metafield (or customer) that does not exist is `null` in `deletedMetafields`, no error.
      const data = (await request(
        SHOPIFY_QUERIES.deleteAccount,
        { metafields: [{ ownerId: gidOf(customerId), namespace, key }] },
        10,
        call,
      )) as {
        metafieldsDelete: { deletedMetafields: ({ key: string } | null)[] | null; userErrors: unknown[] };
      };
      const { deletedMetafields, userErrors } = data.metafieldsDelete;
      if (userErrors.length > 0)
        throw transient(`Shopify ${source.name} refused to delete the account metafield`);
      return deletedMetafields?.[0] ? { kind: 'forgotten' } : { kind: 'absent' };
    },
  };
}
