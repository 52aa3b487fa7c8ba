import type { BigCommerceSource } from '../../config/webhook-sources';
import { asProcessingError, transient } from '../../domain/failure';
import { ShopAccessError } from '../../ports';
import type { ShopPrimaryAddress } from '../../domain/fo-events/primary-address';
import { stateNameFor } from '../../domain/state-codes';
import type {
  ShopBudget,
  ShopCallOptions,
  ShopClient,
  ShopCustomer,
  ShopWriteResult,
  WebhookSecrets,
} from '../../ports';

/**
 * A BigCommerce store's V3 Customers API over fetch, with the store API account's token from Key
 * Vault (https://developer.bigcommerce.com/docs/rest-management/customers, …/attributes,
 * …/attribute-values). The account is a customer attribute value (`string`, ≤ 255 characters),
 * upserted with `PUT /v3/customers/attribute-values`; the attribute is the configured `id`, or found
 * by name, or created on first use.
 *
 * Pacing (https://developer.bigcommerce.com/docs/start/best-practices/api-rate-limits): every request
 * books 1 in the fleet-wide ShopBudget (the store's quota is shared by every app on it: the reserve
 * leaves the others their part); every answer's `X-Rate-Limit-*` headers are fed back; a 429 is fed
 * back and the request waits for the window's reset and goes again, within `maxWaitMs`. Nothing known
 * of the store yet: the request goes out and its headers are the first reading.
 */
export interface BigCommerceClientOptions {
  secrets: WebhookSecrets;
  budget: ShopBudget;
  timeoutMs: number;
  maxWaitMs: number;
}

interface BcCustomer {
  id: number;
  email?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  phone?: string | null;
  date_modified?: string;
  attributes?: { attribute_id: number; attribute_value: string }[];
  addresses?: { id: number }[];
}

export function bigCommerceClient(source: BigCommerceSource, options: BigCommerceClientOptions): ShopClient {
  const shopKey = `bigcommerce-${source.storeHash}`;
  const base = `${source.apiUrl}/stores/${encodeURIComponent(source.storeHash)}/v3/customers`;
  let attributeId = source.accountAttribute.id;

  const observe = async (response: Response) => {
    const header = (name: string) => Number(response.headers.get(name));
    const quota = header('x-rate-limit-requests-quota');
    const left = header('x-rate-limit-requests-left');
    if (!Number.isFinite(quota) || !Number.isFinite(left) || quota <= 0) return;
    await options.budget.observe(shopKey, {
      model: 'window',
      quota,
      left,
      resetMs: Math.max(0, header('x-rate-limit-time-reset-ms') || 0),
      windowMs: header('x-rate-limit-time-window-ms') || 30_000,
    });
  };

  const fetchOnce = async (
    token: string,
    method: string,
    path: string,
    body: unknown,
    call?: ShopCallOptions,
  ) => {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    try {
      return await fetch(`${base}${path}`, {
        method,
        headers: {
          'x-auth-token': token,
          accept: 'application/json',
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: call?.abortSignal ? AbortSignal.any([timeout, call.abortSignal]) : timeout,
      });
    } catch (error) {
      throw asProcessingError(error, `BigCommerce ${source.name}`);
    }
  };

  /** One request, paced; 2xx and 422 answers come back (the caller reads them), others throw. */
  const request = async (method: string, path: string, body?: unknown, call?: ShopCallOptions) => {
    const deadline = Date.now() + options.maxWaitMs;
    let [token] = await options.secrets.get(source.apiTokenSecretName);
    let refreshed = false;
    for (;;) {
      if (!token) throw new ShopAccessError(source.name, 'its Key Vault secret has no value');
      const booking = await options.budget.take(shopKey, 1, Math.max(0, deadline - Date.now()));
      if (booking.kind === 'wait') {
        throw transient(`BigCommerce ${source.name}: waiting for the store's rate window`, {
          retryAfterSeconds: Math.max(1, Math.ceil((booking.retryAt - Date.now()) / 1000)),
          // The shop's budget, not a fault: the write-back waits without spending an attempt.
          throttled: true,
        });
      }
      const response = await fetchOnce(token, method, path, body, call);
      await observe(response);
      if (response.status === 401 && !refreshed) {
        await response.body?.cancel();
        refreshed = true;
        [token] = await options.secrets.refresh(source.apiTokenSecretName);
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        await response.body?.cancel();
        throw new ShopAccessError(source.name, String(response.status));
      }
      if (response.status === 429) {
        await response.body?.cancel();
        continue;
      }
      if (response.ok || response.status === 422) {
        const parsed = (await response.json().catch(() => ({}))) as { data?: unknown; meta?: unknown };
        return { status: response.status, data: parsed.data, meta: parsed.meta };
      }
      await response.body?.cancel();
      throw transient(`BigCommerce ${source.name} answered ${response.status}`, {
        uncertain: method !== 'GET',
      });
    }
  };

  /**
   * The D365 primary address as the customer's first address: `PUT /v3/customers/addresses` with its
   * `id` and `customer_id` (both required), or, with none yet, `POST` (first and last name required):
   * https://developer.bigcommerce.com/docs/rest-management/customers/addresses. `country_code` is alpha-2.
   */
  const writeAddress = async (
    customerId: string,
    address: ShopPrimaryAddress,
    call?: ShopCallOptions,
  ): Promise<ShopWriteResult> => {
    const found = await request(
      'GET',
      `?id:in=${encodeURIComponent(customerId)}&include=addresses`,
      undefined,
      call,
    );
    const current = (found.data as BcCustomer[] | undefined)?.find((c) => String(c.id) === customerId);
    if (!current) return { kind: 'not_found' };
    const fields = {
      address1: address.street1,
      address2: address.street2,
      city: address.city,
      // The state's name in full: BigCommerce takes no state codes (state-codes.ts stateNameFor).
      state_or_province: stateNameFor(address.countryAlpha2, address.state),
      postal_code: address.postalCode,
      country_code: address.countryAlpha2,
    };
    const first = current.addresses?.[0];
    const answer = first
      ? await request('PUT', '/addresses', [{ id: first.id, customer_id: current.id, ...fields }], call)
      : await request(
          'POST',
          '/addresses',
          [
            {
              customer_id: current.id,
              first_name: current.first_name ?? '',
              last_name: current.last_name ?? '',
              ...fields,
            },
          ],
          call,
        );
    return answer.status === 422
      ? { kind: 'rejected', reason: 'address' }
      : { kind: 'written', changed: true };
  };

  const customer = async (customerId: string, call?: ShopCallOptions): Promise<BcCustomer | undefined> => {
    const answer = await request(
      'GET',
      `?id:in=${encodeURIComponent(customerId)}&include=attributes`,
      undefined,
      call,
    );
    return (answer.data as BcCustomer[] | undefined)?.find((c) => String(c.id) === customerId);
  };

  const toShopCustomer = (c: BcCustomer): ShopCustomer => ({
    id: String(c.id),
    email: c.email ?? null,
    firstName: c.first_name ?? null,
    lastName: c.last_name ?? null,
    phone: c.phone || null,
    updatedAt: c.date_modified ?? '',
    account: c.attributes?.find((a) => a.attribute_id === attributeId)?.attribute_value ?? null,
  });

  /** The account attribute's ID by its name, if the store has it (found once, then kept). */
  const findAttribute = async (call?: ShopCallOptions): Promise<number | undefined> => {
    const name = source.accountAttribute.name;
    const found = await request('GET', `/attributes?name=${encodeURIComponent(name)}`, undefined, call);
    const id = (found.data as { id: number; name: string }[] | undefined)?.find((a) => a.name === name)?.id;
    if (id !== undefined) attributeId = id;
    return id;
  };

  const ensureAttribute = async (call?: ShopCallOptions): Promise<number> => {
    if (attributeId !== undefined) return attributeId;
    const name = source.accountAttribute.name;
    let id = await findAttribute(call);
    if (id === undefined) {
      const created = await request('POST', '/attributes', [{ name, type: 'string' }], call);
      id = (created.data as { id: number }[] | undefined)?.[0]?.id;
      if (created.status === 422 || id === undefined) {
        // Created meanwhile by another instance, or the store's 50 attributes are used up.
        const again = await request('GET', `/attributes?name=${encodeURIComponent(name)}`, undefined, call);
        id = (again.data as { id: number; name: string }[] | undefined)?.find((a) => a.name === name)?.id;
        if (id === undefined)
          throw new ShopAccessError(source.name, 'the account attribute could not be created');
      }
    }
    attributeId = id;
    return id;
  };

  return {
    kind: 'bigcommerce',
    async getCustomer(customerId, call) {
      if (source.accountAttribute.id === undefined) await ensureAttribute(call);
      const found = await customer(customerId, call);
      return found ? toShopCustomer(found) : undefined;
    },
    async listCustomers(page, call) {
      const limit = Math.min(250, Math.max(1, page.limit));
      const current = Number(page.cursor ?? '1') || 1;
      // Get All Customers' `date_modified:min` / `date_modified:max` filters (both inclusive:
      // https://developer.bigcommerce.com/docs/rest-management/customers#get-all-customers).
      const since =
        (page.updatedSince ? `&date_modified:min=${encodeURIComponent(page.updatedSince)}` : '') +
        (page.updatedBefore ? `&date_modified:max=${encodeURIComponent(page.updatedBefore)}` : '');
      const answer = await request(
        'GET',
        `?page=${current}&limit=${limit}&include=attributes${since}`,
        undefined,
        call,
      );
      const data = (answer.data as BcCustomer[] | undefined) ?? [];
      const total = (answer.meta as { pagination?: { total?: unknown } } | undefined)?.pagination?.total;
      return {
        customers: data.map(toShopCustomer),
        ...(data.length === limit && { nextCursor: String(current + 1) }),
        ...(typeof total === 'number' && { total }),
      };
    },
    async updateCustomer(customerId, { address, ...changes }, call) {
      if (Object.keys(changes).length > 0) {
        const body = [
          {
            id: Number(customerId),
            ...(changes.email !== undefined && { email: changes.email }),
            ...(changes.firstName !== undefined && { first_name: changes.firstName }),
            ...(changes.lastName !== undefined && { last_name: changes.lastName }),
            ...(changes.phone !== undefined && { phone: changes.phone }),
          },
        ];
        const answer = await request('PUT', '', body, call);
        if (answer.status === 422)
          return (await customer(customerId, call))
            ? { kind: 'rejected', reason: 'customer fields' }
            : { kind: 'not_found' };
      }
      if (address) return writeAddress(customerId, address, call);
      return { kind: 'written', changed: true };
    },
    async writeAccount(customerId, account, call) {
      const id = await ensureAttribute(call);
      const current = await customer(customerId, call);
      if (!current) return { kind: 'not_found' };
      if (current.attributes?.find((a) => a.attribute_id === id)?.attribute_value === account) {
        return { kind: 'written', changed: false };
      }
      const answer = await request(
        'PUT',
        '/attribute-values',
        [{ attribute_id: id, customer_id: Number(customerId), value: account }],
        call,
      );
      if (answer.status !== 422) return { kind: 'written', changed: true };
      return (await customer(customerId, call))
        ? { kind: 'rejected', reason: 'attribute value' }
        : { kind: 'not_found' };
    },
    async forgetAccount(customerId, call) {
      const id = attributeId ?? (await findAttribute(call));
      if (id === undefined) return { kind: 'absent' };
      const found = await request(
        'GET',
        `/attribute-values?customer_id:in=${Number(customerId)}&attribute_id:in=${id}`,
        undefined,
        call,
      );
      const values = ((found.data as { id: number }[] | undefined) ?? []).map((v) => v.id);
      if (values.length === 0) return { kind: 'absent' };
      await request('DELETE', `/attribute-values?id:in=${values.join(',')}`, undefined, call);
      return { kind: 'forgotten' };
    },
  };
}
