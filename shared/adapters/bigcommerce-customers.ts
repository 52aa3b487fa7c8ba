import { asProcessingError, parseRetryAfter, permanent, transient } from '../domain/failure';
import { CallOptions, SourceCustomers, WebhookSecrets } from '../ports';
import { callSignal } from './call-options';
import { InstanceGate } from './d365/d365-gate';

/**
 * The BigCommerce V3 Customers API, for the customers a `store/customer/created` webhook names:
 * `GET {apiUrl}/stores/{store_hash}/v3/customers?id:in={id}&include=addresses` with the store API
 * account's token in `X-Auth-Token`
 * (https://developer.bigcommerce.com/docs/rest-management/customers#get-all-customers,
 * https://developer.bigcommerce.com/docs/start/authentication/api-accounts#x-auth-token-header).
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
  const call = async (url: string, token: string, callOptions?: CallOptions): Promise<Response> => {
    try {
      return await fetch(url, {
        headers: { 'x-auth-token': token, accept: 'application/json' },
        signal: callSignal(callOptions, options.timeoutMs),
      });
    } catch (error) {
      throw asProcessingError(error, 'BigCommerce');
    }
  };
  return {
    async bigCommerceCustomer(store, customerId, callOptions) {
      const url = `${store.apiUrl}/stores/${encodeURIComponent(store.storeHash)}/v3/customers?id:in=${customerId}&include=addresses`;
      const run = async (): Promise<unknown> => {
        let [token] = await secrets.get(store.apiTokenSecretName);
        if (!token) throw permanent('configuration', 'The BigCommerce API token secret has no value.');
        let response = await call(url, token, callOptions);
        if (response.status === 401) {
          // Rotated since we read it: read Key Vault again once.
          await response.body?.cancel();
          [token] = await secrets.refresh(store.apiTokenSecretName);
          if (token) response = await call(url, token, callOptions);
        }
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
          throw permanent(
            'configuration',
            `BigCommerce refused the store API token (${response.status}); check its Key Vault secret and its Customers read scope.`,
          );
        }
        if (response.status >= 500 || response.status === 408) {
          await response.body?.cancel();
          throw transient(`BigCommerce answered ${response.status}`);
        }
        if (!response.ok) {
          await response.body?.cancel();
          throw permanent('configuration', `BigCommerce answered ${response.status} to the customer lookup.`);
        }
        const body = (await response.json().catch(() => undefined)) as { data?: unknown[] } | undefined;
        if (!body || !Array.isArray(body.data)) throw transient('BigCommerce answered an unexpected body');
        return body.data.find((c) => (c as { id?: unknown } | null)?.id === customerId);
      };
      const result = await gate.run(run, options.maxWaitMs ?? 5_000);
      if ('value' in result) return result.value;
      throw transient('BigCommerce is throttling this instance (429)', {
        retryAfterSeconds: Math.max(1, Math.ceil((result.deferredUntil - Date.now()) / 1000)),
      });
    },
  };
}
