import { asProcessingError, parseRetryAfter, permanent, transient } from '../domain/failure';
import { CallOptions, SourceCustomers, WebhookSecrets } from '../ports';
import { callSignal } from './call-options';
import { InstanceGate } from './d365/d365-gate';

/**
 * The BigCommerce APIs the worker reads what a webhook only named from:
 * - the V3 Customers API, for `store/customer/created`:
 *   `GET {apiUrl}/stores/{store_hash}/v3/customers?id:in={id}&include=addresses` with the store API
 *   account's token in `X-Auth-Token`
 *   (https://developer.bigcommerce.com/docs/rest-management/customers#get-all-customers,
 *   https://developer.bigcommerce.com/docs/start/authentication/api-accounts#x-auth-token-header);
 * - the B2B Edition Server to Server API, for `store/company/created` (issue 32):
 *   `GET {b2bApiUrl}/api/v3/io/companies/{companyId}`, `…/addresses?companyId={id}`,
 *   `…/users?companyId={id}&roles=0`, with the same store API account's token in `X-Auth-Token` and
 *   the store hash in `X-Store-Hash` (bigcommerce/docs `docs/b2b-edition/specs/api-v3/company/company.yaml`
 *   securitySchemes: "When using the `X-Auth-Token` header with B2B Edition Server to Server API
 *   requests, the `X-Store-Hash` header is also required"; the older `authToken` header is deprecated).
 *   An unknown company is 404 `{code: 404, data: {}, meta: {message}}` (`ERROR_404_Data`).
 *
 * Back-pressure as towards D365: every call goes through `gate` (a concurrency limit), and a 429
 * pauses the gate for the whole instance until `X-Rate-Limit-Time-Reset-Ms` has passed
 * (https://developer.bigcommerce.com/docs/start/best-practices/api-rate-limits), then fails the
 * attempt as transient with that delay, so the worker's retry policy schedules the next one.
 */
export function bigCommerceCustomers(
  secrets: WebhookSecrets,
  gate: InstanceGate,
  /** `timeoutMs`: BIGCOMMERCE_TIMEOUT_MS, per call. */
  options: { timeoutMs: number; maxWaitMs?: number },
): SourceCustomers {
  const call = async (
    url: string,
    headers: Record<string, string>,
    callOptions?: CallOptions,
  ): Promise<Response> => {
    try {
      return await fetch(url, {
        headers: { ...headers, accept: 'application/json' },
        signal: callSignal(callOptions, options.timeoutMs),
      });
    } catch (error) {
      throw asProcessingError(error, 'BigCommerce');
    }
  };

  /** One GET with the store's token (read again once after a 401); `undefined` on 404 when allowed. */
  const getJson = async (
    url: string,
    store: { apiTokenSecretName: string; storeHash: string },
    what: string,
    callOptions: CallOptions | undefined,
    b2b: boolean,
  ): Promise<unknown> => {
    const headersFor = (token: string): Record<string, string> => ({
      'x-auth-token': token,
      ...(b2b && { 'x-store-hash': store.storeHash }),
    });
    const run = async (): Promise<unknown> => {
      let [token] = await secrets.get(store.apiTokenSecretName);
      if (!token) throw permanent('configuration', 'The BigCommerce API token secret has no value.');
      let response = await call(url, headersFor(token), callOptions);
      if (response.status === 401) {
        // Rotated since we read it: read Key Vault again once.
        await response.body?.cancel();
        [token] = await secrets.refresh(store.apiTokenSecretName);
        if (token) response = await call(url, headersFor(token), callOptions);
      }
      return answerOf(response, what, b2b);
    };
    const result = await gate.run(run, options.maxWaitMs ?? 5_000);
    if ('value' in result) return result.value;
    throw transient('BigCommerce is throttling this instance (429)', {
      retryAfterSeconds: Math.max(1, Math.ceil((result.deferredUntil - Date.now()) / 1000)),
    });
  };

  /** The body of a 2xx, `undefined` for a B2B 404; throws the failure every other answer is. */
  const answerOf = async (response: Response, what: string, b2b: boolean): Promise<unknown> => {
    if (response.status === 429) {
      await response.body?.cancel();
      const resetMs = Number(response.headers.get('x-rate-limit-time-reset-ms'));
      const seconds =
        Number.isFinite(resetMs) && resetMs > 0
          ? Math.ceil(resetMs / 1000)
          : (parseRetryAfter(response.headers.get('retry-after')) ?? 1);
      gate.pause(seconds);
      throw transient('BigCommerce is throttling this store API account (429)', {
        retryAfterSeconds: seconds,
      });
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      const scope = b2b ? 'B2B Edition read scope' : 'Customers read scope';
      throw permanent(
        'configuration',
        `BigCommerce refused the store API token (${response.status}); check its Key Vault secret and its ${scope}.`,
      );
    }
    if (response.status >= 500 || response.status === 408) {
      await response.body?.cancel();
      throw transient(`BigCommerce answered ${response.status}`);
    }
    if (b2b && response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw permanent('configuration', `BigCommerce answered ${response.status} to the ${what}.`);
    }
    const body = (await response.json().catch(() => undefined)) as { data?: unknown } | undefined;
    if (!body || body.data === undefined) throw transient('BigCommerce answered an unexpected body');
    return body.data;
  };

  const list = (data: unknown): unknown[] => {
    if (!Array.isArray(data)) throw transient('BigCommerce answered an unexpected body');
    return data;
  };

  return {
    async bigCommerceCustomer(store, customerId, callOptions) {
      const url = `${store.apiUrl}/stores/${encodeURIComponent(store.storeHash)}/v3/customers?id:in=${customerId}&include=addresses`;
      const data = list(await getJson(url, store, 'customer lookup', callOptions, false));
      return data.find((c) => (c as { id?: unknown } | null)?.id === customerId);
    },
    async bigCommerceCompany(store, companyId, callOptions) {
      const base = `${store.b2bApiUrl}/api/v3/io`;
      const company = await getJson(
        `${base}/companies/${companyId}`,
        store,
        'company lookup',
        callOptions,
        true,
      );
      if (company === undefined) return undefined;
      // A company holds few addresses and admins: the first page (100; the address API takes fewer than 250) is enough to map it.
      const addresses = await getJson(
        `${base}/addresses?companyId=${companyId}&limit=100`,
        store,
        'company addresses lookup',
        callOptions,
        true,
      );
      const users = await getJson(
        `${base}/users?companyId=${companyId}&roles=0&limit=100`,
        store,
        'company users lookup',
        callOptions,
        true,
      );
      return { company, addresses: list(addresses ?? []), users: list(users ?? []) };
    },
  };
}
